// Turns notifications into documents: takes due fetch jobs (create/update events), fetches each document with its
// user's token, stores it and publishes the enriched event. Retries follow Oura's signals: Retry-After on 429,
// exponential backoff with jitter on 5xx and network errors, 404 is final ("missing"). Getting the user's token (which
// may refresh it at Oura's token endpoint) is part of the attempt; when it fails, that user's other jobs wait too.
// While Oura is treated as down (the circuit breaker is open) jobs wait without counting attempts, one probe at a time;
// when it answers again, fetches that gave up on a transient failure are queued again.
import type { TokenManager } from "../auth/token-manager.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { type OuraClient, OuraApiError } from "../oura/client.ts";
import { type CircuitBreaker, OuraUnavailable } from "../oura/circuit-breaker.ts";
import { BudgetClosed } from "../oura/request-budget.ts";
import type { Event, FetchOutcome } from "../storage/events.ts";
import { reportUnreadableValues } from "../oura/unreadable-values.ts";
import { PeriodicJob } from "./periodic.ts";
import type { Documents } from "../storage/documents.ts";
import type { FetchJob, FetchQueue } from "../storage/fetch-queue.ts";

export interface FetcherDeps {
  fetchQueue: FetchQueue;
  /** Where a document a poll already brought is found (no second request for it). */
  documents?: Documents;
  tokens: TokenManager;
  oura: OuraClient;
  /** The breaker `oura` reports to: while it is open no job is taken, and jobs refused by it count no attempt. */
  breaker?: CircuitBreaker;
  /** Told of every event whose fetch ended (document stored, missing, failed, waiting for a sign-in); the realtime layer renders and publishes it. */
  onEventChanged: (event: Event) => void;
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
const PARK_SLICE = 2000;
/** How a fetch that ran out of attempts on transient failures is recorded; these are queued again when Oura recovers. */
const GAVE_UP = "gave up after ";

export class DocumentFetcher {
  readonly #loop: PeriodicJob;
  #stopping = false;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  /** The breaker's recoveries already acted on. */
  #recoveriesSeen: number;

  constructor(private readonly deps: FetcherDeps) {
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
    this.#maxAttempts = deps.maxAttempts ?? 8;
    this.#baseDelayMs = deps.baseDelayMs ?? 2_000;
    this.#maxDelayMs = deps.maxDelayMs ?? 15 * 60_000;
    this.#recoveriesSeen = deps.breaker?.recoveries ?? 0;
    this.#loop = new PeriodicJob("fetch.tick", () => this.tick(), deps.logger);
  }

  start(intervalMs = 1_000): void {
    this.#stopping = false;
    this.#loop.start(intervalMs, { immediately: true });
  }

