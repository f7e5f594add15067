// One budget of Oura API requests per application, shared by the document fetcher, the poller and backfills: at most
// `limit` requests per window (Oura's documented 5,000 per 5 minutes by default). Webhook-triggered fetches go first;
// polls may fill 90% of a window and backfills 70%, so a backfill never takes the requests a fetch needs. A 429's
// Retry-After, or X-RateLimit-Remaining 0 with X-RateLimit-Reset, pauses everyone until Oura says so.
export type RequestPriority = "fetch" | "poll" | "backfill";

const ORDER: RequestPriority[] = ["fetch", "poll", "backfill"];
const SHARE: Record<RequestPriority, number> = { fetch: 1, poll: 0.9, backfill: 0.7 };

interface Waiter {
  priority: RequestPriority;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface BudgetStatus {
  limit: number;
  window_seconds: number;
  used_in_window: number;
  paused_until: string | null;
  waiting: Record<RequestPriority, number>;
  requests_total: number;
}

/** A request given up unsent because the budget was closed (the server is stopping): no attempt was made. */
export class BudgetClosed extends Error {
  override name = "BudgetClosed";
}

export class RequestBudget {
  /** Send times within the current window, oldest first. */
  #sent: number[] = [];
  #pausedUntil = 0;
  #waiters: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #total = 0;
  #closed: Error | undefined;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when a request of this priority may be sent (and counts it); rejects if `signal` aborts first. */
  acquire(priority: RequestPriority, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { priority, resolve, reject };
      this.#waiters.push(waiter);
      signal?.addEventListener(
        "abort",
        () => {
          const at = this.#waiters.indexOf(waiter);
          if (at >= 0) this.#waiters.splice(at, 1);
          reject(signal.reason);
        },
        { once: true },
      );
      this.#pump();
    });
  }

  /** Oura said to wait (429 Retry-After, or no requests left until X-RateLimit-Reset). */
  pauseUntil(atMs: number): void {
    if (atMs <= this.#pausedUntil) return;
    this.#pausedUntil = atMs;
    this.#schedule(atMs - this.now());
  }

  /** Reads Oura's rate-limit headers from any answer. */
  observe(headers: Headers, status: number): void {
    const retryAfter = Number(headers.get("retry-after"));
    if (status === 429) this.pauseUntil(this.now() + Math.max(1, Number.isFinite(retryAfter) ? retryAfter : 60) * 1000);
    const remaining = headers.get("x-ratelimit-remaining");
    const reset = Number(headers.get("x-ratelimit-reset"));
    if (remaining !== null && Number(remaining) <= 0 && Number.isFinite(reset) && reset > 0) {
      // Unix seconds, or (some proxies) seconds from now.
      this.pauseUntil(reset > 1e9 ? reset * 1000 : this.now() + reset * 1000);
    }
  }

  status(): BudgetStatus {
    this.#forgetOld();
    const waiting = { fetch: 0, poll: 0, backfill: 0 };
    for (const waiter of this.#waiters) waiting[waiter.priority]++;
    return {
      limit: this.limit,
      window_seconds: this.windowMs / 1000,
      used_in_window: this.#sent.length,
      paused_until: this.#pausedUntil > this.now() ? new Date(this.#pausedUntil).toISOString() : null,
      waiting,
      requests_total: this.#total,
    };
  }

  /** Rejects everyone still waiting, and every later request (shutdown: nobody waits minutes for a window). */
  close(reason: Error = new BudgetClosed("the request budget is closed")): void {
    this.#closed = reason;
    clearTimeout(this.#timer);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(reason);
  }

  #forgetOld(): void {
    const since = this.now() - this.windowMs;
    let drop = 0;
    while (drop < this.#sent.length && this.#sent[drop]! <= since) drop++;
    if (drop > 0) this.#sent.splice(0, drop);
  }

  #pump(): void {
    const now = this.now();
    if (now < this.#pausedUntil) return this.#schedule(this.#pausedUntil - now);
    this.#forgetOld();
    // Highest priority first; a waiter never overtakes one of a higher priority.
    this.#waiters.sort((a, b) => ORDER.indexOf(a.priority) - ORDER.indexOf(b.priority));
    while (this.#waiters.length > 0) {
      const next = this.#waiters[0]!;
      if (this.#sent.length >= Math.max(1, Math.floor(this.limit * SHARE[next.priority]))) break;
      this.#waiters.shift();
      this.#sent.push(now);
      this.#total++;
      next.resolve();
    }
    if (this.#waiters.length > 0 && this.#sent.length > 0) this.#schedule(this.#sent[0]! + this.windowMs - now + 1);
  }

  #schedule(inMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#pump(), Math.max(1, inMs));
    this.#timer.unref?.();
  }
}
