// Whether Oura is treated as down: a run of transient failures (5xx, no answer) opens the circuit, and while it is open
// the loops (fetcher, poller, backfills) send nothing; after a back-off one request goes as a probe, and an answer
// closes the circuit again. Shared by every request of the application, beside the request budget.
import type { Logger } from "../log.ts";
import { OuraApiError } from "./api-error.ts";

export type CircuitState = "closed" | "open" | "half_open";

export interface CircuitTimings {
  /** Consecutive transient failures that open the circuit. */
  failureThreshold: number;
  /** Wait before the first probe; doubles after each failed probe, up to maxProbeAfterMs. */
  probeAfterMs: number;
  maxProbeAfterMs: number;
}

/**
 * Production defaults: five failures in a row (a single bad answer does not stop anything), first probe after 5 s, then
 * 10, 20, 40 s and every 60 s: a 4-minute outage costs about seven probes, and a recovery is seen within a minute.
 */
export const CIRCUIT_DEFAULTS: CircuitTimings = { failureThreshold: 5, probeAfterMs: 5_000, maxProbeAfterMs: 60_000 };

export interface CircuitStatus {
  state: CircuitState;
  /** When the circuit entered its state (null: closed since start). */
  since: string | null;
  consecutive_failures: number;
  /** Transient failures since start. */
  failures_total: number;
  /** Times the circuit opened since start. */
  opened_total: number;
  /** Open: when a request may go again, as the probe. */
  next_probe_at: string | null;
  last_failure: string | null;
  last_failure_at: string | null;
}

/** Oura is treated as down: no request was sent (`sent` false), or this one's failure opened the circuit or was a failed probe. */
export class OuraUnavailable extends OuraApiError {
  constructor(
    status: number,
    detail: string,
    /** When a request may be sent again (the next probe). */
    readonly retryAtMs: number,
    readonly sent: boolean,
  ) {
    super(status, detail);
    this.name = "OuraUnavailable";
    if (!sent) this.message = `not sent: ${detail}`;
  }
}

/** A request admitted by the breaker; its outcome is reported with the ticket. */
export interface Ticket {
  probe: boolean;
}

export class CircuitBreaker {
  readonly timings: CircuitTimings;
  #state: CircuitState = "closed";
  #since = 0;
  #consecutive = 0;
  #failuresTotal = 0;
  #openedTotal = 0;
  /** Failed probes in a row: the exponent of the back-off. */
  #level = 0;
  #probeAt = 0;
  #lastFailure: string | null = null;
  #lastFailureAt = 0;
  #recoveries = 0;

  constructor(
    timings: Partial<CircuitTimings> = {},
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.timings = { ...CIRCUIT_DEFAULTS, ...timings };
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** Times the circuit closed after being open: a loop that remembers the last value knows Oura came back. */
  get recoveries(): number {
    return this.#recoveries;
  }

  /** Whether a request would be admitted now (closed, or a probe is due and none is in flight); admits nothing. */
  ready(): boolean {
    return this.#state === "closed" || (this.#state === "open" && this.now() >= this.#probeAt);
  }

  /** When a request may be tried again: now when closed, the probe's time when open; while a probe is out, after the first back-off. */
  retryAt(): number {
    const now = this.now();
    if (this.#state === "closed") return now;
    if (this.#state === "open") return Math.max(now, this.#probeAt);
    return now + this.timings.probeAfterMs;
  }

  /** Admits a request (the probe, when one is due), or throws OuraUnavailable without anything being sent. */
  admit(): Ticket {
    if (this.#state === "closed") return { probe: false };
    if (this.#state === "open" && this.now() >= this.#probeAt) {
      this.#enter("half_open");
      return { probe: true };
    }
    throw this.refusal();
  }

  /** Throws OuraUnavailable unless a request would be admitted (checked before waiting for the budget). */
  check(): void {
    if (!this.ready()) throw this.refusal();
  }

  refusal(): OuraUnavailable {
    return new OuraUnavailable(503, this.#describe(), this.retryAt(), false);
  }

  /** Oura answered (any status but a 5xx): it is up. Closes the circuit whoever's request it was. */
  success(): void {
    this.#consecutive = 0;
    if (this.#state === "closed") return;
    const downForS = Math.round((this.now() - this.#since) / 1000);
    this.#level = 0;
    this.#recoveries++;
    this.#enter("closed");
    this.logger?.info("oura.circuit_closed", { down_for_s: downForS });
  }

  /**
   * A transient failure (5xx, or no answer). Returns the error to throw: `error` itself, or an OuraUnavailable when the
   * circuit is now open (this failure opened it, or a probe failed), so callers do not count it as an attempt.
   */
  failure(ticket: Ticket | undefined, error: OuraApiError): OuraApiError {
    const now = this.now();
    this.#consecutive++;
    this.#failuresTotal++;
    this.#lastFailure = error.message.slice(0, 300);
    this.#lastFailureAt = now;
    if (this.#state === "half_open" && ticket?.probe) {
      this.#level++;
      this.#open(now);
    } else if (this.#state === "closed" && this.#consecutive >= this.timings.failureThreshold) {
      this.#open(now);
      this.#openedTotal++;
      this.logger?.warn("oura.circuit_open", { failures: this.#consecutive, probe_in_s: (this.#probeAt - now) / 1000, error: this.#lastFailure });
    }
    if (this.#state === "closed") return error;
    return new OuraUnavailable(error.status, `${error.message} (${this.#describe()})`, this.retryAt(), true);
  }

  /** The probe ended without an answer either way (the caller gave up): the next request probes instead. */
  abandon(ticket: Ticket | undefined): void {
    if (ticket?.probe && this.#state === "half_open") {
      this.#state = "open";
      this.#probeAt = this.now();
    }
  }

  status(): CircuitStatus {
    const open = this.#state === "open";
    return {
      state: this.#state,
      since: this.#since ? new Date(this.#since).toISOString() : null,
      consecutive_failures: this.#consecutive,
      failures_total: this.#failuresTotal,
      opened_total: this.#openedTotal,
      next_probe_at: open ? new Date(this.#probeAt).toISOString() : null,
      last_failure: this.#lastFailure,
      last_failure_at: this.#lastFailureAt ? new Date(this.#lastFailureAt).toISOString() : null,
    };
  }

  #open(now: number): void {
    const delay = Math.min(this.timings.maxProbeAfterMs, this.timings.probeAfterMs * 2 ** this.#level);
    this.#probeAt = now + delay;
    // A failed probe keeps the time the outage began.
    if (this.#state === "closed") this.#enter("open");
    else this.#state = "open";
  }

  #enter(state: CircuitState): void {
    this.#state = state;
    if (state !== "half_open") this.#since = this.now();
  }

  #describe(): string {
    const since = new Date(this.#since).toISOString();
    return `Oura treated as down since ${since} after ${this.#consecutive} failures in a row; next try at ${new Date(this.retryAt()).toISOString()}`;
  }
}