  /**
   * Stops taking jobs and waits only for those in flight: the rest stay queued in the database for the next start.
   * (A tick would otherwise go on through the whole backlog, holding shutdown for as long as that takes.)
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#loop.stop();
  }

  /** Runs a tick now (or right after the one under way). */
  wake(): void {
    if (!this.#stopping) this.#loop.wake();
  }

  /**
   * Processes every job due now, up to CONCURRENCY at a time (a new one starts as soon as one ends); returns how many
   * were handled. Users take turns, and a user's first job of the tick runs alone until it ends: it is the one that
   * gets (perhaps refreshes) the token, so a refresh that hangs holds one slot, and one that fails is tried once.
   * While the circuit is not closed, jobs are taken only when a probe is due, one at a time: the first is the probe.
   */
  async tick(): Promise<number> {
    const running = new Map<number, { userId: string; done: Promise<void> }>();
    const probed = new Set<string>(); // users with a job ended in this tick
    const paused = new Set<string>(); // users whose token could not be had: their jobs wait for the retry time
    let queue: FetchJob[] = [];
    let failure: unknown;
    let handled = 0;
    try {
      await this.#requeueAfterRecovery();
      for (;;) {
        const { breaker } = this.deps;
        const slots = !breaker || breaker.state === "closed" ? CONCURRENCY : 1;
        if (running.size < slots && failure === undefined && !this.#stopping && (breaker?.ready() ?? true)) {
          let job = this.#take(queue, running, probed, paused);
          if (!job) {
            queue = await this.#dueJobs(running);
            job = this.#take(queue, running, probed, paused);
          }
          if (job) {
            const { eventId, userId } = job;
            const done = this.#process(job, paused)
              .catch((error) => {
                failure ??= error;
              })
              .finally(() => {
                running.delete(eventId);
                probed.add(userId);
              });
            running.set(eventId, { userId, done });
            handled++;
            continue;
          }
        }
        if (running.size === 0) break;
        await Promise.race([...running.values()].map((r) => r.done));
      }
    } finally {
      await Promise.all([...running.values()].map((r) => r.done));
    }
    if (failure !== undefined) throw failure;
    return handled;
  }

  /**
   * The next due jobs, leaving out those in flight. Jobs of users without a usable sign-in (a backlog received before
   * sign-in was configured, or before the user signed in) are parked as awaiting_link in bulk slices, not one write each.
   */
  async #dueJobs(running: Map<number, unknown>): Promise<FetchJob[]> {
    // Jobs in flight are still pending in the store: ask for enough to see BATCH others, and leave them out.
    await this.#requeueAfterRecovery();
    const due = async () => (await this.deps.fetchQueue.dueFetches(this.#now(), BATCH + running.size)).filter((job) => !running.has(job.eventId));
    const jobs = await due();
    if (jobs.every((job) => this.deps.tokens.hasUsableLink(job.userId))) return jobs;
    while ((await this.deps.fetchQueue.parkUnlinkedFetches(PARK_SLICE)) === PARK_SLICE);
    return due();
  }

  /** Oura answered again after an outage: the fetches that gave up on a transient failure go back in the queue. */
  async #requeueAfterRecovery(): Promise<void> {
    const recoveries = this.deps.breaker?.recoveries ?? 0;
    if (recoveries === this.#recoveriesSeen) return;
    const requeued = await this.deps.fetchQueue.requeueFailedFetches({ reasonPrefix: GAVE_UP });
    // Only once done: a write that failed (storage unavailable) is tried again at the next tick.
    this.#recoveriesSeen = recoveries;
    if (requeued > 0) this.deps.logger.info("fetch.requeued_after_outage", { count: requeued });
  }

  /** Takes the next startable job from the queue, of the user with the fewest jobs in flight. */
  #take(queue: FetchJob[], running: Map<number, { userId: string }>, probed: Set<string>, paused: Set<string>): FetchJob | undefined {
    const load = new Map<string, number>();
    for (const { userId } of running.values()) load.set(userId, (load.get(userId) ?? 0) + 1);
    let best: number | undefined;
    queue.forEach((job, i) => {
      const busy = load.get(job.userId) ?? 0;
      if (paused.has(job.userId) || (busy > 0 && !probed.has(job.userId))) return;
      if (best === undefined || busy < (load.get(queue[best]!.userId) ?? 0)) best = i;
    });
    return best === undefined ? undefined : queue.splice(best, 1)[0];
  }

  async #process(job: FetchJob, paused: Set<string>): Promise<void> {
    const { fetchQueue, tokens, logger } = this.deps;
    try {
      const known = await this.#alreadyStored(job);
      if (known) {
        this.#publish(await fetchQueue.recordFetched(job, known));
        this.deps.metrics?.fetches.inc({ outcome: "already_stored" });
        return;
      }
      let token = await gettingToken(tokens.accessToken(job.userId));
      if (!token) return this.#finish(job, "awaiting_link", "no usable token for this Oura user yet");
      let document: Record<string, unknown>;
      try {
        document = await this.deps.oura.getDocument(token, job.dataType, job.objectId);
      } catch (error) {
        if (!(error instanceof OuraApiError) || error.status !== 401) throw error;
        token = await gettingToken(tokens.afterUnauthorized(job.userId, token));
        if (!token) return this.#finish(job, "awaiting_link", "Oura refused the token; the user must sign in again");
        document = await this.deps.oura.getDocument(token, job.dataType, job.objectId);
      }
      reportUnreadableValues(logger, job.dataType, document);
      const event = await fetchQueue.recordFetched(job, document);
      logger.info("fetch.stored", { event_id: job.eventId, data_type: job.dataType });
      this.deps.metrics?.fetches.inc({ outcome: "fetched" });
      this.#publish(event);
    } catch (error) {
      if (error instanceof TokenUnavailable) await this.#tokenFailed(job, error.cause, paused);
      else await this.#failed(job, error);
    }
  }

  /**
   * The document, when a poll already stored a version at least as new as this notification: stored after it was
   * received, or — for a create, whose document is the one that was created — at any time. No request to Oura then.
   */
  async #alreadyStored(job: FetchJob): Promise<Record<string, unknown> | undefined> {
    const stored = await this.deps.documents?.getDocument(job.dataType, job.objectId, job.userId);
    if (!stored || stored.deleted || !stored.document) return undefined;
    return job.eventType === "create" || (stored.event_id ?? 0) > job.eventId ? stored.document : undefined;
  }

