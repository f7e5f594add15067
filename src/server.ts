// Wires config to storage, crypto, the app and Bun.serve; returns a handle that shuts everything down in order.
import type { Server } from "bun";
import { createApp } from "./app.ts";
import type { Config } from "./config.ts";
import type { AppDeps, WebSocketData } from "./deps.ts";
import type { Logger } from "./log.ts";
import { createSignatureVerifier } from "./oura/signature.ts";
import { createBunBroadcaster } from "./realtime/broadcaster.ts";
import { createCommitListeners } from "./realtime/committed.ts";
import { IngestPressure } from "./realtime/ingest-pressure.ts";
import { usualStartDay } from "./views/metrics.ts";
import { createRenderCache } from "./views/render-cache.ts";
import { chosenName } from "./views/names.ts";
import { measured } from "./routes/metrics.ts";
import { createWebSocketHandler } from "./routes/realtime.ts";
import { createWebhookReceiver } from "./routes/webhook-receiver.ts";
import { openSqliteStorage, type SqliteStorage } from "./storage/sqlite/sqlite-storage.ts";
import type { Settings } from "./storage/settings.ts";
import { VERSION } from "./version.ts";
import { loadServerKeys } from "./auth/keys.ts";
import { createTokenCipher } from "./auth/token-cipher.ts";
import { linkInitialRefreshToken } from "./auth/account-link.ts";
import { RetentionPruner } from "./jobs/pruner.ts";
import { SubscriptionRenewer } from "./jobs/renewer.ts";
import { Metrics } from "./metrics.ts";
import { PeriodicJob } from "./jobs/periodic.ts";
import { AccountStore } from "./storage/sqlite/account-store.ts";
import { SessionStore } from "./storage/sqlite/session-store.ts";
import { InvitationStore } from "./storage/sqlite/invitation-store.ts";
import { createBearerGuard } from "./auth/bearer-guard.ts";
import { createRefusalWatch } from "./oura/refusal-watch.ts";
import { type Clock, systemClock } from "./time/clock.ts";
import { BudgetClosed } from "./oura/request-budget.ts";
import { createOuraSync, type OuraSyncTimings } from "./oura/sync.ts";
import { createWarehouseMode, type WarehouseTimings } from "./databricks/warehouse-mode.ts";
import { databasePathProblem, filesCreatedBy } from "./storage/sqlite/database.ts";
import { acquireServerLock, type ServerLock } from "./storage/sqlite/server-lock.ts";
import { classifyStorageFailure } from "./storage/sqlite/failures.ts";
import type { MqttTimings } from "./mqtt/publisher.ts";
import { HookDispatcher, type HookTimings } from "./hooks/dispatcher.ts";

export interface RunningServer {
  server: Server<WebSocketData>;
  url: URL;
  storage: SqliteStorage;
  deps: AppDeps;
  /** Sends outgoing webhooks; tests drive it with tick() and settled(). */
  hookDispatcher: HookDispatcher;
  /** Stops accepting, lets in-flight requests finish, then closes the database. */
  stop(): Promise<void>;
}

/** Timings tests shorten; production runs with each part's defaults. */
/** Views whose documents changed are redrawn this soon (a morning sync lands a while before the page is opened). */
const RENDER_AHEAD_INTERVAL_MS = 1_000;

export interface ServerTimings extends WarehouseTimings, OuraSyncTimings {
  /** What time it is (default: the system's clock); the jobs, sessions, invitations and limits read it. */
  clock?: Clock;
  /** How often OURA_INITIAL_REFRESH_TOKEN is tried again after Oura did not answer (default 60 s). */
  initialLinkRetryMs?: number;
  /** How often the database file, the key file and the lock file are checked (removed, replaced, full disk; default 1 s). */
  storageCheckMs?: number;
  /** How often views whose documents changed are drawn again ahead of a visit. */
  renderAheadMs?: number;
  /** How often the dashboard's status entries (the warehouse's) refresh themselves (default 5 s). */
  dashboardRefreshMs?: number;
  /** MQTT_URL: how often the Home Assistant publisher looks for changes, and its reconnect back-off. */
  mqtt?: MqttTimings;
  /** Outgoing webhooks: the dispatcher's interval, the attempt timeout, name resolution and jitter. */
  hooks?: HookTimings;
}

