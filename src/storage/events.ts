// The event log's shapes, written once: plain zod schemas (no HTTP or OpenAPI in them) and the types inferred from
// them. The API's schemas (schemas/event.ts, schemas/notification.ts) are these same schemas with OpenAPI names and
// descriptions added; zod itself, not @hono/zod-openapi, so storage depends on no web framework.
import { z } from "zod";

export const EventSource = z.enum(["webhook", "poll"]);
export type EventSource = z.infer<typeof EventSource>;

export const EventType = z.enum(["create", "update", "delete"]);
export type EventType = z.infer<typeof EventType>;

export const FetchStatus = z.enum(["pending", "fetched", "missing", "failed", "awaiting_link", "deleted", "not_fetched"]);
export type FetchStatus = z.infer<typeof FetchStatus>;

/** Where an appended event's fetch starts (see NewEvent.fetch). */
export const FetchStart = FetchStatus.extract(["pending", "awaiting_link", "not_fetched"]);
export type FetchStart = z.infer<typeof FetchStart>;

/** A final outcome without a document: missing (404), failed (gave up), awaiting_link (no token yet). */
export const FetchOutcome = FetchStatus.extract(["missing", "failed", "awaiting_link"]);
export type FetchOutcome = z.infer<typeof FetchOutcome>;

export const Event = z.object({
  id: z.number().int(),
  received_at: z.string(),
  source: EventSource,
  event_type: EventType,
  data_type: z.string(),
  object_id: z.string(),
  /** ISO 8601; without an offset it is UTC. */
  event_time: z.string(),
  user_id: z.string(),
  /** What arrived, as received (a webhook's notification, or what a poll saw). */
  notification: z.record(z.string(), z.unknown()),
  document: z.unknown().nullable(),
  fetch_status: FetchStatus.nullable(),
  fetch_error: z.string().nullable(),
  fetched_at: z.string().nullable(),
});
export type Event = z.infer<typeof Event>;

/** What makes an event the same event: a second one with the same identity is a redelivery, not news. */
export const EventIdentity = Event.pick({ user_id: true, data_type: true, object_id: true, event_type: true, event_time: true });
export type EventIdentity = z.infer<typeof EventIdentity>;

/** since and until bound event_time (ISO 8601 instants). */
export const EventFilter = Event.pick({ data_type: true, event_type: true, user_id: true, object_id: true })
  .extend({ since: z.string(), until: z.string() })
  .partial();
export type EventFilter = z.infer<typeof EventFilter>;

/** An event to append, wherever it came from. */
export interface NewEvent {
  source: EventSource;
  identity: EventIdentity;
  /** The bytes as received, kept verbatim. */
  raw: string;
  /** Those bytes parsed, unknown fields included (saves parsing them again for the live stream). */
  received: Record<string, unknown>;
  /**
   * Whether the document is still to be fetched: "pending" (a fetch job, due at once), "awaiting_link" (its user has no
   * usable sign-in yet; queued when they sign in), "not_fetched" (this server has no Oura sign-in configured: nothing
   * will fetch it, so it is not kept waiting and retention may prune it). A delete needs no fetch whatever this says.
   */
  fetch: FetchStart;
  /** The document itself, when it came with the event (a poll reads documents): stored at once, nothing to fetch. */
  document?: Record<string, unknown>;
}

/** The columns an event has on both sides: in the local store and in the warehouse's table. */
export interface EventColumns {
  received_at: string;
  source: EventSource;
  event_type: EventType;
  data_type: string;
  object_id: string;
  event_time: string;
  user_id: string;
}
