// Sends outgoing webhooks in the background: turns the queue of final events (filled by triggers in the event's own
// commit) into one delivery per matching enabled endpoint, then sends what is due, a few at a time and only a few to
// one endpoint (a slow receiver cannot take every slot), recording each attempt. Ingest never waits for any of it:
// committed events only ask for a run, and while ingest is busy the dispatcher takes a small share (pacing.ts).
import type { TokenCipher } from "../auth/token-cipher.ts";
import { PeriodicJob } from "../jobs/periodic.ts";
import type { Logger } from "../log.ts";
import type { CommitListeners } from "../realtime/committed.ts";
import type { DueDelivery, HookEndpoint, HookStore } from "../storage/hooks.ts";
import type { Clock } from "../time/clock.ts";
import { type Resolver, systemResolver } from "./address-guard.ts";
import { webhookBody } from "./payload.ts";
import { nextAttemptAt } from "./retry-schedule.ts";
import type { IngestPressure } from "../realtime/ingest-pressure.ts";
import { type Pace, paceOf, QUIET } from "./pacing.ts";
import { type SendResult, sendWebhook } from "./sender.ts";
import { createMessageSigner, type MessageSigner } from "./signature.ts";

/** Timings and I/O tests replace; production runs with the defaults. */
export interface HookTimings {
  /** How often due retries are looked for (default 1 s); committed events wake the job at once besides. */
  intervalMs?: number;
  /** How long one attempt may take (default 15 s, the low end of the spec's 15–30 s). */
  timeoutMs?: number;
  /** Name resolution (default: the system's). */
  resolve?: Resolver;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
}

export interface HookDispatcherOptions {
  store: HookStore;
  cipher: TokenCipher;
  committed: CommitListeners;
  /** The server's one measure of ingest (fed by every committed event). */
  pressure: IngestPressure;
  logger: Logger;
  now: Clock;
  allowPrivateAddresses: boolean;
  /** An endpoint none of whose deliveries succeeded for this long is disabled. */
  disableAfterMs: number;
  timings?: HookTimings;
}

const FINAL = new Set(["fetched", "not_fetched", "deleted", "missing", "failed"]);

export class HookDispatcher {
  readonly #job: PeriodicJob;
  readonly #inFlight = new Map<number, Promise<void>>();
  readonly #perEndpoint = new Map<string, number>();
  readonly #signers = new Map<string, Promise<MessageSigner>>();
  #active = false;
  #turn = 0;
  #pace: Pace = QUIET;
  #soonTimer: ReturnType<typeof setTimeout> | undefined;
  #lastSoonAt = Number.NEGATIVE_INFINITY;
  #stopping = new AbortController();
  #removeListener: (() => void) | undefined;

  constructor(private readonly options: HookDispatcherOptions) {
    this.#job = new PeriodicJob("hooks.dispatch", () => this.#run(), options.logger);
    this.endpointsChanged();
  }