  /**
   * Counts the attempt and holds back the user's other due jobs until the same retry time, so they do not each try
   * the token endpoint. Jobs that shared the failed refresh (TokenManager is single flight) leave it to the first.
   */
  async #tokenFailed(job: FetchJob, error: unknown, paused: Set<string>): Promise<void> {
    if (paused.has(job.userId)) return;
    paused.add(job.userId);
    const retryAt = await this.#failed(job, error, true);
    await this.deps.fetchQueue.rescheduleUserFetches(job.userId, retryAt);
  }

  /** Counts the attempt and reschedules or ends the job; returns when the job's user may be tried again. */
  async #failed(job: FetchJob, error: unknown, tokenFailure = false): Promise<number> {
    if (error instanceof BudgetClosed) {
      // Given up unsent because the server is stopping: no attempt to count or warn about; the job stays due.
      this.deps.logger.debug("fetch.not_sent", { event_id: job.eventId, reason: error.message });
      return this.#now();
    }
    const status = error instanceof OuraApiError ? error.status : 0;
    const message = error instanceof Error ? error.message : String(error);
    const reason = tokenFailure ? `could not get an access token: ${message}` : message;
    if (error instanceof OuraUnavailable) {
      // Oura is down (not sent, the failure that opened the circuit, or a failed probe): wait for the next probe, uncounted.
      this.deps.logger.debug("fetch.waiting_for_oura", { event_id: job.eventId, sent: error.sent });
      this.deps.metrics?.fetches.inc({ outcome: "oura_down" });
      await this.deps.fetchQueue.rescheduleFetch(job.eventId, error.retryAtMs, job.attempts, reason);
      return error.retryAtMs;
    }
    if (status === 404 && !tokenFailure) {
      await this.#finish(job, "missing", reason);
      return this.#now();
    }
    if (status === 429) {
      // At least a second, whatever Retry-After says: "0" must not turn this tick into a busy loop against Oura.
      const waitMs = Math.max(1, (error as OuraApiError).retryAfterSeconds ?? 60) * 1000;
      this.deps.logger.warn("fetch.rate_limited", { event_id: job.eventId, retry_in_s: waitMs / 1000 });
      this.deps.metrics?.fetches.inc({ outcome: "rate_limited" });
      const retryAt = this.#now() + waitMs;
      await this.deps.fetchQueue.rescheduleFetch(job.eventId, retryAt, job.attempts, reason);
      return retryAt;
    }
    // A token endpoint failure says nothing about the document: always worth another attempt.
    const retryable = tokenFailure || status === 0 || status >= 500 || status === 401;
    const attempts = job.attempts + 1;
    const backoff = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempts - 1));
    const jittered = backoff * (0.5 + this.#random());
    const retryAt = this.#now() + jittered;
    if (!retryable || attempts >= this.#maxAttempts) {
      const why = status === 403 && !tokenFailure ? `${reason} (a missing scope or a lapsed Oura membership)` : reason;
      await this.#finish(job, "failed", attempts >= this.#maxAttempts ? `${GAVE_UP}${attempts} attempts: ${why}` : why);
      return retryAt;
    }
    this.deps.logger.warn("fetch.retry", { event_id: job.eventId, attempt: attempts, status, token: tokenFailure, retry_in_ms: Math.round(jittered) });
    this.deps.metrics?.fetches.inc({ outcome: "retry" });
    await this.deps.fetchQueue.rescheduleFetch(job.eventId, retryAt, attempts, reason);
    return retryAt;
  }

  async #finish(job: FetchJob, status: FetchOutcome, reason: string): Promise<void> {
    const event = await this.deps.fetchQueue.recordFetchOutcome(job.eventId, status, reason);
    this.deps.logger.info(`fetch.${status}`, { event_id: job.eventId, data_type: job.dataType });
    this.deps.metrics?.fetches.inc({ outcome: status });
    this.#publish(event);
  }

  #publish(event: Event | undefined): void {
    if (event) this.deps.onEventChanged(event);
  }
}

/** Getting the user's access token failed (e.g. Oura's token endpoint was down), as opposed to fetching the document. */
class TokenUnavailable extends Error {}

const gettingToken = <T>(pending: Promise<T>): Promise<T> =>
  pending.catch((error) => {
    throw new TokenUnavailable("could not get an access token", { cause: error });
  });
