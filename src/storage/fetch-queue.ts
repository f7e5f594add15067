// The fetch queue: documents still to be fetched for create/update events, and what became of each.
import type { Event, EventType, FetchOutcome } from "./events.ts";

export interface FetchJob {
  eventId: number;
  userId: string;
  dataType: string;
  objectId: string;
  attempts: number;
  /** create or update (a delete is never fetched). */
  eventType?: Exclude<EventType, "delete">;
}

/** Documents still to be fetched for create/update events, and what became of each. */
export interface FetchQueue {
  /** Create/update events whose document is due to be fetched. */
  dueFetches(nowMs: number, limit: number): Promise<FetchJob[]>;
  /** Stores the document (latest version per user, type and id) and marks the event fetched; returns the event. */
  recordFetched(job: FetchJob, document: Record<string, unknown>): Promise<Event | undefined>;
  /** A final outcome without a document (see FetchOutcome). */
  recordFetchOutcome(eventId: number, status: FetchOutcome, error?: string): Promise<Event | undefined>;
  rescheduleFetch(eventId: number, atMs: number, attempts: number, error: string): Promise<void>;
  /** Moves a user's pending fetches due before `atMs` to `atMs` (their token could not be had); returns how many. */
  rescheduleUserFetches(userId: string, atMs: number): Promise<number>;
  /** Puts a user's awaiting_link events back in the queue (after they link), in slices; returns how many. */
  requeueAwaitingLink(userId: string): Promise<number>;
  /**
   * Puts failed fetches back in the queue, due at once with no attempt counted: all of them, or those whose error
   * starts with `reasonPrefix`. Walks the log in slices of ids, each its own short write; returns how many.
   */
  requeueFailedFetches(filter?: { reasonPrefix?: string }): Promise<number>;
  /**
   * Moves up to `limit` pending fetches whose user has no usable sign-in to awaiting_link, in one write; returns how
   * many. Lets a backlog (e.g. notifications received before sign-in was configured) be parked in bulk, not job by job.
   */
  parkUnlinkedFetches(limit: number): Promise<number>;
  /** Events waiting to be fetched (pending or awaiting a sign-in). */
  countPendingFetches(): Promise<number>;
}
