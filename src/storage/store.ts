// The storage contract. SQLite implements it now; a warehouse backend will implement it too.
import type { Event, EventFilter } from "../schemas/event.ts";
import type { WebhookNotification } from "../schemas/notification.ts";

export interface NewEvent {
  source: "webhook" | "poll";
  notification: WebhookNotification;
  /** The notification's bytes as received, kept verbatim. */
  rawNotification: string;
  /** Those bytes parsed, unknown fields included (saves parsing them again for the live stream). */
  receivedNotification: Record<string, unknown>;
}

export interface AppendResult {
  event: Event;
  /** False when the same notification was already stored (a redelivery). */
  created: boolean;
}

export interface EventPage {
  events: Event[];
  nextCursor: string | null;
}

export interface Store {
  /** Resolves only once the event is durably committed. */
  appendEvent(input: NewEvent): Promise<AppendResult>;
  getEvent(id: number): Promise<Event | undefined>;
  listEvents(filter: EventFilter, page: { limit: number; cursor?: string }): Promise<EventPage>;
  deleteEvents(filter: EventFilter): Promise<number>;
  countEvents(): Promise<number>;
  lastEventAt(): Promise<string | null>;
  getSetting(key: string): Promise<string | undefined>;
  /** Stores value unless the key already has one; returns the value that is kept. */
  ensureSetting(key: string, value: string): Promise<string>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super("storage is unavailable", { cause });
    this.name = "StorageUnavailableError";
  }
}
