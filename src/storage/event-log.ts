// The event log: what arrived, in order, once each.
import type { Event, EventFilter, NewEvent } from "./events.ts";

export interface AppendResult {
  event: Event;
  /** False when the same notification was already stored (a redelivery). */
  created: boolean;
}

export interface EventPage {
  events: Event[];
  nextCursor: string | null;
}

/** The event log: what arrived, in order, once each. */
export interface EventLog {
  /** Resolves only once the event is durably committed. */
  appendEvent(input: NewEvent): Promise<AppendResult>;
  getEvent(id: number): Promise<Event | undefined>;
  listEvents(filter: EventFilter, page: { limit: number; cursor?: string }): Promise<EventPage>;
  deleteEvents(filter: EventFilter): Promise<number>;
  /** All events, or one user's (kept, never counted per call). */
  countEvents(userId?: string): Promise<number>;
  /** received_at of the newest event, of all or of one user. */
  lastEventAt(userId?: string): Promise<string | null>;
  /** Deletes every event and document of a user. */
  purgeUser(userId: string): Promise<{ events: number; documents: number }>;
}
