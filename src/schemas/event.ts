// Stored events and the queries over them.
import { z } from "@hono/zod-openapi";
import * as domain from "../storage/events.ts";
import { Instant } from "./instant.ts";
import { DataType, EventType } from "./notification.ts";

export const FetchStatus = domain.FetchStatus.openapi("FetchStatus", {
  description:
    "pending: queued; fetched: document stored; missing: Oura answered 404; failed: gave up (see fetch_error); " +
    "awaiting_link: no token for this user yet, fetched once they link; deleted: a delete notification (no fetch); " +
    "not_fetched: this server has no Oura sign-in configured (OURA_CLIENT_ID/OURA_CLIENT_SECRET), so nothing fetches documents.",
});

export const EventSource = domain.EventSource.openapi("EventSource");

const stored = domain.Event.shape;

/** The stored event (storage/events.ts), with the API's names and descriptions: the same fields by construction. */
export const Event = domain.Event.extend({
  received_at: stored.received_at.openapi({ description: "When this server committed the event (ISO 8601, UTC)." }),
  source: EventSource,
  event_type: EventType,
  notification: stored.notification.openapi({ description: "The notification exactly as received." }),
  document: stored.document.openapi({ description: "The fetched Oura document, once fetched." }),
  fetch_status: FetchStatus.nullable(),
  fetch_error: stored.fetch_error.openapi({ description: "Why the last fetch attempt failed, if it did." }),
}).openapi("Event");
export type Event = z.infer<typeof Event>;

export const EventFilter = z.object({
  data_type: DataType.optional(),
  event_type: EventType.optional(),
  user_id: z.string().min(1).max(256).optional(),
  object_id: z.string().min(1).max(256).optional().openapi({ description: "Only events about this Oura document." }),
  since: Instant.optional().openapi({ description: "Only events whose event_time is at or after this instant." }),
  until: Instant.optional().openapi({ description: "Only events whose event_time is before this instant." }),
});
export type EventFilter = z.infer<typeof EventFilter>;

export const EventListQuery = EventFilter.extend({
  limit: z.coerce.number().int().min(1).max(1000).default(50).openapi({ description: "Page size, 1–1000." }),
  cursor: z
    .string()
    .regex(/^\d{1,16}$/, { error: "expected the next_cursor of a previous page" })
    .optional()
    .openapi({ description: "next_cursor from the previous page." }),
});
export type EventListQuery = z.infer<typeof EventListQuery>;

export const EventList = z
  .object({
    count: z.number().int().openapi({ description: "Events in this page." }),
    total_stored: z.number().int().openapi({
      description: "Every event stored (for a session: of its own Oura user), whatever the filters: not how many match them (page through with next_cursor for that).",
    }),
    events: z.array(Event),
    next_cursor: z.string().nullable().openapi({ description: "Pass as cursor to get the next (older) page; null on the last page." }),
  })
  .openapi("EventList");

export const EventIdParams = z.object({
  id: z.coerce.number().int().min(1).openapi({ param: { name: "id", in: "path" }, example: 42 }),
});

export const DeleteResult = z.object({ deleted: z.number().int() }).openapi("DeleteResult");
