// Turns notifications into documents: takes due fetch jobs (create/update events), fetches each document with its
// user's token, stores it and publishes the enriched event. Retries follow Oura's signals: Retry-After on 429,
// exponential backoff with jitter on 5xx and network errors, 404 is final ("missing").
import type { TokenManager } from "../auth/token-manager.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { type OuraClient, OuraApiError } from "../oura/client.ts";
import type { Broadcaster } from "../realtime/broadcaster.ts";
import { publishEvent } from "../realtime/event-messages.ts";
import type { Event } from "../schemas/event.ts";
import type { FetchJob, Store } from "../storage/store.ts";

export interface FetcherDeps {
  store: Store;
  tokens: TokenManager;
  oura: OuraClient;
  broadcaster: Broadcaster;
  logger: Logger;
  metrics?: Metrics;
  now?: () => number;
  random?: () => number;
  maxAttempts?: number;
  /** First retry delay; doubles each attempt up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const BATCH = 16;
const CONCURRENCY = 4;

export class DocumentFetcher {
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<number> | undefined;
  #again = false;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;

  constructor(private readonly deps: FetcherDeps) {
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
    this.#maxAttempts = deps.maxAttempts ?? 8;
    this.#baseDelayMs = deps.baseDelayMs ?? 2_000;
    this.#maxDelayMs = deps.maxDelayMs ?? 15 * 60_000;
  }

  start(intervalMs = 1_000): void {
    this.#timer ??= setInterval(() => this.wake(), intervalMs);
    this.wake();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Runs a tick now (or right after the one under way). */
  wake(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.tick()
      .catch((error) => {
        this.deps.logger.error("fetch.tick_failed", { error: error instanceof Error ? error.message : String(error) });
        return 0;
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  /** Processes every job due now; returns how many were handled. */
  async tick(): Promise<number> {
    let handled = 0;
    for (;;) {
      const jobs = await this.deps.store.dueFetches(this.#now(), BATCH);
      if (jobs.length === 0) return handled;
      for (let i = 0; i < jobs.length; i += CONCURRENCY) {
        await Promise.all(jobs.slice(i, i + CONCURRENCY).map((job) => this.#process(job)));
      }
      handled += jobs.length;
    }
  }

  async #process(job: FetchJob): Promise<void> {
    const { store, tokens, logger } = this.deps;
    let token = await tokens.accessToken(job.userId);
    if (!token) return this.#finish(job, "awaiting_link", "no usable token for this Oura user yet");
    try {
      let document: Record<string, unknown>;
      try {
        document = await this.deps.oura.getDocument(token, job.dataType, job.objectId);
      } catch (error) {
        if (!(error instanceof OuraApiError) || error.status !== 401) throw error;
        token = await tokens.afterUnauthorized(job.userId, token);
        if (!token) return this.#finish(job, "awaiting_link", "Oura refused the token; the user must sign in again");
        document = await this.deps.oura.getDocument(token, job.dataType, job.objectId);
      }
      const event = await store.recordFetched(job, document);
      logger.info("fetch.stored", { event_id: job.eventId, data_type: job.dataType });
      this.deps.metrics?.fetches.inc({ outcome: "fetched" });
      this.#publish(event);
    } catch (error) {
      await this.#failed(job, error);
    }
  }

  async #failed(job: FetchJob, error: unknown): Promise<void> {
    const status = error instanceof OuraApiError ? error.status : 0;
    const reason = error instanceof Error ? error.message : String(error);
    if (status === 404) return this.#finish(job, "missing", reason);
    if (status === 429) {
      // At least a second, whatever Retry-After says: "0" must not turn this tick into a busy loop against Oura.
      const waitMs = Math.max(1, (error as OuraApiError).retryAfterSeconds ?? 60) * 1000;
      this.deps.logger.warn("fetch.rate_limited", { event_id: job.eventId, retry_in_s: waitMs / 1000 });
      this.deps.metrics?.fetches.inc({ outcome: "rate_limited" });
      return this.deps.store.rescheduleFetch(job.eventId, this.#now() + waitMs, job.attempts, reason);
    }
    const retryable = status === 0 || status >= 500 || status === 401;
    const attempts = job.attempts + 1;
    if (!retryable || attempts >= this.#maxAttempts) {
      const why = status === 403 ? `${reason} (a missing scope or a lapsed Oura membership)` : reason;
      return this.#finish(job, "failed", attempts >= this.#maxAttempts ? `gave up after ${attempts} attempts: ${why}` : why);
    }
    const backoff = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempts - 1));
    const jittered = backoff * (0.5 + this.#random());
    this.deps.logger.warn("fetch.retry", { event_id: job.eventId, attempt: attempts, status, retry_in_ms: Math.round(jittered) });
    this.deps.metrics?.fetches.inc({ outcome: "retry" });
    await this.deps.store.rescheduleFetch(job.eventId, this.#now() + jittered, attempts, reason);
  }

  async #finish(job: FetchJob, status: "missing" | "failed" | "awaiting_link", reason: string): Promise<void> {
    const event = await this.deps.store.recordFetchOutcome(job.eventId, status, reason);
    this.deps.logger.info(`fetch.${status}`, { event_id: job.eventId, data_type: job.dataType });
    this.deps.metrics?.fetches.inc({ outcome: status });
    this.#publish(event);
  }

  #publish(event: Event | undefined): void {
    if (event) publishEvent(this.deps.broadcaster, event, false);
  }
}
