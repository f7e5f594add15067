// When a failed delivery is tried again: exponential back-off with jitter over about a day (the Standard Webhooks
// spec's example schedule, cut after 10 hours), a Retry-After that asks for longer winning up to a cap.
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The wait after the 1st, 2nd, … failed attempt: 8 attempts over ≈ 17.6 h before jitter (14–21 h with it). */
export const RETRY_DELAYS_MS = [5 * SECOND, 1 * MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR] as const;
/** ±20%: receivers that failed together are not all tried again in the same second. */
const JITTER = 0.2;
/** A Retry-After longer than this is read as this (a receiver asking for a week would otherwise outlive the schedule). */
export const RETRY_AFTER_CAP_MS = 12 * HOUR;

/**
 * The time of the next attempt after `attempts` failed ones (1 after the first), or undefined when none is left.
 * `random` is in [0, 1).
 */
export function nextAttemptAt(nowMs: number, attempts: number, retryAfterMs: number | undefined, random: () => number = Math.random): number | undefined {
  const base = RETRY_DELAYS_MS[attempts - 1];
  if (base === undefined) return undefined;
  const jittered = Math.round(base * (1 - JITTER + 2 * JITTER * random()));
  const asked = retryAfterMs === undefined ? 0 : Math.min(Math.max(0, retryAfterMs), RETRY_AFTER_CAP_MS);
  return nowMs + Math.max(jittered, asked);
}

/** Retry-After as seconds or as an HTTP date (RFC 9110 §10.2.3), in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * SECOND;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
