// Counts failed attempts per key (a client address) to slow down token guessing, in bounded memory: expired keys are
// forgotten, and once `maxKeys` addresses are being tracked, any further address shares one overflow bucket, so an
// attacker who cycles through many addresses is throttled as one instead of pushing the others out.
export interface AttemptLimiter {
  blocked(key: string): boolean;
  /**
   * Counts an attempt before it is judged, in one synchronous step: false when the key is already at the limit. A
   * caller that then finds the attempt right calls reset(); concurrent attempts cannot all pass one check.
   */
  attempt(key: string): boolean;
  fail(key: string): void;
  reset(key: string): void;
  /** Keys tracked now (for tests and metrics). */
  size(): number;
}

const OVERFLOW = "\u0000overflow";

export function createAttemptLimiter(options: { maxFailures: number; windowMs: number; maxKeys?: number; now?: () => number }): AttemptLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  /** First failure of the current window and failures since, per key. */
  const failures = new Map<string, { since: number; count: number }>();

  const live = (key: string) => {
    const entry = failures.get(key);
    if (entry && now() - entry.since >= options.windowMs) {
      failures.delete(key);
      return undefined;
    }
    return entry;
  };
  const sweep = () => {
    for (const key of failures.keys()) live(key);
  };
  /** The bucket a key counts in: its own while there is room, else the shared overflow bucket. */
  const bucket = (key: string) => {
    if (failures.has(key) || failures.size < maxKeys) return key;
    sweep();
    return failures.size < maxKeys ? key : OVERFLOW;
  };

  return {
    blocked: (key) => (live(bucket(key))?.count ?? 0) >= options.maxFailures,
    attempt(key) {
      const slot = bucket(key);
      const entry = live(slot) ?? { since: now(), count: 0 };
      if (entry.count >= options.maxFailures) return false;
      entry.count++;
      failures.set(slot, entry);
      return true;
    },
    fail(key) {
      const slot = bucket(key);
      const entry = live(slot) ?? { since: now(), count: 0 };
      entry.count++;
      failures.set(slot, entry);
    },
    reset(key) {
      failures.delete(key);
    },
    size: () => failures.size,
  };
}
