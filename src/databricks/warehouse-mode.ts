// STORAGE_BACKEND=warehouse, put together: the statement client, the Delta tables, the token mirror and its lease, the
// outbox shipper, and what happens at start-up on a disk that a redeploy emptied (tokens and recent history read back).
import type { WarehouseConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { type ShipperTimings, WarehouseShipper } from "../jobs/shipper.ts";
import type { MirroredAccountStore } from "../storage/accounts.ts";
import type { EventLog } from "../storage/event-log.ts";
import type { FetchQueue } from "../storage/fetch-queue.ts";
import type { Outbox, WarehouseDocument, WarehouseEvent } from "../storage/outbox.ts";
import type { Settings } from "../storage/settings.ts";
import { workspaceCredentials } from "./credentials.ts";
import { DeltaWarehouse, type DeltaRow } from "./delta-warehouse.ts";
import type { Clock } from "../time/clock.ts";
import { StatementClient, type StatementPolling } from "./statement-client.ts";
import { type LeaseTimings, TokenLease } from "./token-lease.ts";
import { MirroredAccounts } from "./token-mirror.ts";

const HISTORY_RESTORED_SETTING = "warehouse.history_restored_at";
const HISTORY_PENDING_SETTING = "warehouse.history_wanted_since";
const HISTORY_RETRY_MS = 30_000;
const TOKEN_RETRY_MS = 10_000;
/** How long start-up waits for the token rows on a disk that has none. */
const TOKEN_WAIT_MS = 15_000;

/** Waits for the promise, or `ms`, whichever comes first (the promise carries on). */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export interface WarehouseMode {
  warehouse: DeltaWarehouse;
  accounts: MirroredAccounts;
  shipper: WarehouseShipper;
  /** Which server sharing the token table may spend refresh tokens; `tokenLease.status()` is for /health. */
  tokenLease: TokenLease;
  /** Whether the token rows have been read back from Delta (until then, OURA_INITIAL_REFRESH_TOKEN waits). */
  tokensRestored(): boolean;
  /** Reads tokens (and, on a fresh store, recent history) back; retries the tokens in the background if it cannot. */
  start(onTokensRestored: () => Promise<void>): Promise<void>;
  /** Gives up every statement in flight at once (shutdown), so nothing waits on the warehouse. */
  interrupt(): void;
  stop(): Promise<void>;
}

/** Timings a test shortens (production defaults otherwise). */
export interface WarehouseTimings {
  tokenLease?: Partial<LeaseTimings>;
  /** After a failed read of history at start, how long until the next try (default 30 s). */
  historyRetryMs?: number;
  /** After a failed read of the token rows at start, how long until the next try (default 10 s). */
  tokenRetryMs?: number;
  /** How long a start on a disk without sign-ins waits for Delta's token rows (default 15 s, at most the statement timeout). */
  tokenWaitMs?: number;
  shipper?: ShipperTimings;
  /** How often the shipper's PENDING statements are asked about (statement-client.ts has the defaults). */
  statementPolling?: StatementPolling;
}

export function createWarehouseMode(parts: {
  config: WarehouseConfig;
  retentionDays: number;
  events: Pick<EventLog, "countEvents">;
  fetchQueue: Pick<FetchQueue, "requeueAwaitingLink">;
  settings: Settings;
  outbox: Outbox;
  localAccounts: MirroredAccountStore;
  logger: Logger;
  metrics: Metrics;
  fetch?: typeof fetch;
  now?: Clock;
  /** The token lease's timings (production defaults in token-lease.ts; tests shorten them). */
  lease?: Partial<LeaseTimings>;
  /** Retries of the start-up reads (production defaults above; tests shorten them). */
  retries?: Pick<WarehouseTimings, "historyRetryMs" | "tokenRetryMs" | "tokenWaitMs" | "shipper" | "statementPolling">;
}): WarehouseMode {
  const { config, outbox, logger } = parts;
  const historyRetryMs = parts.retries?.historyRetryMs ?? HISTORY_RETRY_MS;
  const tokenRetryMs = parts.retries?.tokenRetryMs ?? TOKEN_RETRY_MS;
  const credentials = workspaceCredentials(config.host, config.credentials, parts.fetch, parts.now);
  let shipper: WarehouseShipper | undefined;
  const client = new StatementClient({
    host: config.host,
    warehouseId: config.warehouseId,
    credentials,
    fetch: parts.fetch,
    deadlineMs: config.statementTimeoutMs,
    polling: parts.retries?.statementPolling,
    onRetry: (error) => shipper?.noteFailure(error),
    onPending: (waitedMs) => shipper?.notePending(waitedMs),
  });
  const warehouse = new DeltaWarehouse(client, config.tables, logger);
  // The lease has its own client: interrupt() gives up the statements in flight, but a graceful stop still releases it.
  const leaseClient = new StatementClient({ host: config.host, warehouseId: config.warehouseId, credentials, fetch: parts.fetch, deadlineMs: config.statementTimeoutMs });
  let accounts: MirroredAccounts | undefined;
  /** The token rows as Delta has them now, and the waiting events of users they make usable again. */
  const rereadTokens = async (): Promise<number> => {
    const installed = await accounts!.restore();
    for (const account of accounts!.list()) if (!account.needs_reauth) await parts.fetchQueue.requeueAwaitingLink(account.user_id);
    return installed;
  };
  const tokenLease = new TokenLease({
    client: leaseClient,
    table: config.tables.lease,
    logger,
    timings: parts.lease,
    busy: () => accounts!.busy(),
    onAcquired: async () => logger.info("warehouse.tokens_reread", { reason: "token lease taken", installed: await rereadTokens() }),
  });
  accounts = new MirroredAccounts(parts.localAccounts, warehouse, logger, tokenLease);
  shipper = new WarehouseShipper({ outbox, warehouse, logger, metrics: parts.metrics, now: parts.now, timings: parts.retries?.shipper });
  let tokensRestored = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let historyRetry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const restoreHistoryUntilDone = async (): Promise<void> => {
    try {
      await restoreHistory({ settings: parts.settings, outbox, warehouse, retentionDays: parts.retentionDays, logger });
    } catch (error) {
      logger.warn("warehouse.history_not_restored_yet", { error: (error as Error).message, effect: `retried in ${historyRetryMs / 1000} s; new events are kept and shipped meanwhile` });
      if (!stopped) historyRetry = setTimeout(() => void restoreHistoryUntilDone(), historyRetryMs);
    }
  };

  const restoreTokens = async (onRestored: () => Promise<void>): Promise<void> => {
    try {
      // The tables first (created, or given their missing columns); the tokens do not depend on them.
      if (!warehouse.prepared) await warehouse.prepare().catch((error) => shipper?.noteFailure(error));
      const installed = await rereadTokens();
      await accounts!.pushPending();
      tokensRestored = true;
      logger.info("warehouse.tokens_restored", { installed });
      // With no sign-in here or in Delta, the start may spend OURA_INITIAL_REFRESH_TOKEN: under the lease, like any
      // refresh (two servers started on one empty table would otherwise both spend it; the second now reads the first's).
      if (!accounts!.hasAny()) await tokenLease.use();
      await onRestored();
    } catch (error) {
      logger.warn("warehouse.tokens_not_restored", { error: (error as Error).message, effect: `retried every ${tokenRetryMs / 1000} s; Oura sign-ins kept in Delta are not used until then` });
      if (!stopped) retry = setTimeout(() => void restoreTokens(onRestored), tokenRetryMs);
    }
  };

  return {
    warehouse,
    accounts,
    shipper: shipper!,
    tokenLease,
    tokensRestored: () => tokensRestored,
    async start(onTokensRestored) {
      // Listening never waits for the warehouse: the history of an empty disk is read back in the background (its
      // events are marked as in Delta already, so they never enter the outbox, whatever arrives meanwhile).
      if (await historyWanted(parts)) void restoreHistoryUntilDone();
      const restoring = restoreTokens(onTokensRestored);
      // A disk without any sign-in (a redeploy) waits a little for Delta's, so the server comes up with its users
      // linked; with sign-ins here, start-up does not wait on Delta at all.
      if (!parts.localAccounts.hasAny()) await within(restoring, Math.min(parts.retries?.tokenWaitMs ?? TOKEN_WAIT_MS, config.statementTimeoutMs));
      shipper!.start();
      tokenLease.start();
    },
    interrupt() {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(historyRetry);
      tokenLease.interrupt();
      client.close();
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(historyRetry);
      tokenLease.interrupt();
      client.close();
      await shipper!.stop();
      // After the jobs: no refresh is under way any more, so the lease can be given back (unless Delta lacks a rotation).
      await tokenLease.stop();
      leaseClient.close();
    },
  };
}

/**
 * Whether to read history back: on a store that has never held an event (a redeploy's empty disk), or one whose
 * restore was interrupted (the intent is kept, so a restart carries on even though new events have arrived since).
 */
async function historyWanted({ events, settings }: { events: Pick<EventLog, "countEvents">; settings: Settings }): Promise<boolean> {
  if (await settings.getSetting(HISTORY_RESTORED_SETTING)) return false;
  if (await settings.getSetting(HISTORY_PENDING_SETTING)) return true;
  if ((await events.countEvents()) > 0) return false;
  await settings.ensureSetting(HISTORY_PENDING_SETTING, new Date().toISOString());
  return true;
}

/** The documents and events of the last RETENTION_DAYS (30 when retention is off), read back from Delta. */
async function restoreHistory(parts: { settings: Settings; outbox: Outbox; warehouse: DeltaWarehouse; retentionDays: number; logger: Logger }): Promise<void> {
  const { settings, outbox, warehouse, logger } = parts;
  const started = Date.now();
  const since = new Date(started - (parts.retentionDays > 0 ? parts.retentionDays : 30) * 86_400_000).toISOString();
  if (!warehouse.prepared) await warehouse.prepare();
  let documents = 0;
  for await (const page of warehouse.documentsSince(since)) documents += (await outbox.receiveFromWarehouse(page.map(toWarehouseDocument), [])).documents;
  let events = 0;
  let skipped = 0;
  for await (const page of warehouse.eventsSince(since)) {
    const usable = page.map(toWarehouseEvent).filter((event): event is WarehouseEvent => event !== undefined);
    skipped += page.length - usable.length;
    events += (await outbox.receiveFromWarehouse([], usable)).events;
  }
  await settings.ensureSetting(HISTORY_RESTORED_SETTING, new Date().toISOString());
  logger.info("warehouse.history_restored", { since, events, documents, skipped_rows_without_object_id: skipped, ms: Date.now() - started });
}

function toWarehouseDocument(row: DeltaRow): WarehouseDocument {
  return {
    user_id: row.user_id ?? "",
    data_type: row.data_type ?? "",
    document_id: row.document_id ?? "",
    day: row.day ?? null,
    payload: row.payload ?? null,
    deleted: row.deleted === "true",
    updated_at: row.updated_at ?? new Date().toISOString(),
  };
}

const EVENT_TYPES = new Set(["create", "update", "delete"]);

/** Rows the original product wrote (no object_id or event_time) cannot be fetched or told apart: not restored. */
function toWarehouseEvent(row: DeltaRow): WarehouseEvent | undefined {
  if (!row.user_id || !row.data_type || !row.object_id || !row.event_time || !row.received_at || !EVENT_TYPES.has(row.event_type ?? "")) return undefined;
  if (Number.isNaN(Date.parse(row.event_time))) return undefined;
  return {
    received_at: new Date(Date.parse(row.received_at)).toISOString(),
    source: row.source === "poll" ? "poll" : "webhook",
    event_type: row.event_type as WarehouseEvent["event_type"],
    data_type: row.data_type,
    object_id: row.object_id,
    event_time: row.event_time,
    user_id: row.user_id,
    payload: row.payload ?? "{}",
    document: row.document ?? null,
  };
}
