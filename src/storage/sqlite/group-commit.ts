// Group commit: writes that arrive while a commit is under way wait and share the next transaction (one fsync for
// the batch), and each caller's promise settles only after its transaction has committed. Commits run on this thread:
// measured against a writer worker thread (bench/ingest.ts, 2 cores) the worker gained no throughput and doubled the
// p99 commit latency, because every batch paid two thread hops on a busy core.
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Commits one batch in one transaction and says, item by item, what became of it. */
export type BatchCommit<T, R> = (items: T[]) => Settled<R>[];

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

  constructor(private readonly commit: BatchCommit<T, R>) {}

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
    this.#dispatch();
  }

  #dispatch(): void {
    this.#scheduled = false;
    if (this.#inFlight) return;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return this.#notifyIdle();
    this.#inFlight = true;
    try {
      const results = this.commit(batch.map((pending) => pending.item));
      batch.forEach((pending, i) => {
        const result = results[i]!;
        if (result.ok) pending.resolve(result.value);
        else pending.reject(result.error);
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
      setImmediate(() => this.#dispatch());
    } else this.#notifyIdle();
  }

  #notifyIdle(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
