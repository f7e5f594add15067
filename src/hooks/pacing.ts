// How hard the webhook dispatcher may work. While ingest is quiet, at full speed; while events arrive faster than
// BUSY_RATE, a small share — a short slice of the queue and one attempt per endpoint every BUSY.paceMs — so a burst is
// absorbed by the durable queue instead of competing with ingest for the core and for the disk's flushes. The work
// left waits in the database and is done at full speed once the burst is over.

export interface Pace {
  /** Queued events expanded into deliveries per run. */
  slice: number;
  /** Attempts in flight at once, across endpoints and per endpoint. */
  concurrency: number;
  perEndpoint: number;
  /** The least time between two runs asked for by committed events or finished attempts. */
  paceMs: number;
}

export const QUIET: Pace = { slice: 500, concurrency: 16, perEndpoint: 4, paceMs: 25 };
export const BUSY: Pace = { slice: 50, concurrency: 3, perEndpoint: 1, paceMs: 200 };

/** Events per second above which ingest is busy (Oura's own traffic is a few per minute per user). */
const BUSY_RATE = 200;
const WINDOW_MS = 250;
/** Busy stays busy this long after the last busy window, so a burst with gaps does not flap between the two. */
const HOLD_MS = 1000;

export class IngestPressure {
  #events = 0;
  #since = performance.now();
  #busyUntil = 0;

  /** Told of every committed event: one increment on ingest's path. */
  seen(): void {
    this.#events++;
  }

  pace(at = performance.now()): Pace {
    const elapsed = at - this.#since;
    if (elapsed >= WINDOW_MS) {
      if ((this.#events * 1000) / elapsed >= BUSY_RATE) this.#busyUntil = at + HOLD_MS;
      this.#events = 0;
      this.#since = at;
    } else if (this.#events >= (BUSY_RATE * WINDOW_MS) / 1000) {
      this.#busyUntil = at + HOLD_MS;
    }
    return at < this.#busyUntil ? BUSY : QUIET;
  }
}
