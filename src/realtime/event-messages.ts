// What a live subscriber receives for a committed event: rendered once, published to each topic it belongs to.
import type { Event } from "../schemas/event.ts";
import { ALL_EVENTS_TOPIC, type Broadcaster, dataTypeTopic } from "./broadcaster.ts";

export function publishEvent(broadcaster: Broadcaster, event: Event): void {
  const message = JSON.stringify({ type: "event", event });
  broadcaster.publish(ALL_EVENTS_TOPIC, message);
  broadcaster.publish(dataTypeTopic(event.data_type), message);
}
