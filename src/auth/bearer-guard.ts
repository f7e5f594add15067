// Judges a presented bearer token (API_TOKEN) and slows down guessing: wrong tokens are counted per client address,
// and an address past the limit is refused before its token is even compared. Other addresses are never affected,
// so the right token keeps working everywhere else.
import type { Context } from "hono";
import type { Config } from "../config.ts";
import { AppError } from "../errors.ts";
import { createAttemptLimiter } from "../http/attempt-limiter.ts";
import { type PeerEnv, requestAddress } from "../http/request-address.ts";
import type { Logger } from "../log.ts";
import { secretsEqual } from "./constant-time.ts";

export const BEARER_FAILURES_ALLOWED = 20;
export const BEARER_WINDOW_MS = 15 * 60_000;

export interface BearerGuard {
  /** True for the API token; throws 401 for a wrong one, 429 once this address has guessed too often. */
  judge<E extends PeerEnv>(c: Context<E>, presented: string): true;
}

export function createBearerGuard(config: Pick<Config, "apiToken" | "trustsProxy">, logger: Logger, now: () => number): BearerGuard {
  const limiter = createAttemptLimiter({ maxFailures: BEARER_FAILURES_ALLOWED, windowMs: BEARER_WINDOW_MS, now });
  return {
    judge(c, presented) {
      const address = requestAddress(c, config);
      // Nothing is awaited between the check and the count, so concurrent guesses cannot slip past the limit.
      if (limiter.blocked(address)) {
        c.header("retry-after", String(BEARER_WINDOW_MS / 1000));
        throw new AppError(429, "too_many_attempts", "too many wrong bearer tokens from this address; wait 15 minutes");
      }
      if (config.apiToken && secretsEqual(presented, config.apiToken)) return true;
      limiter.fail(address);
      if (limiter.blocked(address)) logger.warn("auth.bearer_blocked", { address, failures: BEARER_FAILURES_ALLOWED, window_minutes: BEARER_WINDOW_MS / 60_000 });
      throw new AppError(401, "unauthorized", "the bearer token is not valid");
    },
  };
}
