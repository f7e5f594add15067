// STORAGE_BACKEND=warehouse, put together: the statement client, the Delta tables, the token mirror, the outbox
// shipper, and what happens at start-up on a disk that a redeploy emptied (tokens and recent history read back).
import type { WarehouseConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { WarehouseShipper } from "../jobs/shipper.ts";
import type { AccountStore } from "../storage/sqlite/account-store.ts";
import type { FetchQueue, Outbox, EventLog, Settings, WarehouseDocument, WarehouseEvent } from "../storage/store.ts";
import { workspaceCredentials } from "./credentials.ts";
import { DeltaWarehouse, type DeltaRow } from "./delta-warehouse.ts";
import { StatementClient } from "./statement-client.ts";
import { MirroredAccounts } from "./token-mirror.ts";

const HISTORY_RESTORED_SETTING = "warehouse.history_restored_at";
/** How long start-up waits for the warehouse to read history back before listening without it (at most WAREHOUSE_STATEMENT_TIMEOUT_SECONDS). */
const STARTUP_DEADLINE_MS = 60_000;
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
  /** Whether the token rows have been read back from Delta (until then, OURA_INITIAL_REFRESH_TOKEN waits). */
  tokensRestored(): boolean;
  /** Reads tokens (and, on a fresh store, recent history) back; retries the tokens in the background if it cannot. */
  start(onTokensRestored: () => Promise<void>): Promise<void>;
  /** Gives up every statement in flight at once (shutdown), so nothing waits on the warehouse. */
  interrupt(): void;
  stop(): Promise<void>;
}

export function createWarehouseMode(parts: {
  config: WarehouseConfig;
  retentionDays: number;
  store: EventLog & FetchQueue & Settings;
  outbox: Outbox;
  localAccounts: AccountStore;
  logger: Logger;
  metrics: Metrics;
  fetch?: typeof fetch;
}): WarehouseMode {
  const { config, store, outbox, logger } = parts;
  const credentials = workspaceCredentials(config.host, config.credentials, parts.fetch);
  let shipper: WarehouseShipper | undefined;
  const client = new StatementClient({
    host: config.host,
    warehouseId: config.warehouseId,
    credentials,
    fetch: parts.fetch,
    deadlineMs: config.statementTimeoutMs,
    onRetry: (error) => shipper?.noteFailure(error),
  });
  const warehouse = new DeltaWarehouse(client, config.tables, logger);
  const accounts = new MirroredAccounts(parts.localAccounts, warehouse, logger);
  shipper = new WarehouseShipper({ outbox, warehouse, logger, metrics: parts.metrics });
  let tokensRestored = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const restoreTokens = async (onRestored: () => Promise<void>): Promise<void> => {
    try {
      // The tables first (created, or given their missing columns); the tokens do not depend on them.
      if (!warehouse.prepared) await warehouse.prepare().catch((error) => shipper?.noteFailure(error));
      const installed = await accounts.restore();
      for (const account of accounts.list()) if (!account.needs_reauth) await store.requeueAwaitingLink(account.user_id);
      await accounts.pushPending();
      tokensRestored = true;
      logger.info("warehouse.tokens_restored", { installed });
      await onRestored();
    } catch (error) {
      logger.warn("warehouse.tokens_not_restored", { error: (error as Error).message, effect: `retried every ${TOKEN_RETRY_MS / 1000} s; Oura sign-ins kept in Delta are not used until then` });
      if (!stopped) retry = setTimeout(() => void restoreTokens(onRestored), TOKEN_RETRY_MS);
    }
  };

  return {
    warehouse,
    accounts,
    shipper: shipper!,
    tokensRestored: () => tokensRestored,
    async start(onTokensRestored) {
      let historyFailed = false;
      try {
        // Its own client: each statement of the restore is bounded by the start-up deadline, not the shipper's.
        const startupClient = new StatementClient({ host: config.host, warehouseId: config.warehouseId, credentials, fetch: parts.fetch, deadlineMs: Math.min(STARTUP_DEADLINE_MS, config.statementTimeoutMs) });
        await restoreHistory({ store, outbox, warehouse: new DeltaWarehouse(startupClient, config.tables, logger), retentionDays: parts.retentionDays, logger });
      } catch (error) {
        historyFailed = true;
        logger.warn("warehouse.history_not_restored", { error: (error as Error).message, effect: "the dashboard shows events received from now on; Delta keeps the rest" });
      }
      const restoring = restoreTokens(onTokensRestored);
      // A disk without any sign-in (a redeploy) waits a little for Delta's, so the server comes up with its users
      // linked; with sign-ins here, or a warehouse that just proved unreachable, start-up does not wait on Delta.
      if (!historyFailed && !parts.localAccounts.hasAny()) await within(restoring, TOKEN_WAIT_MS);
      shipper!.start();
    },
    interrupt() {
      stopped = true;
      clearTimeout(retry);
      client.close();
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      client.close();
      await shipper!.stop();
    },
  };
}

/**
 * On a store that has never held an event (a redeploy's empty disk), reads back the documents and events of the last
 * RETENTION_DAYS (30 when retention is off) from Delta. Runs before the server listens: nothing else writes meanwhile.
 */
async function restoreHistory(parts: { store: EventLog & Settings; outbox: Outbox; warehouse: DeltaWarehouse; retentionDays: number; logger: Logger }): Promise<void> {
  const { store, outbox, warehouse, logger } = parts;
  if ((await store.countEvents()) > 0 || (await store.getSetting(HISTORY_RESTORED_SETTING))) return;
  const started = Date.now();
  const since = new Date(started - (parts.retentionDays > 0 ? parts.retentionDays : 30) * 86_400_000).toISOString();
  await warehouse.prepare();
  let documents = 0;
  for await (const page of warehouse.documentsSince(since)) documents += (await outbox.receiveFromWarehouse(page.map(toWarehouseDocument), [])).documents;
  let events = 0;
  let skipped = 0;
  for await (const page of warehouse.eventsSince(since)) {
    const usable = page.map(toWarehouseEvent).filter((event): event is WarehouseEvent => event !== undefined);
    skipped += page.length - usable.length;
    events += (await outbox.receiveFromWarehouse([], usable)).events;
  }
  await store.ensureSetting(HISTORY_RESTORED_SETTING, new Date().toISOString());
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
