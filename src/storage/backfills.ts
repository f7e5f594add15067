// History imports (backfills), walked step by step and resumable from the last finished step.

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
