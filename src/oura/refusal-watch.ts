// Webhook deliveries refused for their signature or timestamp are the sign of a setting gone wrong (the secret is not
// the sending application's, the clock is off): Oura retries a while, then drops them, so the operator must hear of
// it. A burst gives one warning in the log (then at most one per LOG_EVERY_MS, with the count since), a count and the
// last reason for /health, and a banner for operators on the dashboard.
import type { Logger } from "../log.ts";

export type RefusalReason = "invalid_signature" | "stale_timestamp" | "webhook_secret_missing";

/** Refusals within WINDOW_MS that make a burst worth telling (one stray probe is not). */
export const BURST = 3;
export const WINDOW_MS = 60 * 60_000;
const LOG_EVERY_MS = 5 * 60_000;

export interface RefusalStatus {
  refused_total: number;
  /** Refusals in the last hour. */
  refused_last_hour: number;
  last_reason: RefusalReason | null;
  last_refused_at: string | null;
  /** For stale_timestamp: how far the sender's timestamp was from this server's clock, in seconds (+: ours is ahead). */
  last_clock_offset_seconds: number | null;
  last_accepted_at: string | null;
  /**
   * Refusals keep coming (at least BURST in the last hour, and as many since the last accepted delivery): the likely
   * cause, in words; null when there is none.
   */
  alert: string | null;
}

export interface RefusalWatch {
  refused(reason: RefusalReason, clockOffsetSeconds?: number): void;
  accepted(): void;
  status(): RefusalStatus;
}

export function likelyCause(reason: RefusalReason, offsetSeconds: number | null): string {
  switch (reason) {
    case "invalid_signature":
      return "their signatures do not match this server's webhook secret: if they come from Oura, OURA_CLIENT_SECRET (or OURA_WEBHOOK_SECRET) is not the secret of the Oura application that sends them; if not, someone else is posting to /webhooks";
    case "stale_timestamp":
      return offsetSeconds === null
        ? "the notifications carry timestamps that cannot be read"
        : `this server's clock is ${Math.abs(Math.round(offsetSeconds))} s ${offsetSeconds > 0 ? "ahead of" : "behind"} the sender's (or old deliveries are being replayed); check NTP`;
    case "webhook_secret_missing":
      return "no webhook secret is configured: set OURA_CLIENT_SECRET (or OURA_WEBHOOK_SECRET)";
  }
}

export function createRefusalWatch(logger: Logger, now: () => number): RefusalWatch {
  let total = 0;
  let lastReason: RefusalReason | null = null;
  let lastAt: number | null = null;
  let lastOffset: number | null = null;
  let lastAccepted: number | null = null;
  let lastLogged = -Infinity;
  let lastLoggedReason: RefusalReason | null = null;
  let sinceLog = 0;
  /** Refusals since the last accepted delivery: a wrong secret refuses everything, stray requests come between good ones. */
  let sinceAccepted = 0;
  /** Refusals per minute of the last hour, keyed by minute number: bounded whatever the rate. */
  const perMinute = new Map<number, number>();
  const lastHour = (at: number) => {
    const minute = Math.floor(at / 60_000);
    let count = 0;
    for (const [key, n] of perMinute) {
      if (key <= minute - WINDOW_MS / 60_000) perMinute.delete(key);
      else count += n;
    }
    return count;
  };

  return {
    refused(reason, clockOffsetSeconds) {
      const at = now();
      total++;
      sinceLog++;
      lastReason = reason;
      lastAt = at;
      lastOffset = clockOffsetSeconds ?? null;
      sinceAccepted++;
      const minute = Math.floor(at / 60_000);
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
      // Once per LOG_EVERY_MS, and again at once when the reason changes (a clock that drifted after a secret fixed).
      if ((at - lastLogged >= LOG_EVERY_MS || reason !== lastLoggedReason) && lastHour(at) >= BURST) {
        logger.warn("webhook.refused_burst", {
          refused: sinceLog,
          reason,
          likely_cause: likelyCause(reason, lastOffset),
          accepted_meanwhile: sinceAccepted < lastHour(at),
          effect: "Oura retries for a while, then drops the notifications it cannot deliver",
        });
        lastLogged = at;
        lastLoggedReason = reason;
        sinceLog = 0;
      }
    },
    accepted() {
      lastAccepted = now();
      sinceAccepted = 0;
    },
    status() {
      const count = lastHour(now());
      return {
        refused_total: total,
        refused_last_hour: count,
        last_reason: lastReason,
        last_refused_at: lastAt === null ? null : new Date(lastAt).toISOString(),
        last_clock_offset_seconds: lastOffset === null ? null : Math.round(lastOffset),
        last_accepted_at: lastAccepted === null ? null : new Date(lastAccepted).toISOString(),
        // An alert when refusals keep coming with nothing accepted in between: what a wrong secret or clock looks like.
        alert: count >= BURST && sinceAccepted >= BURST && lastReason ? likelyCause(lastReason, lastOffset) : null,
      };
    },
  };
}
