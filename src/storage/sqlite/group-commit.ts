// Group commit: writes that arrive while a commit is under way wait and share the next transaction (one fsync for
// the batch), and each caller's promise settles only after its transaction has committed.
import type { Database } from "bun:sqlite";

export type Settled<R> = { ok: true; value: R } | { ok: false; error: string };

/** Runs one batch as one transaction, wherever the connection lives (this thread or a writer worker). */
export interface BatchExecutor<T, R> {
  execute(items: T[]): Promise<Settled<R>[]>;
  close(): Promise<void>;
}

/** One transaction for the batch; if it fails, each item alone, so one bad write cannot sink its batch-mates. */
export function runBatch<T, R>(db: Database, apply: (item: T) => R, items: T[]): Settled<R>[] {
  try {
    return db.transaction(() => items.map((item) => ({ ok: true as const, value: apply(item) })))();
  } catch {
    return items.map((item) => {
      try {
        return { ok: true as const, value: db.transaction(() => apply(item))() };
      } catch (error) {
        return { ok: false as const, error: error instanceof Error ? error.message : String(error) };
      }
    });
  }
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 64;
const MAX_WAIT_MS = 2;

export class GroupCommitWriter<T, R> {
  #queue: Pending<T, R>[] = [];
  #scheduled = false;
  #seen = 0;
  #since = 0;
  #inFlight = false;
  #idle: (() => void)[] = [];

  constructor(private readonly executor: BatchExecutor<T, R>) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#scheduled && !this.#inFlight) {
        this.#scheduled = true;
        this.#seen = 0;
        this.#since = performance.now();
        // setImmediate (not a microtask) lets every request already readable on the sockets join this batch.
        setImmediate(() => this.#gather());
      }
    });
  }

  /** Resolves when nothing is queued or committing: used before closing the database. */
  whenIdle(): Promise<void> {
    if (this.#queue.length === 0 && !this.#inFlight) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * While more writes keep arriving turn after turn, keep gathering (up to MAX_BATCH or MAX_WAIT_MS): under load
   * one fsync then serves more events; when a turn brings nothing new, commit at once, so a lone event waits for
   * nothing.
   */
  #gather(): void {
    const grew = this.#queue.length > this.#seen;
    this.#seen = this.#queue.length;
    if (grew && this.#queue.length < MAX_BATCH && performance.now() - this.#since < MAX_WAIT_MS && this.#seen > 1) {
      setImmediate(() => this.#gather());
      return;
    }
    void this.#dispatch();
  }

  async #dispatch(): Promise<void> {
    this.#scheduled = false;
    if (this.#inFlight) return;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return this.#notifyIdle();
    this.#inFlight = true;
    try {
      const results = await this.executor.execute(batch.map((pending) => pending.item));
      batch.forEach((pending, i) => {
        const result = results[i]!;
        if (result.ok) pending.resolve(result.value);
        else pending.reject(new Error(result.error));
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      this.#inFlight = false;
    }
    // Whatever arrived during that commit forms the next batch, but only after this batch's callers have run: the
    // commit blocks the thread, and starting it here would hold back their answers and live messages until it ends.
    if (this.#queue.length > 0) {
      this.#scheduled = true;
      setImmediate(() => void this.#dispatch());
    } else this.#notifyIdle();
  }

  #notifyIdle(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