  start(): void {
    // Committed events wake the job only while some endpoint is enabled: without endpoints ingest pays one boolean.
    // The listener runs on ingest's path: it only asks for a run soon, and a burst of events asks once.
    this.#removeListener = this.options.committed.add((event) => {
      if (!this.#active) return;
      if (event.fetch_status !== null && FINAL.has(event.fetch_status)) this.#soon();
    });
    this.#job.start(this.options.timings?.intervalMs ?? 1000, { immediately: true });
  }

  /**
   * Stops looking for work and cuts the attempts in flight short (a slow receiver must not hold up a shutdown for its
   * timeout): they stay due, and are sent again with the same webhook-id after the next start.
   */
  async stop(): Promise<void> {
    this.#removeListener?.();
    await this.#job.stop();
    this.#stopping.abort();
    clearTimeout(this.#soonTimer);
    this.#soonTimer = undefined;
    await this.settled();
  }

  /**
   * A run soon, and one per the pace's paceMs however many ask meanwhile: under a burst of events or a stream of answers the dispatcher runs
   * a few dozen times a second, not once per event or per answer, so its share of the one core stays small.
   */
  #soon(): void {
    if (this.#soonTimer || this.#stopping.signal.aborted) return;
    // The first ask after a quiet spell runs on the next turn; the others wait for one run paceMs after it.
    const wait = Math.max(0, this.#lastSoonAt + this.#pace.paceMs - performance.now());
    this.#soonTimer = setTimeout(() => {
      this.#soonTimer = undefined;
      this.#lastSoonAt = performance.now();
      this.#job.wake();
    }, wait);
  }

  /** Called when endpoints are added, changed or removed. */
  endpointsChanged(): void {
    this.#active = this.options.store.listEndpoints().some((endpoint) => endpoint.enabled);
    this.#job.wake();
  }

  wake(): void {
    this.#job.wake();
  }

  /** One pass: queue → deliveries, then start what is due. Tests call it and then `settled()`. */
  tick(): Promise<void> {
    return this.#job.tick();
  }

  /** Resolves when no attempt is in flight. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight.values());
  }

  async #run(): Promise<void> {
    // Stopping: a slot freed by an interrupted attempt must not start another.
    if (this.#stopping.signal.aborted) return;
    this.#pace = paceOf(this.options.pressure);
    await this.#expandQueue();
    this.#startDue();
  }

  /** One slice per run: a backlog (an import, a burst) is worked off a slice at a time, paced, beside ingest. */
  async #expandQueue(): Promise<void> {
    const { slice } = this.#pace;
    if ((await this.options.store.expandQueue(slice, this.options.now())) === slice) this.#soon();
  }

  /**
   * Fills the free slots endpoint by endpoint, starting one further each time: a slow receiver with a long backlog
   * holds at most the pace's perEndpoint slots and never keeps the others' due deliveries waiting behind its own.
   */
  #startDue(): void {
    const { store, now } = this.options;
    const endpoints = store.listEndpoints().filter((endpoint) => endpoint.enabled);
    this.#turn = (this.#turn + 1) % Math.max(1, endpoints.length);
    for (const endpoint of [...endpoints.slice(this.#turn), ...endpoints.slice(0, this.#turn)]) {
      const free = Math.min(this.#pace.perEndpoint - (this.#perEndpoint.get(endpoint.id) ?? 0), this.#pace.concurrency - this.#inFlight.size);
      if (free <= 0) continue;
      for (const item of store.dueDeliveries(endpoint, now(), free, new Set(this.#inFlight.keys()))) this.#start(item);
    }
  }

  #start(item: DueDelivery): void {
    const endpointId = item.endpoint.id;
    this.#perEndpoint.set(endpointId, (this.#perEndpoint.get(endpointId) ?? 0) + 1);
    const attempt = this.#attempt(item)
      // A slot is free: whatever the limits held back goes soon. Not after a throw (storage refusing the record, say):
      // the delivery is still due, and the interval tries again rather than a loop on the spot.
      .then(
        () => this.#soon(),
        (error: unknown) => this.options.logger.error("hooks.attempt_failed", { endpoint: endpointId, error: error instanceof Error ? error.message : String(error) }),
      )
      .finally(() => {
        this.#inFlight.delete(item.delivery.id);
        this.#perEndpoint.set(endpointId, (this.#perEndpoint.get(endpointId) ?? 1) - 1);
      });
    this.#inFlight.set(item.delivery.id, attempt);
  }

  async #attempt({ delivery, endpoint, event }: DueDelivery): Promise<void> {
    const { store, now, timings } = this.options;
    if (!event) {
      await store.recordAttempt(delivery.id, { kind: "failed", statusCode: null, responseMs: null, error: "the event is no longer stored", retryAtMs: undefined });
      return;
    }
    const body = webhookBody(event);
    const signer = await this.#signer(endpoint).catch(() => undefined);
    if (!signer) {
      // Sealed under another key (APP_SECRET_KEY or the key file replaced): counted as a failed attempt, so the
      // schedule (and in the end disabling) applies instead of a retry on every tick.
      this.#signers.delete(endpoint.sealed_secret);
      await this.#record(delivery, endpoint, { ok: false, statusCode: null, responseMs: null, error: "the endpoint's secret cannot be read with this server's key; give it a new one (POST /hooks/{id}/secret)" });
      return;
    }
    const headers = await signer(delivery.message_id, now() / 1000, body);
    const result = await sendWebhook(endpoint.url, { ...headers }, body, {
      allowPrivate: this.options.allowPrivateAddresses,
      resolve: timings?.resolve ?? systemResolver,
      timeoutMs: timings?.timeoutMs ?? 15_000,
      now,
      signal: this.#stopping.signal,
    });
    // Cut short by a stop: not a failure of the receiver, so nothing is counted; the delivery stays due.
    if (!result.ok && this.#stopping.signal.aborted) return;
    await this.#record(delivery, endpoint, result);
  }

  async #record(delivery: DueDelivery["delivery"], endpoint: HookEndpoint, result: SendResult): Promise<void> {
    const { store, now, timings } = this.options;
    if (result.ok) {
      await store.recordAttempt(delivery.id, { kind: "delivered", statusCode: result.statusCode, responseMs: result.responseMs });
      return;
    }
    const nowMs = now();
    const failingSince = endpoint.failing_since ? Date.parse(endpoint.failing_since) : nowMs;
    const disable = result.gone
      ? "the endpoint answered 410 Gone: it wants no more webhooks"
      : nowMs - failingSince >= this.options.disableAfterMs
        ? `failing since ${new Date(failingSince).toISOString()}: last error ${result.error}`
        : undefined;
    const retryAtMs = nextAttemptAt(nowMs, delivery.attempts + 1, result.retryAfterMs, timings?.random);
    await store.recordAttempt(delivery.id, { kind: "failed", statusCode: result.statusCode, responseMs: result.responseMs, error: result.error, retryAtMs, disable });
    if (disable) {
      // The reason (with the receiver's answer) is kept for the API and the dashboard, not the log.
      this.options.logger.warn("hooks.endpoint_disabled", { endpoint: endpoint.id, status_code: result.statusCode ?? undefined });
      this.endpointsChanged();
    }
  }

  #signer(endpoint: HookEndpoint): Promise<MessageSigner> {
    let signer = this.#signers.get(endpoint.sealed_secret);
    if (!signer) {
      signer = this.options.cipher.decrypt(endpoint.sealed_secret).then(createMessageSigner);
      this.#signers.set(endpoint.sealed_secret, signer);
    }
    return signer;
  }
}
