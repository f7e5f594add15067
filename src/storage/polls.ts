// Documents and samples read from Oura's list routes, and where the polls of each user and data type stand.
import type { Event } from "./events.ts";

/** What a poll (or a backfill) saw of one user's data type, and what became of it. */
/** What read a list: the poller (or the daily reconciliation), or a history import; said in each event's notification. */
export type PollOrigin = "poll" | "import";

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
  recordPolledDocuments(userId: string, dataType: string, documents: Record<string, unknown>[], observedAt: string, origin?: PollOrigin): Promise<PollOutcome>;
  /** Stores heart-rate samples, once per user and instant; returns how many were new. */
  recordHeartRate(userId: string, samples: HeartRateSample[]): Promise<number>;
  /** A user's samples between two instants, oldest first. */
  heartRate(userId: string, fromMs: number, toMs: number): Promise<HeartRateSample[]>;
  pollStates(userId?: string): Promise<PollState[]>;
  recordPollRun(run: PollRun): Promise<void>;
  /** Sets when a (user, type) pair runs next, without recording a run. */
  schedulePoll(userId: string, dataType: string, atMs: number): Promise<void>;
}
