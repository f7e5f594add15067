// What a receiver gets: Standard Webhooks' recommended envelope {type, timestamp, data}, `data` being the event as the
// API shows it (GET /events/{id}) with its document — the "enriched" event, sent once the document is fetched.
import type { Event } from "../storage/events.ts";

/** `daily_sleep.update`: the data type, then what happened to the document (full-stop delimited, as the spec suggests). */
export function messageType(event: Pick<Event, "data_type" | "event_type">): string {
  return `${event.data_type}.${event.event_type}`;
}

export function webhookBody(event: Event): string {
  return JSON.stringify({ type: messageType(event), timestamp: event.event_time, data: event });
}
