// What the HTTP layer is given by the composition root (tests build the same thing with their own parts).
import type { RenderCache } from "./views/render-cache.ts";
import type { IngestPressure } from "./realtime/ingest-pressure.ts";
import type { Server } from "bun";
import type { ServerKeys } from "./auth/keys.ts";
import type { BearerGuard } from "./auth/bearer-guard.ts";
import type { CsrfDeps } from "./auth/csrf.ts";
import type { Principal, PrincipalDeps } from "./auth/principal.ts";
import type { Invitations } from "./storage/invitations.ts";
import type { RefusalWatch } from "./oura/refusal-watch.ts";
import type { TokenManager } from "./auth/token-manager.ts";
import type { Config } from "./config.ts";
import type { DocumentFetcher } from "./jobs/fetcher.ts";
import type { Poller } from "./jobs/poller.ts";
import type { BackfillRunner } from "./jobs/backfill.ts";
import type { WarehouseShipper } from "./jobs/shipper.ts";
import type { TokenLease } from "./databricks/token-lease.ts";
import type { MqttStatus } from "./mqtt/publisher.ts";
import type { RequestBudget } from "./oura/request-budget.ts";
import type { CircuitBreaker } from "./oura/circuit-breaker.ts";
import type { Metrics } from "./metrics.ts";
import type { OuraClient } from "./oura/client.ts";
import type { Accounts } from "./storage/accounts.ts";
import type { Sessions } from "./storage/sessions.ts";
import type { Logger } from "./log.ts";
import type { SignatureVerifier } from "./oura/signature.ts";
import type { Broadcaster } from "./realtime/broadcaster.ts";
import type { Backfills } from "./storage/backfills.ts";
import type { Documents } from "./storage/documents.ts";
import type { EventLog } from "./storage/event-log.ts";
import type { FetchQueue } from "./storage/fetch-queue.ts";
import type { PollStore } from "./storage/polls.ts";
import type { Settings } from "./storage/settings.ts";
import type { HookStore } from "./storage/hooks.ts";
import type { McpTokens } from "./storage/mcp-tokens.ts";
import type { TokenCipher } from "./auth/token-cipher.ts";
import type { StorageFailureClassifier } from "./storage/storage-errors.ts";
import type { StorageStatus } from "./storage/storage-status.ts";
import type { Clock } from "./time/clock.ts";

export interface AppDeps {
  config: Config;
  events: EventLog;
  fetchQueue: FetchQueue;
  documents: Documents;
  settings: Settings;
  polls: PollStore;
  /** The stored history imports (the runner that walks them is `sync.imports`). */
  backfillStore: Backfills;
  storageStatus: StorageStatus;
  /** Which errors are the storage failing (answered 503 storage_unavailable or storage_corrupt), in the adapter's terms. */
  classifyStorageFailure: StorageFailureClassifier;
  broadcaster: Broadcaster;
  logger: Logger;
  /** Absent when no webhook secret is configured: deliveries are then refused (fail closed). */
  verifier: SignatureVerifier | undefined;
  verificationToken: string;
  version: string;
  startedAt: number;
  /** How often the dashboard's live status entries refresh themselves. */
  dashboardRefreshMs: number;
  /** What the dashboard drew from documents, per view, until they change (redrawn ahead by the server's job). */
  renderCache: RenderCache;
  /** How busy ingest is (committed events per second): what may wait steps aside while it is busy. */
  ingestPressure: IngestPressure;
  /** Current time in milliseconds; injected so tests can move the clock. */
  now: Clock;
  keys: ServerKeys;
  sessions: Sessions;
  accounts: Accounts;
  invitations: Invitations;
  /** Judges API_TOKEN bearers and limits wrong ones per client address. */
  bearerGuard: BearerGuard;
  /** Notices runs of refused webhook deliveries (a wrong secret, a clock off) and says so. */
  refusals: RefusalWatch;
  /** Everything that talks to Oura as the app: present when OURA_CLIENT_ID and OURA_CLIENT_SECRET are configured. */
  sync: OuraSync | undefined;
  /** STORAGE_BACKEND=warehouse: the outbox shipped to Delta, and the token lease shared with other servers. */
  warehouse: WarehouseFeature | undefined;
  /** MQTT_URL: Home Assistant's devices and states are published to a broker; its link's state. */
  mqtt: MqttFeature | undefined;
  metrics: Metrics;
  /** Outgoing webhooks: the endpoints and deliveries, and the dispatcher that sends them. */
  hooks: Hooks;
  /** AI assistants: MCP access tokens and the tool-call log. */
  mcpTokens: McpTokens;
}

/** Outgoing webhooks, as the routes and services see them. */
export interface Hooks {
  store: HookStore;
  /** Seals the endpoints' signing secrets at rest (the token cipher). */
  cipher: Pick<TokenCipher, "encrypt">;
  /** Tells the dispatcher endpoints changed (it wakes on committed events only while one is enabled). */
  endpointsChanged(): void;
  /** A delivery was made due now ("send again"). */
  wake(): void;
}

export interface MqttFeature {
  status(): MqttStatus;
}

/** Oura sign-in is configured: the client and what uses it. */
export interface OuraSync {
  client: OuraClient;
  tokens: TokenManager;
  /** Fetches the document each notification announces. */
  fetcher: DocumentFetcher;
  /** History imports. */
  imports: BackfillRunner;
  /** The Oura request budget shared by the fetcher, the poller and imports. */
  budget: Pick<RequestBudget, "status">;
  /** Whether Oura is treated as down, shared by every request of the client. */
  breaker: Pick<CircuitBreaker, "status" | "recoveries">;
  /** Polling (POLLING_ENABLED) or the reconciliation; absent when both are off. */
  poller: Poller | undefined;
}

export interface WarehouseFeature {
  shipper: WarehouseShipper;
  /** Which server sharing the Delta token table may spend refresh tokens. */
  tokenLease: Pick<TokenLease, "status">;
}

export interface AppEnv {
  Bindings: { server?: Server<WebSocketData> };
  Variables: {
    /** Set by the route's guard; on routes that also let anonymous callers in, it may be absent. */
    principal: Principal;
    /** What the routes' guards judge with (routes/guards.ts): put on every request by createApp, ahead of every route. */
    guardDeps?: PrincipalDeps & CsrfDeps;
    /** The error code of a refused request, for metrics. */
    errorCode?: string;
  };
}

export interface WebSocketData {
  topic: string;
}
