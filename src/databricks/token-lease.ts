// The token lease: among servers sharing one Delta token table, only the holder spends Oura refresh tokens (they are
// single-use). A row of `<DELTA_TABLE>_lease`, claimed on demand by one conditional MERGE timed by the warehouse's clock
// and read back; renewed while it is used; given back when idle or at a graceful stop. A server that finds another
// holder waits for it (its refreshes stay pending), and re-reads the token rows from Delta whenever it takes the lease.
import { hostname } from "node:os";
import type { Logger } from "../log.ts";
import { PeriodicJob } from "../jobs/periodic.ts";
import { createTable, LEASE_COLUMNS, mergeLease, releaseLease, selectLease } from "./sql.ts";
import type { DeltaTableName } from "./settings.ts";
import { records, type StatementClient } from "./statement-client.ts";

export interface LeaseTimings {
  /** How long a claim or renewal holds, measured by the warehouse. */
  ttlMs: number;
  /** How often the holder renews while it uses the lease (a third of the TTL: two renewals may fail before it lapses). */
  renewEveryMs: number;
  /**
   * How long the holder keeps the lease after its last refresh before giving it back. Holding it idle would mean a
   * statement every renewal, day and night, and a SQL warehouse that never stops: an idle server sends none.
   */
  idleReleaseMs: number;
  /** How often a server waiting for the lease asks again (sooner when the holder's lease ends sooner). */
  retryEveryMs: number;
  /** How long a refresh waits for the lease before that attempt fails (its job retries it later). */
  maxWaitMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { ttlMs: 60_000, renewEveryMs: 20_000, idleReleaseMs: 60_000, retryEveryMs: 10_000, maxWaitMs: 10 * 60_000 };

export interface LeaseHolder {
  holder_id: string;
  host: string;
  pid: number;
}

export interface TokenLeaseStatus {
  /**
   * held: this server may spend refresh tokens; elsewhere: another server holds the lease, refreshes here wait for it;
   * free: nobody holds it (taken when a refresh needs it); unknown: not asked yet, or the warehouse did not answer.
   */
  state: "held" | "elsewhere" | "free" | "unknown";
  /** This server as it signs the lease row (holder_id is random per process). */
  this_server: LeaseHolder;
  /** Who holds it (held, elsewhere), or held it last (free); null when never read. */
  holder: LeaseHolder | null;
  /** When that holder's lease ends unless renewed (the warehouse's clock); null when never read. */
  expires_at: string | null;
  /** Refreshes of this server waiting for the lease, and since when. */
  waiting_refreshes: number;
  waiting_since: string | null;
  /** When the lease row was last read (the warehouse's clock). */
  checked_at: string | null;
  last_error: string | null;
}

/** No lease now: the refresh is to be tried later (not a refused token; the user keeps their sign-in). */
export class TokenLeaseUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TokenLeaseUnavailable";
  }
}

const LEASE_NAME = "oura-refresh-tokens";

export const describeHolder = (holder: LeaseHolder) => `pid ${holder.pid} on ${holder.host} (${holder.holder_id.slice(0, 8)})`;

export class TokenLease {
  readonly me: LeaseHolder;
  readonly #timings: LeaseTimings;
  readonly #now: () => number;
  readonly #job: PeriodicJob;
  readonly #stopping = new AbortController();
  #state: TokenLeaseStatus["state"] = "unknown";
  #holder: LeaseHolder | null = null;
  #expiresAt: string | null = null;
  #checkedAt: string | null = null;
  #lastError: string | null = null;
  /** Local (monotonic) time before which the lease is surely ours. */
  #heldUntil = 0;
  /** Counts the times this server took the lease; the token rows were re-read for the current one when `#synced` equals it. */
  #epoch = 0;
  #synced = -1;
  #lastUseAt = Number.NEGATIVE_INFINITY;
  #waiting = 0;
  #waitingSince: string | null = null;
  #claiming: Promise<void> | undefined;
  #releasing: Promise<void> | undefined;
  #syncing: Promise<void> | undefined;
  #tablePrepared = false;
  #reportedHolder: string | undefined;

  constructor(
    private readonly parts: {
      client: StatementClient;
      table: DeltaTableName;
      logger: Logger;
      /** Re-reads the token rows from Delta: run each time the lease is taken, before any refresh under it. */
      onAcquired: () => Promise<void>;
      /** Whether a refresh is under way or Delta lacks one of this server's rotations: the lease is then kept. */
      busy?: () => boolean;
      timings?: Partial<LeaseTimings>;
      /** Local monotonic clock (ms); the lease's own times are the warehouse's. */
      now?: () => number;
      identity?: Partial<LeaseHolder>;
    },
  ) {
    this.#timings = { ...DEFAULT_LEASE_TIMINGS, ...parts.timings };
    this.#now = parts.now ?? (() => performance.now());
    this.me = { holder_id: parts.identity?.holder_id ?? crypto.randomUUID(), host: parts.identity?.host ?? hostname(), pid: parts.identity?.pid ?? process.pid };
    this.#job = new PeriodicJob("warehouse.token_lease", () => this.tick(), parts.logger);
  }

