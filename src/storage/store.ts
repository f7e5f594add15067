// The storage contract, in roles (event log, fetch queue, documents, retention, settings, status), implemented on
// SQLite: the local, durable front of every backend.
import type { Event, EventFilter, NewEvent } from "./events.ts";

export type { Event, EventFilter, NewEvent } from "./events.ts";

export interface AppendResult {
  event: Event;
  /** False when the same notification was already stored (a redelivery). */
  created: boolean;
}

export interface EventPage {
  events: Event[];
  nextCursor: string | null;
}

export interface FetchJob {
  eventId: number;
  userId: string;
  dataType: string;
  objectId: string;
  attempts: number;
  /** create or update (a delete is never fetched). */
  eventType?: "create" | "update";
}

export interface StoredDocument {
  user_id: string;
  data_type: string;
  document_id: string;
  day: string | null;
  deleted: boolean;
  event_id: number | null;
  fetched_at: string;
  document: Record<string, unknown> | null;
}

export interface DocumentPage {
  documents: StoredDocument[];
  nextCursor: string | null;
}

export interface DocumentFilter {
  data_type?: string;
  user_id?: string;
  start_day?: string;
  end_day?: string;
}

/**
 * write_failed: the last commit failed (an I/O error, a read-only file system); disk_full: it failed for want of space;
 * corrupt: the file is damaged (SQLite says so, or the integrity check at start did), which no retry can fix.
 */
export type StorageState = "ok" | "write_failed" | "disk_full" | "corrupt" | "file_removed" | "file_replaced";

/** The volume that holds the database, as statfs sees it. */
export interface DiskSpace {
  /** Bytes this process may still write. */
  free_bytes: number;
  total_bytes: number;
  /** Below this many free bytes the server warns, and keeps its write-ahead log short. */
  low_below_bytes: number;
  low: boolean;
}

