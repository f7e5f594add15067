// Group commit: writes that arrive while the event loop is busy share one transaction (one fsync),
// and each caller's promise settles only after that transaction has committed.
import type { Database } from "bun:sqlite";

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitWriter<T, R> {
  #queue: Pending<T, R>[] = [];
  #scheduled = false;
  #idle: (() => void)[] = [];

  constructor(
    private readonly db: Database,
    private readonly apply: (item: T) => R,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate (not a microtask) lets every request already readable on the sockets join this batch.
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Resolves when nothing is queued: used before closing the database. */
  whenIdle(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #flush(): void {
    const batch = this.#queue;
    this.#queue = [];
    this.#scheduled = false;
    try {
      const results = this.db.transaction(() => batch.map((pending) => this.apply(pending.item)))();
      batch.forEach((pending, i) => pending.resolve(results[i]!));
    } catch {
      // One failing write must not take its batch-mates down with it: retry each alone.
      for (const pending of batch) {
        try {
          pending.resolve(this.db.transaction(() => this.apply(pending.item))());
        } catch (error) {
          pending.reject(error);
        }
      }
    }
    if (this.#queue.length === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }
}