  /** Starts the renewals (a tick while the lease is not held sends nothing). */
  start(): void {
    this.#job.start(this.#timings.renewEveryMs);
  }

  /**
   * Resolves once this server holds the lease with at least a third of its TTL left and has re-read the token rows
   * since taking it. While another server holds it, waits (asking again every retryEveryMs, or when that lease ends).
   * Throws TokenLeaseUnavailable after maxWaitMs or at shutdown, a WarehouseError when the warehouse cannot be asked.
   */
  async use(): Promise<void> {
    const { ttlMs, retryEveryMs, maxWaitMs } = this.#timings;
    const deadline = this.#now() + maxWaitMs;
    this.#lastUseAt = this.#now();
    let waiting = false;
    try {
      for (;;) {
        if (this.#stopping.signal.aborted) throw new TokenLeaseUnavailable("the server is stopping");
        if (this.#releasing) {
          // A release already sent must land before a claim: the warehouse could otherwise run them the other way round.
          await this.#releasing;
          continue;
        }
        if (this.#holds(ttlMs / 3)) {
          if (this.#synced === this.#epoch) return;
          await this.#sync();
          continue;
        }
        await this.#claim();
        if (this.#holds(ttlMs / 3)) continue;
        const left = deadline - this.#now();
        if (left <= 0) throw new TokenLeaseUnavailable(`the Oura token lease is held by ${this.#holderText()}; refreshes wait for it`);
        if (!waiting) {
          waiting = true;
          if (this.#waiting++ === 0) this.#waitingSince = new Date().toISOString();
        }
        await this.#pause(Math.max(10, Math.min(retryEveryMs, this.#holderLeftMs() + 20, left)));
      }
    } finally {
      if (waiting && --this.#waiting === 0) this.#waitingSince = null;
      this.#lastUseAt = this.#now();
    }
  }

  /** Renews the lease while it is used, and gives it back once idle; sends nothing when this server does not hold it. */
  async tick(): Promise<void> {
    if (this.#stopping.signal.aborted || this.#state !== "held") return;
    const idle = this.#now() - this.#lastUseAt >= this.#timings.idleReleaseMs && this.#waiting === 0 && !this.parts.busy?.();
    if (idle) await this.release("idle");
    else await this.#claim().catch(() => undefined);
  }

  /**
   * Gives the lease back (when idle, or at a graceful stop) — unless a refresh is under way or Delta lacks one of this
   * server's rotations: another server taking over would then read a spent refresh token. It then ends by its TTL.
   */
  async release(reason: "idle" | "stop"): Promise<void> {
    if (this.#state !== "held" || this.#releasing) return this.#releasing;
    if (this.parts.busy?.()) {
      if (reason === "stop") this.parts.logger.warn("warehouse.token_lease_kept", { until: this.#expiresAt, effect: "a rotation is not in Delta yet; the lease ends by itself, and this server's next start pushes the rotation" });
      return;
    }
    // From here on a refresh claims the lease again, after this release has landed.
    this.#heldUntil = 0;
    this.#releasing = (async () => {
      await this.#claiming?.catch(() => undefined);
      try {
        await this.parts.client.execute(releaseLease(this.parts.table, LEASE_NAME, this.me.holder_id), { deadlineMs: Math.min(this.#timings.ttlMs, 10_000) });
        this.#state = "free";
        this.#heldUntil = 0;
        this.#expiresAt = this.#checkedAt = new Date().toISOString();
        this.parts.logger.info("warehouse.token_lease_released", { reason });
      } catch (error) {
        this.#state = "unknown";
        this.#lastError = (error as Error).message;
        this.parts.logger.warn("warehouse.token_lease_not_released", { reason, error: this.#lastError, effect: `it ends by itself at ${this.#expiresAt}` });
      }
    })().finally(() => (this.#releasing = undefined));
    return this.#releasing;
  }

  /** No new use; refreshes waiting for the lease give up (their jobs try again after the next start). */
  interrupt(): void {
    this.#stopping.abort();
  }

  /** Stops renewing and gives the lease back if nothing needs it. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#job.stop();
    await this.#claiming?.catch(() => undefined);
    await this.release("stop");
  }

  status(): TokenLeaseStatus {
    const held = this.#state === "held" && !this.#holds(0) ? "unknown" : this.#state;
    return {
      state: held,
      this_server: this.me,
      holder: this.#holder,
      expires_at: this.#expiresAt,
      waiting_refreshes: this.#waiting,
      waiting_since: this.#waitingSince,
      checked_at: this.#checkedAt,
      last_error: this.#lastError,
    };
  }

  #holds(marginMs: number): boolean {
    return this.#state === "held" && this.#heldUntil - this.#now() > marginMs;
  }

  #holderLeftMs(): number {
    return this.#expiresAt && this.#checkedAt ? Math.max(0, Date.parse(this.#expiresAt) - Date.parse(this.#checkedAt)) : this.#timings.retryEveryMs;
  }

  #holderText(): string {
    return this.#holder ? `${describeHolder(this.#holder)} until ${this.#expiresAt}` : "another server";
  }

  /** One claim at a time, shared by every caller (renewals and waiting refreshes). */
  #claim(): Promise<void> {
    this.#claiming ??= this.#claimOnce().finally(() => (this.#claiming = undefined));
    return this.#claiming;
  }

  async #claimOnce(): Promise<void> {
    const { client, table } = this.parts;
    const sentAt = this.#now();
    let row: Record<string, string | null> | undefined;
    try {
      if (!this.#tablePrepared) {
        await client.execute(createTable(table, LEASE_COLUMNS, "Which oura-streaming server may spend Oura refresh tokens, until when"));
        this.#tablePrepared = true;
      }
      await client.execute(mergeLease(table, { name: LEASE_NAME, holder: this.me.holder_id, host: this.me.host, pid: this.me.pid, ttlMs: this.#timings.ttlMs }));
      row = records(await client.execute(selectLease(table, LEASE_NAME)))[0];
      if (!row?.holder || !row.expires_at || !row.now) throw new Error(`the lease row of ${table.quoted} was not found after claiming it`);
    } catch (error) {
      this.#lastError = (error as Error).message;
      if (!this.#holds(0)) this.#state = "unknown";
      throw error;
    }
    this.#lastError = null;
    this.#observe(row, sentAt);
  }

  /** What the read-back says. A lease's remaining time is measured on the warehouse's clock and counted from before the claim was sent. */
  #observe(row: Record<string, string | null>, sentAt: number): void {
    const holder: LeaseHolder = { holder_id: row.holder!, host: row.host ?? "?", pid: Number(row.pid ?? 0) };
    const remainingMs = Date.parse(row.expires_at!) - Date.parse(row.now!);
    const previous = this.#holder;
    const wasHeld = this.#holds(0);
    this.#holder = holder;
    this.#expiresAt = row.expires_at!;
    this.#checkedAt = row.now!;
    if (holder.holder_id === this.me.holder_id && remainingMs > 0) {
      this.#heldUntil = sentAt + remainingMs;
      this.#state = "held";
      this.#reportedHolder = undefined;
      if (!wasHeld) {
        this.#epoch++;
        const takenOver = previous && previous.holder_id !== this.me.holder_id ? { previous_holder: describeHolder(previous) } : {};
        this.parts.logger.info("warehouse.token_lease_acquired", { until: row.expires_at, ...takenOver });
      }
      return;
    }
    this.#heldUntil = 0;
    this.#state = remainingMs > 0 ? "elsewhere" : "free";
    if (wasHeld) this.parts.logger.warn("warehouse.token_lease_lost", { holder: describeHolder(holder), until: row.expires_at });
    if (this.#state === "elsewhere" && this.#reportedHolder !== holder.holder_id) {
      this.#reportedHolder = holder.holder_id;
      this.parts.logger.warn("warehouse.token_lease_held_elsewhere", {
        holder: describeHolder(holder),
        until: row.expires_at,
        effect: "another server shares this Delta token table and spends its refresh tokens; this one receives, stores and ships as usual, and its refreshes wait until it holds the lease",
      });
    }
  }

  /** Re-reads the token rows for the lease taken last (one run at a time; a lease lost meanwhile needs another). */
  #sync(): Promise<void> {
    this.#syncing ??= (async () => {
      const epoch = this.#epoch;
      await this.parts.onAcquired();
      if (this.#epoch === epoch && this.#holds(0)) this.#synced = epoch;
    })().finally(() => (this.#syncing = undefined));
    return this.#syncing;
  }

  /** Waits `ms`, or less if the server stops. */
  #pause(ms: number): Promise<void> {
    const signal = this.#stopping.signal;
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
