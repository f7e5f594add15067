// Whether ingest is busy: committed events arriving faster than BUSY_RATE. The sinks (outgoing webhooks, MQTT) and
// assistants' tool calls work at a small share while it is, so a burst is absorbed by what they keep durably (the hooks' queue, the documents
// themselves) instead of competing with ingest for the core and the disk's flushes.

/** Events per second above which ingest is busy (Oura's own traffic is a few per minute per user). */
const BUSY_RATE = 200;
const WINDOW_MS = 250;
/** Busy when this many events arrive within WINDOW_MS of the last count: BUSY_RATE sustained over a quarter second. */
const BUSY_COUNT = (BUSY_RATE * WINDOW_MS) / 1000;
/** Busy stays busy this long after the last busy window, so a burst with gaps does not flap between the two. */
const HOLD_MS = 1000;

export class IngestPressure {
  #events = 0;
  #since = performance.now();
  #busyUntil = 0;

  /**
   * Told of every committed event. The rate is judged here, as events arrive, once every BUSY_COUNT events (one clock
   * read per 50 events on ingest's path), so a burst is seen at once however long the quiet before it was.
   */
  seen(at?: number): void {
    if (++this.#events < BUSY_COUNT) return;
    const now = at ?? performance.now();
    if (now - this.#since < WINDOW_MS) this.#busyUntil = now + HOLD_MS;
    this.#events = 0;
    this.#since = now;
  }

  /** Whether events arrived faster than BUSY_RATE within the last HOLD_MS. */
  busy(at = performance.now()): boolean {
    return at < this.#busyUntil;
  }
}

/**
 * Work that may wait (an assistant's tool call) takes turns while ingest is busy: one start per `spacingMs`, in
 * arrival order; while it is quiet, no wait at all. A model takes seconds per turn, so a few calls a second is plenty.
 */
export function turnsWhileBusy(
  pressure: IngestPressure,
  spacingMs: number,
  time: { now: () => number; sleep: (ms: number) => Promise<unknown> } = { now: () => performance.now(), sleep: Bun.sleep },
): () => Promise<void> {
  let nextStart = 0;
  return async () => {
    const now = time.now();
    if (!pressure.busy(now) && nextStart <= now) return;
    const start = Math.max(now, nextStart);
    nextStart = start + spacingMs;
    if (start > now) await time.sleep(start - now);
  };
}
