// Counts failed attempts per key (a client address) in a sliding window, to slow down token guessing.
export interface AttemptLimiter {
  blocked(key: string): boolean;
  fail(key: string): void;
  reset(key: string): void;
}

export function createAttemptLimiter(options: { maxFailures: number; windowMs: number; now?: () => number }): AttemptLimiter {
  const now = options.now ?? Date.now;
  const failures = new Map<string, number[]>();
  const recent = (key: string) => {
    const since = now() - options.windowMs;
    const kept = (failures.get(key) ?? []).filter((at) => at > since);
    if (kept.length) failures.set(key, kept);
    else failures.delete(key);
    return kept;
  };
  return {
    blocked: (key) => recent(key).length >= options.maxFailures,
    fail(key) {
      failures.set(key, [...recent(key), now()]);
    },
    reset(key) {
      failures.delete(key);
    },
  };
}