const VERIFICATION_TOKEN_SETTING = "oura.verification_token";
const STORAGE_CHECK_INTERVAL_MS = 1000;

async function resolveVerificationToken(config: Config, settings: Settings, logger: Logger): Promise<string> {
  if (config.oura.verificationToken) return config.oura.verificationToken;
  const existing = await settings.getSetting(VERIFICATION_TOKEN_SETTING);
  if (existing) return existing;
  const generated = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
  logger.info("webhook.verification_token_generated", { stored_in: "database settings" });
  return settings.ensureSetting(VERIFICATION_TOKEN_SETTING, generated);
}

function registerGauges(deps: AppDeps, openSockets: () => number): void {
  const { metrics } = deps;
  metrics.gauge("oura_fetch_queue_depth", "Events whose document is waiting to be fetched (pending or awaiting a sign-in).", () => deps.fetchQueue.countPendingFetches());
  metrics.gauge("oura_websocket_clients", "Open WebSocket connections.", openSockets);
  metrics.gauge("oura_events_stored", "Events in the database.", () => deps.events.countEvents());
  metrics.gauge("oura_linked_users", "Linked Oura users.", () => deps.accounts.list().length);
  metrics.gauge("oura_database_bytes", "Size of the database file and its WAL.", () => deps.storageStatus.sizeBytes() ?? 0);
  const breaker = deps.sync?.breaker;
  const mqtt = deps.mqtt;
  if (mqtt) {
    metrics.gauge("oura_mqtt_connected", "Whether the MQTT broker Home Assistant reads is connected (1) or not (0).", () => (mqtt.status().state === "connected" ? 1 : 0));
    metrics.gauge("oura_mqtt_pending_users", "Linked users whose newest states are not yet published to MQTT.", () => mqtt.status().pending_users);
  }
  if (breaker) metrics.gauge("oura_circuit_state", "Whether Oura is treated as down: 0 closed, 1 half-open (a probe is out), 2 open.", () => ["closed", "half_open", "open"].indexOf(breaker.status().state));
}

export async function startServer(config: Config, logger: Logger, timings: ServerTimings = {}): Promise<RunningServer> {
  const pathProblem = databasePathProblem(config.databasePath);
  if (pathProblem) throw new Error(pathProblem);
  // Before anything reads or writes the database: a second server on it would spend the first one's refresh tokens.
  const lock = acquireServerLock(config.databasePath);
  try {
    return await startHoldingLock(config, logger, lock, timings);
  } catch (error) {
    // A failed start lets go of the lock, and its file goes like the other files the start made.
    lock?.release();
    throw error;
  }
}

