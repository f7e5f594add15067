// Warehouse mode: drains the outbox to Delta. Events in id order, one MERGE per batch, and the shipped id moved only
// after the warehouse said SUCCEEDED; then changed documents. A failure leaves everything queued and is retried on
// the next run; ingest never waits for any of this.
import type { DeltaWarehouse } from "../databricks/delta-warehouse.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Outbox } from "../storage/outbox.ts";
import { PeriodicJob } from "./periodic.ts";

/**
 * Rows per MERGE, and the most JSON one may carry (a statement and its parameters stay far below 16 MiB). Draining is
 * bound by the warehouse's latency per statement, so bigger batches drain faster: at 200 ms a statement, 1,000 rows
 * drain 3,700 events/s and 2,000 rows 7,100 (bench/warehouse.ts).
 */
export const SHIP_BATCH_ROWS = 2000;

export interface ShipperTimings {
  intervalMs?: number;
  retryBaseMs?: number;
  /** How long a statement stays PENDING before the warehouse is said to be starting rather than busy (default 3 s). */
  pendingIsWaitingMs?: number;
}
const SHIP_BATCH_BYTES = 4 * 1024 * 1024;
const SHIP_INTERVAL_MS = 1000;
/** After a failure the next attempt waits 1 s, then 2, 4 … up to a minute (a broken grant is not asked about every second). */
const MAX_RETRY_DELAY_MS = 60_000;
const PENDING_IS_WAITING_MS = 3000;
const BATCHES_PER_RUN = 5;

export interface ShipperStatus {
  /**
   * idle: nothing shipped since start (nothing to ship); ok: the last attempt succeeded; waiting: a statement is pending
   * (the warehouse is starting); failing: the last attempt failed (see last_error).
   */
  state: "idle" | "ok" | "waiting" | "failing";
  /** While waiting: since when. */
  waiting_since: string | null;
  pending_events: number;
  pending_documents: number;
  pending_heart_rate_samples: number;
  oldest_pending_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  shipped_events: number;
  shipped_documents: number;
}

export class WarehouseShipper {
  readonly #job: PeriodicJob;
  #lastSuccessAt: string | null = null;
  #lastError: string | null = null;
  #lastErrorAt: string | null = null;
  #failing = false;
  #shippedEvents = 0;
  #shippedDocuments = 0;
  #stopping = false;
  #failures = 0;
  #waitingSinceMs: number | undefined;
  #nextAttemptAtMs = 0;

