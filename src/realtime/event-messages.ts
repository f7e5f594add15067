// What a live subscriber receives for a committed event: rendered once, published to each topic it belongs to.
import type { Event } from "../schemas/event.ts";
import { type Broadcaster, eventTopic } from "./broadcaster.ts";

export function publishEvent(broadcaster: Broadcaster, event: Event): void {
  const message = JSON.stringify({ type: "event", event });
  const { user_id: userId, data_type: dataType } = event;
  broadcaster.publish(eventTopic({}), message);
  broadcaster.publish(eventTopic({ dataType }), message);
  broadcaster.publish(eventTopic({ userId }), message);
  broadcaster.publish(eventTopic({ userId, dataType }), message);
}