async function startHoldingLock(config: Config, logger: Logger, lock: ServerLock | undefined, timings: ServerTimings): Promise<RunningServer> {
  const created = filesCreatedBy(config.databasePath);
  const now = timings.clock ?? systemClock;
  const storage = await openSqliteStorage(config.databasePath, logger, { outbox: Boolean(config.warehouse), now });
  let server: Server<WebSocketData> | undefined;
  const keys = await loadServerKeys(config.appSecretKey, config.databasePath, logger);
  const tokenCipher = createTokenCipher(keys.tokenKey);
  const localAccounts = new AccountStore(storage.connection, tokenCipher);
  const metrics = new Metrics();
  const warehouse = config.warehouse
    ? createWarehouseMode({ config: config.warehouse, retentionDays: config.retentionDays, events: storage.events, fetchQueue: storage.fetchQueue, settings: storage.settings, outbox: storage.outbox, localAccounts, logger, metrics, now, lease: timings.tokenLease, retries: timings })
    : undefined;
  const accounts = warehouse?.accounts ?? localAccounts;
  const renderCache = createRenderCache(now);
  const broadcaster = createBunBroadcaster(() => server, {
    nameOf: (userId) => chosenName(accounts.list(userId)[0]),
    usualOf: (userId, metric) => storage.documents.usualValue(userId, metric, usualStartDay(now())),
  }, createCommitListeners((error) => logger.error("sink.wake_failed", { error: error instanceof Error ? error.message : String(error) })));
  // One measure of how busy ingest is, for everything that steps aside while it is (the sinks, assistants' tool calls).
  const ingestPressure = new IngestPressure();
  broadcaster.committed.add(() => ingestPressure.seen());
  const sync = createOuraSync(config, { storage, accounts, broadcaster, logger, metrics, timings, now });
  const mqtt = config.mqtt
    ? // Loaded only when configured: mqtt.js is a tenth of a second of every start (and of every CLI command) otherwise.
      (await import("./mqtt/publisher.ts")).createMqttPublisher({ config: config.mqtt, accounts, documents: storage.documents, settings: storage.settings, committed: broadcaster.committed, pressure: ingestPressure, logger, now, version: VERSION, timings: timings.mqtt })
    : undefined;
  const hookDispatcher = new HookDispatcher({
    pressure: ingestPressure,
    store: storage.hooks,
    cipher: tokenCipher,
    committed: broadcaster.committed,
    logger,
    now,
    allowPrivateAddresses: config.hooks.allowPrivateAddresses,
    disableAfterMs: config.hooks.disableAfterDays * 86_400_000,
    timings: timings.hooks,
  });
  const deps: AppDeps = {
    keys,
    accounts,
    sessions: new SessionStore(storage.connection, now),
    invitations: new InvitationStore(storage.connection, now),
    bearerGuard: createBearerGuard(config, logger, now),
    refusals: createRefusalWatch(logger, now),
    sync,
    warehouse: warehouse && { shipper: warehouse.shipper, tokenLease: warehouse.tokenLease },
    mqtt,
    metrics,
    mcpTokens: storage.mcpTokens,
    hooks: { store: storage.hooks, cipher: tokenCipher, endpointsChanged: () => hookDispatcher.endpointsChanged(), wake: () => hookDispatcher.wake() },
    config,
    events: storage.events,
    fetchQueue: storage.fetchQueue,
    documents: storage.documents,
    settings: storage.settings,
    polls: storage.polls,
    backfillStore: storage.backfills,
    storageStatus: storage.status,
    classifyStorageFailure,
    logger,
    broadcaster,
    verifier: config.oura.webhookSecret ? await createSignatureVerifier(config.oura.webhookSecret) : undefined,
    verificationToken: await resolveVerificationToken(config, storage.settings, logger),
    version: VERSION,
    startedAt: Date.now(),
    dashboardRefreshMs: timings.dashboardRefreshMs ?? 5000,
    renderCache,
    ingestPressure,
    now,
  };
  if (!deps.verifier) logger.warn("webhook.secret_missing", { effect: "POST /webhooks answers 503 until OURA_CLIENT_SECRET is set" });

  // Tried at start; when Oura did not answer, again every initialLinkRetryMs until it links or is refused (an outage
  // at start must not leave the user unlinked until someone restarts the server).
  let initialLinkAttempts = 0;
  let initialLinkPending = true;
  const initialLinkRetry = new PeriodicJob("oauth.initial_link", async () => {
    if (initialLinkPending && sync && config.oura.initialRefreshToken) initialLinkPending = (await linkInitialRefreshToken(deps, sync, config.oura.initialRefreshToken, ++initialLinkAttempts)) === "retry";
  }, logger);
  const linkInitialToken = async () => {
    if (!sync || !config.oura.initialRefreshToken) return;
    initialLinkPending = (await linkInitialRefreshToken(deps, sync, config.oura.initialRefreshToken, ++initialLinkAttempts)) === "retry";
    if (initialLinkPending) initialLinkRetry.start(timings.initialLinkRetryMs ?? 60_000);
  };
  // Warehouse mode reads the tokens kept in Delta first: the initial refresh token is for a link Delta does not have.
  if (warehouse) await warehouse.start(linkInitialToken);
  else await linkInitialToken();
  const receiver = createWebhookReceiver(deps);
  const app = createApp(deps, receiver);
  const sockets = createWebSocketHandler(deps);
  registerGauges(deps, sockets.openSockets);
  try {
    server = Bun.serve<WebSocketData>({
      hostname: config.host,
      port: config.port,
      // Webhook deliveries skip Hono's router and middleware (see webhook-receiver.ts); other methods on /webhooks
      // (the GET handshake) and every other path go through the app.
      routes: { "/webhooks": { POST: measured(metrics, receiver) } },
      fetch: (request, bunServer) => app.fetch(request, { server: bunServer }),
      websocket: sockets.handler,
      // Bodies are limited by our own code (the receiver and bodyLimit in the app), which answers a JSON 413 by
      // Content-Length before reading, or stops reading a chunked body at the limit; Bun's own limit would answer an
      // empty 413 instead, so it is set out of the way.
      maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    });
  } catch (error) {
    await initialLinkRetry.stop();
    await warehouse?.stop();
    await storage.close();
    // A failed start leaves no database or key file behind that it made itself.
    created.removeNew();
    const message = error instanceof Error ? error.message : String(error);
    if (/in use|EADDRINUSE/i.test(message) || (error as { code?: string }).code === "EADDRINUSE") {
      throw new Error(`PORT: ${config.port} on ${config.host} is already in use (another oura-streaming, or another program); stop it or choose another PORT`);
    }
    throw error;
  }
  const running = server;
  lock?.setUrl(running.url.href);
  // Beside serving, not before: at a million events the whole-file check takes 0.7 s warm and 9.6 s from a cold disk.
  void storage.status.checkIntegrity();

  // Notices a database file removed or replaced under the server, or failing commits, and recovers when it can.
  const storageCheck = new PeriodicJob("storage.check", () => {
    storage.status.maintain();
    keys.restoreKeyFile();
    lock?.restore();
  }, logger);
  storageCheck.start(timings.storageCheckMs ?? STORAGE_CHECK_INTERVAL_MS);
  // The dashboard's views whose documents changed are drawn again before their next visit.
  const renderAhead = new PeriodicJob("dashboard.render_ahead", () => renderCache.redrawChanged(), logger);
  renderAhead.start(timings.renderAheadMs ?? RENDER_AHEAD_INTERVAL_MS);
  sync?.fetcher.start(timings.fetcher?.intervalMs);
  sync?.poller?.start();
  sync?.imports.start();
  const renewer = sync ? new SubscriptionRenewer(sync.client, config.subscriptionRenewDays, logger, now) : undefined;
  renewer?.start();
  hookDispatcher.start();
  const pruner = new RetentionPruner(storage.retention, config.retentionDays, logger, metrics, now);
  pruner.start(config.pruneIntervalSeconds);
  mqtt?.start();
  return {
    server: running,
    url: running.url,
    storage,
    deps,
    hookDispatcher,
    async stop() {
      // Stop accepting and let requests in flight finish; live sockets are told the server is going away (a graceful
      // stop would otherwise wait for every browser tab to close).
      const stopped = running.stop(false);
      sockets.closeAll();
      await stopped;
      await storageCheck.stop();
      await renderAhead.stop();
      await renewer?.stop();
      await initialLinkRetry.stop();
      await pruner.stop();
      // Requests waiting for the Oura budget are given up first, so no loop waits minutes for a window to stop.
      sync?.budget.close(new BudgetClosed("the server is stopping"));
      // Likewise statements waiting for the warehouse (a token push before a refresh, a batch): the outbox is durable.
      warehouse?.interrupt();
      await sync?.fetcher.stop();
      await sync?.poller?.stop();
      await sync?.imports.stop();
      // Deliveries are durable: an attempt cut short is sent again, with the same webhook-id, after the next start.
      await hookDispatcher.stop();
      // The outbox is durable: what is not shipped yet ships after the next start.
      await warehouse?.stop();
      // After the last document is stored, before the database closes (a pass reads it).
      await mqtt?.stop();
      await storage.close();
      lock?.release();
    },
  };
}
