// Whether ingest is busy: committed events arriving faster than BUSY_RATE. The sinks (outgoing webhooks, MQTT) and
// assistants' tool calls work at a small share while it is, so a burst is absorbed by what they keep durably (the hooks' queue, the documents
// themselves) instead of competing with ingest for the core and the disk's flushes.

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

  /** Whether events arrive faster than BUSY_RATE now (or did within HOLD_MS). */
  busy(at = performance.now()): boolean {
    const elapsed = at - this.#since;
    if (elapsed >= WINDOW_MS) {
      if ((this.#events * 1000) / elapsed >= BUSY_RATE) this.#busyUntil = at + HOLD_MS;
      this.#events = 0;
      this.#since = at;
    } else if (this.#events >= (BUSY_RATE * WINDOW_MS) / 1000) {
      this.#busyUntil = at + HOLD_MS;
    }
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
