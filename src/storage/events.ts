// The event log's domain types: plain data, no HTTP or OpenAPI in them (schemas/event.ts describes the same shapes
// for the API, and a test keeps the two in step).

export type EventSource = "webhook" | "poll";
export type EventType = "create" | "update" | "delete";
export type FetchStatus = "pending" | "fetched" | "missing" | "failed" | "awaiting_link" | "deleted" | "not_fetched";

/** What makes an event the same event: a second one with the same identity is a redelivery, not news. */
export interface EventIdentity {
  user_id: string;
  data_type: string;
  object_id: string;
  event_type: EventType;
  /** ISO 8601; without an offset it is UTC. */
  event_time: string;
}

export interface Event extends EventIdentity {
  id: number;
  received_at: string;
  source: EventSource;
  /** What arrived, as received (a webhook's notification, or what a poll saw). */
  notification: Record<string, unknown>;
  document: unknown;
  fetch_status: FetchStatus | null;
  fetch_error: string | null;
  fetched_at: string | null;
}

export interface EventFilter {
  data_type?: string;
  event_type?: EventType;
  user_id?: string;
  object_id?: string;
  since?: string;
  until?: string;
}

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
  fetch: "pending" | "awaiting_link" | "not_fetched";
  /** The document itself, when it came with the event (a poll reads documents): stored at once, nothing to fetch. */
  document?: Record<string, unknown>;
}
