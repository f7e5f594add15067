// Group commit: writes that arrive while a commit is under way wait and share the next transaction, and each caller's
// promise settles only after its transaction is durable. The transaction runs on this thread (a writer worker thread
// was measured as no gain on 2 cores: every batch paid two thread hops on a busy core); the wait for the disk does not:
// `durable()` (an fdatasync of the log) runs off the event loop, so requests keep being read, verified and committed
// meanwhile, and one flush then covers every batch committed while the previous one was in flight.
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Commits one batch in one transaction and says, item by item, what became of it. */
export type BatchCommit<T, R> = (items: T[]) => Settled<R>[];

/** Makes every transaction committed so far durable; rejects when the disk refused. */
export type Flush = () => Promise<void>;

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

interface Committed<T, R> {
  batch: Pending<T, R>[];
  results: Settled<R>[];
}

const MAX_BATCH = 64;
const MAX_WAIT_MS = 2;

export class GroupCommitWriter<T, R> {
  #queue: Pending<T, R>[] = [];
  #scheduled = false;
  #seen = 0;
  #since = 0;
  #committing = false;
  /** Committed, not yet known to be on disk. */
  #unflushed: Committed<T, R>[] = [];
  #flushing = false;
  #idle: (() => void)[] = [];

  constructor(
    private readonly commit: BatchCommit<T, R>,
    private readonly flush: Flush = async () => {},
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#scheduled && !this.#committing) {
        this.#scheduled = true;
        this.#seen = 0;
        this.#since = performance.now();
        // setImmediate (not a microtask) lets every request already readable on the sockets join this batch.
        setImmediate(() => this.#gather());
      }
    });
  }

  /** Resolves when nothing is queued, committing or waiting for the disk: used before closing the database. */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * While more writes keep arriving turn after turn, keep gathering (up to MAX_BATCH or MAX_WAIT_MS): under load
   * one transaction then serves more events; when a turn brings nothing new, commit at once, so a lone event waits
   * for nothing.
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
    // While the disk flushes, the next batch keeps growing: its callers would wait for the flush to end anyway (the
    // next flush starts only then), and one bigger transaction costs less than several small ones.
    if (this.#committing || this.#flushing) return;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return this.#notifyIfIdle();
    this.#committing = true;
    let results: Settled<R>[];
    try {
      results = this.commit(batch.map((pending) => pending.item));
    } catch (error) {
      results = batch.map(() => ({ ok: false, error }));
    } finally {
      this.#committing = false;
    }
    if (results.some((result) => result.ok)) {
      this.#unflushed.push({ batch, results });
      if (!this.#flushing) this.#startFlush();
    } else settle({ batch, results });
    // Whatever arrived during that commit forms the next batch, but only after this turn's callbacks have run: the
    // transaction blocks the thread, and starting the next one here would hold back answers and live messages.
    if (this.#queue.length > 0) {
      this.#scheduled = true;
      setImmediate(() => this.#dispatch());
    } else this.#notifyIfIdle();
  }

  #startFlush(): void {
    const covered = this.#unflushed;
    this.#unflushed = [];
    this.#flushing = true;
    this.flush().then(
      () => {
        for (const committed of covered) settle(committed);
        this.#afterFlush();
      },
      (error: unknown) => {
        // Committed to the file but not known to be on disk: nobody is told it is kept (a retry finds it, once).
        for (const { batch, results } of covered) batch.forEach((pending, i) => (results[i]!.ok ? pending.reject(error) : pending.reject((results[i] as { error: unknown }).error)));
        this.#afterFlush();
      },
    );
  }

  #afterFlush(): void {
    this.#flushing = false;
    if (this.#unflushed.length > 0) this.#startFlush();
    else if (this.#queue.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#dispatch());
    } else this.#notifyIfIdle();
  }

  #isIdle(): boolean {
    return this.#queue.length === 0 && !this.#committing && !this.#flushing && this.#unflushed.length === 0;
  }

  #notifyIfIdle(): void {
    if (this.#isIdle()) for (const resolve of this.#idle.splice(0)) resolve();
  }
}

function settle<T, R>({ batch, results }: Committed<T, R>): void {
  batch.forEach((pending, i) => {
    const result = results[i]!;
    if (result.ok) pending.resolve(result.value);
    else pending.reject(result.error);
  });
}