  constructor(
    private readonly parts: {
      outbox: Outbox;
      warehouse: DeltaWarehouse;
      logger: Logger;
      metrics: Metrics;
      batchRows?: number;
      now?: () => number;
      /** How often the outbox is looked at (default 1 s), and the first retry delay after a failure (default 1 s, doubling to 60 s). */
      timings?: ShipperTimings;
    },
  ) {
    this.#job = new PeriodicJob("warehouse.ship", () => this.#run(), parts.logger);
    const { metrics } = parts;
    metrics.gauge("oura_outbox_events_pending", "Events not yet shipped to the warehouse.", () => this.parts.outbox.outboxStatus().events);
    metrics.gauge("oura_outbox_documents_pending", "Documents whose latest version is not yet shipped to the warehouse.", () => this.parts.outbox.outboxStatus().documents);
    metrics.gauge("oura_outbox_heart_rate_samples_pending", "Heart-rate samples not yet shipped to the warehouse.", () => this.parts.outbox.outboxStatus().heart_rate);
    metrics.gauge("oura_outbox_oldest_pending_seconds", "Age of the oldest row waiting to be shipped (0 when none).", () => {
      const oldest = this.parts.outbox.outboxStatus().oldest_pending_at;
      return oldest ? Math.max(0, (this.#now() - Date.parse(oldest)) / 1000) : 0;
    });
    metrics.gauge("oura_warehouse_last_success_timestamp_seconds", "When the warehouse last accepted a batch (0: never since start).", () =>
      this.#lastSuccessAt ? Date.parse(this.#lastSuccessAt) / 1000 : 0,
    );
    metrics.gauge("oura_warehouse_shipped_events_total", "Events shipped to the warehouse since start.", () => this.#shippedEvents);
    metrics.gauge("oura_warehouse_failing", "1 while the last attempt to ship failed.", () => (this.#failing ? 1 : 0));
  }

  #now(): number {
    return (this.parts.now ?? Date.now)();
  }

  start(): void {
    this.#stopping = false;
    this.#job.start(this.parts.timings?.intervalMs ?? SHIP_INTERVAL_MS, { immediately: true });
  }

  /** Ship now (tests, and after a burst). */
  tick(): Promise<void> {
    return this.#job.tick();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#job.stop();
  }

  status(): ShipperStatus {
    const outbox = this.parts.outbox.outboxStatus();
    return {
      state: this.#failing ? "failing" : this.#waitingSinceMs !== undefined ? "waiting" : this.#lastSuccessAt ? "ok" : "idle",
      waiting_since: this.#waitingSinceMs !== undefined ? new Date(this.#waitingSinceMs).toISOString() : null,
      pending_events: outbox.events,
      pending_documents: outbox.documents,
      pending_heart_rate_samples: outbox.heart_rate,
      oldest_pending_at: outbox.oldest_pending_at,
      last_success_at: this.#lastSuccessAt,
      last_error: this.#lastError,
      last_error_at: this.#lastErrorAt,
      shipped_events: this.#shippedEvents,
      shipped_documents: this.#shippedDocuments,
    };
  }

  async #run(): Promise<void> {
    const { outbox, warehouse } = this.parts;
    const rows = this.parts.batchRows ?? SHIP_BATCH_ROWS;
    if (this.#now() < this.#nextAttemptAtMs) return;
    // Nothing to ship: no statement at all, so an idle server never keeps a warehouse from stopping.
    if (outbox.pendingEvents(1).length === 0 && outbox.pendingDocuments(1).length === 0 && outbox.pendingHeartRate(1).length === 0) return;
    try {
      if (!warehouse.prepared) await warehouse.prepare();
      // A bounded number of batches of each kind per run, so a stream of events never starves documents.
      for (let i = 0, batch = eventBatch(outbox, rows); i < BATCHES_PER_RUN && batch.length > 0 && !this.#stopping; i++, batch = eventBatch(outbox, rows)) {
        await warehouse.shipEvents(batch);
        this.#succeeded();
        await outbox.markEventsShipped(batch[batch.length - 1]!.id);
        this.#shippedEvents += batch.length;
      }
      for (let i = 0, batch = documentBatch(outbox, rows); i < BATCHES_PER_RUN && batch.length > 0 && !this.#stopping; i++, batch = documentBatch(outbox, rows)) {
        await warehouse.shipDocuments(batch);
        this.#succeeded();
        await outbox.markDocumentsShipped(batch);
        this.#shippedDocuments += batch.length;
      }
      for (let i = 0, batch = outbox.pendingHeartRate(rows * 5); i < BATCHES_PER_RUN && batch.length > 0 && !this.#stopping; i++, batch = outbox.pendingHeartRate(rows * 5)) {
        await warehouse.shipHeartRate(batch);
        this.#succeeded();
        await outbox.markHeartRateShipped(batch);
      }
      // More waiting: run again at once rather than a second later.
      if (!this.#stopping && (outbox.pendingEvents(1).length > 0 || outbox.pendingDocuments(1).length > 0 || outbox.pendingHeartRate(1).length > 0)) this.#job.wake();
    } catch (error) {
      if (this.#stopping) return;
      this.noteFailure(error);
      this.#failures++;
      this.#nextAttemptAtMs = this.#now() + Math.min(MAX_RETRY_DELAY_MS, (this.parts.timings?.retryBaseMs ?? 1000) * 2 ** (this.#failures - 1));
    }
  }

  /** A statement has been pending this long: the warehouse is starting (a cold start), or stopped without auto-start. */
  notePending(waitedMs: number): void {
    // A moment of PENDING is a busy warehouse, not a stopped one.
    if (this.#waitingSinceMs !== undefined || waitedMs < (this.parts.timings?.pendingIsWaitingMs ?? PENDING_IS_WAITING_MS)) return;
    this.#waitingSinceMs = this.#now() - waitedMs;
    this.parts.logger.info("warehouse.waiting", { reason: "the warehouse has not started the statement yet (starting from cold?)", pending_events: this.parts.outbox.outboxStatus().events });
  }

  /** A failed attempt (also one the statement client is about to retry): status and one log line per distinct failure. */
  noteFailure(error: unknown): void {
    this.#waitingSinceMs = undefined;
    const message = error instanceof Error ? error.message : String(error);
    const first = !this.#failing || message !== this.#lastError;
    this.#failing = true;
    this.#lastError = message;
    this.#lastErrorAt = new Date(this.#now()).toISOString();
    if (first) this.parts.logger.warn("warehouse.ship_failed", { error: message, pending_events: this.parts.outbox.outboxStatus().events, effect: "kept in the outbox and retried" });
  }

  #succeeded(): void {
    this.#waitingSinceMs = undefined;
    if (this.#failing) this.parts.logger.info("warehouse.ship_recovered", { pending_events: this.parts.outbox.outboxStatus().events });
    this.#failing = false;
    this.#failures = 0;
    this.#nextAttemptAtMs = 0;
    this.#lastSuccessAt = new Date(this.#now()).toISOString();
  }
}

const eventBatch = (outbox: Outbox, rows: number) => fitBytes(outbox.pendingEvents(rows), (e) => e.notification.length + (e.document?.length ?? 0));
const documentBatch = (outbox: Outbox, rows: number) => fitBytes(outbox.pendingDocuments(rows), (d) => d.payload?.length ?? 0);

/** The longest prefix of the batch whose JSON stays under the byte cap (at least one row). */
function fitBytes<T>(items: T[], size: (item: T) => number): T[] {
  let bytes = 0;
  for (let i = 0; i < items.length; i++) {
    bytes += size(items[i]!) + 200;
    if (bytes > SHIP_BATCH_BYTES && i > 0) return items.slice(0, i);
  }
  return items;
}