export interface StorageHealth {
  state: StorageState;
  /** False while a write would not be kept: the last commit failed, or the file at DATABASE_PATH is not ours. */
  writable: boolean;
  /** What is wrong and what the server does about it, in one sentence; absent when all is well. */
  problem?: string;
  last_commit_at: string | null;
  last_failure_at: string | null;
  /** The volume's free space (null in memory); measured by maintain(), so at most a second old. */
  disk: DiskSpace | null;
  /** Bytes in the write-ahead log file (0 in memory): what a checkpoint hands back. */
  wal_bytes: number;
  /** The integrity check run at start: pending, ok, or failed (then state is corrupt); null when none runs. */
  integrity: { state: "running" | "ok" | "failed"; checked_at: string | null; duration_ms: number | null } | null;
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

/** Documents still to be fetched for create/update events, and what became of each. */
export interface FetchQueue {
  /** Create/update events whose document is due to be fetched. */
  dueFetches(nowMs: number, limit: number): Promise<FetchJob[]>;
  /** Stores the document (latest version per user, type and id) and marks the event fetched; returns the event. */
  recordFetched(job: FetchJob, document: Record<string, unknown>): Promise<Event | undefined>;
  /** A final outcome without a document: missing (404), failed (gave up), awaiting_link (no token yet). */
  recordFetchOutcome(eventId: number, status: "missing" | "failed" | "awaiting_link", error?: string): Promise<Event | undefined>;
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

/** The latest version of each document, per user, data type and id. */
export interface Documents {
  listDocuments(filter: DocumentFilter, limit: number): Promise<StoredDocument[]>;
  /**
   * A page of matching documents for an export, newest day first, after `cursor` (the previous page's `nextCursor`).
   * Each page is its own short read: nothing stays open between pages, however slowly the export is consumed.
   */
  pageDocuments(filter: DocumentFilter, page: { limit: number; cursor?: string }): Promise<DocumentPage>;
  getDocument(dataType: string, documentId: string, userId?: string): Promise<StoredDocument | undefined>;
  /**
   * The daily metrics (oura/daily-metrics.ts) from `start_day` on, one row per metric and day: the mean of that day's
   * values (of one user, or over every user when none is given) and how many values that is (one per user and day,
   * but for a second main sleep in one day).
   */
  dailyMetricValues(query: { user_id?: string; start_day: string }): Promise<DailyMetricValue[]>;
}

export interface DailyMetricValue {
  metric: string;
  day: string;
  value: number;
  users: number;
}

/** Deleting what is older than the retention period, in slices, and handing the space back. */
export interface Retention {
  /**
   * Deletes up to `limit` events received before `beforeIso`, oldest first; returns how many. Events whose fetch is
   * still pending or awaiting a sign-in are kept: that work is not done yet.
   */
  pruneEvents(beforeIso: string, limit: number): Promise<number>;
  /** How many events pruneEvents would delete. */
  countPrunable(beforeIso: string): Promise<number>;
  /** Hands up to `pages` freed pages back to the file system; returns how many free pages remain. */
  reclaimSpace(pages: number): Promise<number>;
}

export interface Settings {
  getSetting(key: string): Promise<string | undefined>;
  /** Stores value unless the key already has one; returns the value that is kept. */
  ensureSetting(key: string, value: string): Promise<string>;
}

/** The storage itself: reachable, writable, how big; kept healthy by maintain(). */
export interface StorageStatus {
  ping(): Promise<boolean>;
  /** Bytes on disk (the database and its log), or null when nothing is kept on disk. */
  sizeBytes(): number | null;
  /** Whether writes are being kept, and if not, why. */
  health(): StorageHealth;
  /** Every second: notices a lost database file or failing writes, and recovers when it can. */
  maintain(): void;
  /**
   * Checks the whole file (PRAGMA quick_check) off the event loop; a damaged file turns the state to corrupt. Run once
   * at start, beside serving. Resolves with the outcome.
   */
  checkIntegrity(): Promise<"ok" | "failed" | "skipped">;
  /** A read found the file damaged (SQLITE_CORRUPT): from now on the state is corrupt and writes are refused. */
  reportCorruption(error: unknown): void;
  close(): Promise<void>;
}

/** Everything, for the composition root; every other part depends on the roles it uses. */
/** What a poll (or a backfill) saw of one user's data type, and what became of it. */
export interface PollOutcome {
  /** Documents never seen before: one `create` event each (source poll), stored with the document. */
  created: Event[];
  /** Documents whose content changed: one `update` event each. */
  updated: Event[];
  unchanged: number;
  /** Of the created: those no webhook ever announced (a missed webhook, when webhooks are on). */
  onlyByPolling: number;
}

export interface HeartRateSample {
  atMs: number;
  bpm: number;
  source: string | null;
}

/** Where the polls of one user and data type stand (kept across restarts). */
export interface PollState {
  user_id: string;
  data_type: string;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  next_run_at_ms: number;
  documents_seen: number;
  created: number;
  updated: number;
  only_by_polling: number;
}

export interface PollRun {
  userId: string;
  dataType: string;
  /** Undefined when the run succeeded. */
  error?: string;
  nextRunAtMs: number;
  seen: number;
  created: number;
  updated: number;
  onlyByPolling: number;
}

/** Documents and samples read from Oura's list routes, and the state of the polls. */
export interface PollStore {
  /**
   * Stores documents listed by Oura for one user and data type, in one commit: a document never seen becomes a
   * `create` event, one whose content changed an `update`, an unchanged one nothing (whichever source brought it
   * before). Documents without an id, sleep periods of type "deleted", and documents deleted here are skipped.
   */
  recordPolledDocuments(userId: string, dataType: string, documents: Record<string, unknown>[], observedAt: string): Promise<PollOutcome>;
  /** Stores heart-rate samples, once per user and instant; returns how many were new. */
  recordHeartRate(userId: string, samples: HeartRateSample[]): Promise<number>;
  /** A user's samples between two instants, oldest first. */
  heartRate(userId: string, fromMs: number, toMs: number): Promise<HeartRateSample[]>;
  pollStates(userId?: string): Promise<PollState[]>;
  recordPollRun(run: PollRun): Promise<void>;
  /** Sets when a (user, type) pair runs next, without recording a run. */
  schedulePoll(userId: string, dataType: string, atMs: number): Promise<void>;
}

export type BackfillState = "queued" | "running" | "done" | "cancelled" | "failed";

export interface Backfill {
  id: number;
  user_id: string;
  start_date: string;
  end_date: string;
  data_types: string[];
  state: BackfillState;
  steps_total: number;
  steps_done: number;
  documents_stored: number;
  requests_used: number;
  /** Time spent working on it (for the ETA). */
  busy_ms: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** History imports, walked step by step (one window of one data type) and resumable from the last finished step. */
export interface Backfills {
  /** Creates a queued backfill, or returns the user's unfinished one (`created: false`): one at a time per user. */
  createBackfill(input: Pick<Backfill, "user_id" | "start_date" | "end_date" | "data_types" | "steps_total">): Promise<{ backfill: Backfill; created: boolean }>;
  getBackfill(id: number): Promise<Backfill | undefined>;
  listBackfills(userId?: string, limit?: number): Promise<Backfill[]>;
  /** Queued or running ones, oldest first. */
  activeBackfills(): Promise<Backfill[]>;
  /** Records a finished step (only while the backfill is still queued or running); returns the backfill as stored. */
  recordBackfillStep(id: number, step: { documents: number; requests: number; busyMs: number }): Promise<Backfill | undefined>;
  /** Moves an unfinished backfill to a final (or the running) state; returns it, or undefined if it was already final. */
  setBackfillState(id: number, state: BackfillState, error?: string): Promise<Backfill | undefined>;
}

/** An event as the warehouse receives it (local columns; the shipper maps them to the Delta table's). */
export interface OutboxEvent {
  id: number;
  received_at: string;
  source: "webhook" | "poll";
  event_type: "create" | "update" | "delete";
  data_type: string;
  object_id: string;
  event_time: string;
  event_time_ms: number;
  user_id: string;
  /** The notification as received (JSON text). */
  notification: string;
  /** The document as JSON text, when known by the time the event is shipped. */
  document: string | null;
}

export interface OutboxDocument extends WarehouseDocument {
  /** Changes while a batch is in flight raise it: only the shipped version's mark is removed. */
  version: number;
}

export interface OutboxHeartRate {
  user_id: string;
  at_ms: number;
  bpm: number;
  source: string | null;
}

export interface OutboxStatus {
  /** Events not yet shipped. */
  events: number;
  /** Documents whose latest version is not yet shipped. */
  documents: number;
  /** Heart-rate samples not yet shipped. */
  heart_rate: number;
  oldest_pending_at: string | null;
  shipped_through_event_id: number;
}

/** What is still to be shipped to the warehouse, written in the same commits as the data itself. */
export interface Outbox {
  /** The oldest unshipped events, in id order. */
  pendingEvents(limit: number): OutboxEvent[];
  /** Every event up to this id is in the warehouse. */
  markEventsShipped(throughId: number): Promise<void>;
  pendingDocuments(limit: number): OutboxDocument[];
  markDocumentsShipped(documents: Pick<OutboxDocument, "user_id" | "data_type" | "document_id" | "version">[]): Promise<void>;
  pendingHeartRate(limit: number): OutboxHeartRate[];
  markHeartRateShipped(samples: Pick<OutboxHeartRate, "user_id" | "at_ms">[]): Promise<void>;
  outboxStatus(): OutboxStatus;
  /**
   * A fresh local store filled from the warehouse (after a redeploy lost the disk): documents, then events (each with its
   * document when one is known, else `missing`), marked as in Delta already so they never enter the outbox — whatever
   * arrives meanwhile (it runs in the background).
   */
  receiveFromWarehouse(documents: WarehouseDocument[], events: WarehouseEvent[]): Promise<{ events: number; documents: number }>;
}

/** An event read back from the warehouse. */
export interface WarehouseEvent {
  received_at: string;
  source: "webhook" | "poll";
  event_type: "create" | "update" | "delete";
  data_type: string;
  object_id: string;
  event_time: string;
  user_id: string;
  /** The notification (JSON text). */
  payload: string;
  document: string | null;
}

/** A document as the warehouse keeps it (the latest version per user, type and id). */
export interface WarehouseDocument {
  user_id: string;
  data_type: string;
  document_id: string;
  day: string | null;
  payload: string | null;
  deleted: boolean;
  updated_at: string;
}

export interface Store extends Backfills, EventLog, FetchQueue, Documents, Retention, Settings, StorageStatus, PollStore {}

export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super("storage is unavailable", { cause });
    this.name = "StorageUnavailableError";
  }
}

/** The database file is damaged: unlike StorageUnavailableError, no retry can help; an operator must recover the file. */
export class StorageCorruptError extends Error {
  constructor(cause: unknown) {
    super("the database file is damaged", { cause });
    this.name = "StorageCorruptError";
  }
}
