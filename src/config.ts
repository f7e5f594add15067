// The environment, read once through one zod schema; everything else receives a typed Config.
import { z } from "zod";
import { parseTrustedProxies } from "./http/client-address.ts";
import { POLLABLE_DATA_TYPES } from "./oura/data-types.ts";
import { deltaTable, warehouseId, workspaceUrl } from "./databricks/settings.ts";
import { type DeltaTables, deltaTables } from "./databricks/sql.ts";
import { type MqttConfig, readMqtt } from "./mqtt/settings.ts";

/** `.env` files often hold `NAME=` for "unset": treat blank values as absent so defaults apply. */
const blankAsUnset = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const optionalText = (description: string) => z.preprocess(blankAsUnset, z.string().optional()).describe(description);

const url = (fallback: string, description: string) =>
  z.preprocess(blankAsUnset, z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).default(fallback)).describe(description);

const wholeNumber = (unit: string, min: number, fallback: number, description: string) =>
  z
    .preprocess(
      blankAsUnset,
      z.coerce
        .number({ error: `expected a number of ${unit}` })
        .int({ error: `expected a whole number of ${unit}` })
        .min(min, { error: `expected at least ${min} ${unit}` })
        .default(fallback),
    )
    .describe(description);

const booleanFlag = (description: string) =>
  z
    .preprocess(blankAsUnset, z.enum(["true", "false", "1", "0", "yes", "no"], { error: "expected true or false" }).default("false"))
    .transform((value) => value === "true" || value === "1" || value === "yes")
    .describe(description);

/** A comma list of emails or `*@domain` patterns, lower-cased; empty when unset. */
const emailList = (description: string) =>
  z
    .preprocess(blankAsUnset, z.string().optional())
    .transform((value) => (value ?? "").split(",").map((entry) => entry.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^(\*|[^@\s*]+)@[^@\s*]+\.[^@\s*]+$/, { error: "expected comma-separated emails, or *@domain for a whole domain" })))
    .describe(description);

/** `all`, or a comma list of the list routes that can be polled. */
const pollDataTypes = z
  .preprocess(
    blankAsUnset,
    z
      .string()
      .default("all")
      .transform((value) => (value.trim().toLowerCase() === "all" ? [...POLLABLE_DATA_TYPES] : [...new Set(value.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean))]))
      .pipe(z.array(z.enum(POLLABLE_DATA_TYPES, { error: `expected "all" or a comma list of ${POLLABLE_DATA_TYPES.join(", ")}` })).min(1, { error: "expected at least one data type" })),
  )
  .describe(`Data types to poll: "all" (default: ${POLLABLE_DATA_TYPES.join(", ")}) or a comma list of them.`);

const port = z.coerce
  .number({ error: "expected a whole number from 0 to 65535" })
  .int({ error: "expected a whole number from 0 to 65535" })
  .min(0, { error: "expected a whole number from 0 to 65535" })
  .max(65535, { error: "expected a whole number from 0 to 65535" });

/** Every scope Oura documents; the SpO2 scope is spelled "spo2" by most clients (Oura's docs also say spo2Daily). */
export const DEFAULT_SCOPES = "email personal daily heartrate workout tag session spo2";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

export const EnvSchema = z.object({
  PORT: z.preprocess(blankAsUnset, port.optional()).describe("Port to listen on. Default 8000, or DATABRICKS_APP_PORT when that is set. 0 picks a free port."),
  DATABRICKS_APP_PORT: z.preprocess(blankAsUnset, port.optional()).describe("Set by Databricks Apps; used as the port when PORT is not set."),
  HOST: z
    .preprocess(blankAsUnset, z.string().optional())
    .describe("Interface to listen on. Default 127.0.0.1, or 0.0.0.0 as a Databricks App. A non-loopback HOST requires API_TOKEN or Oura sign-in (OURA_CLIENT_ID and OURA_CLIENT_SECRET)."),
  DATABRICKS_APP_NAME: optionalText("Set by Databricks Apps. Only then are the front door's X-Forwarded-Email headers believed (see Run as a Databricks App)."),
  DATABASE_PATH: z.preprocess(blankAsUnset, z.string().default("./oura_streaming.db")).describe("SQLite database file (`:memory:` keeps nothing across restarts)."),
  OURA_CLIENT_ID: optionalText("OAuth client id of your Oura application."),
  OURA_CLIENT_SECRET: optionalText("OAuth client secret of your Oura application; Oura signs webhooks with it."),
  OURA_WEBHOOK_SECRET: optionalText("Overrides the key used to check webhook signatures (normally the client secret)."),
  OURA_VERIFICATION_TOKEN: optionalText("Token Oura echoes in the subscription handshake. Generated once and kept in the database when unset."),
  OURA_API_BASE_URL: url("https://api.ouraring.com", "Base URL of the Oura API."),
  OURA_AUTH_URL: url("https://cloud.ouraring.com/oauth/authorize", "Oura OAuth2 authorize URL."),
  OURA_TOKEN_URL: url("https://api.ouraring.com/oauth/token", "Oura OAuth2 token URL."),
  APP_SECRET_KEY: z
    .preprocess(blankAsUnset, z.string().min(32, { error: "expected at least 32 characters" }).optional())
    .describe("Key for session cookies and token encryption (at least 32 characters). When unset, a random key is generated once into DATABASE_PATH.key (mode 0600)."),
  API_TOKEN: z
    .preprocess(blankAsUnset, z.string().min(16, { error: "expected at least 16 characters" }).optional())
    .describe("Bearer token for the data routes (events, documents, subscriptions, export, metrics, the WebSocket, the dashboard). A non-loopback HOST needs it or Oura sign-in."),
  WEBHOOK_TOLERANCE_SECONDS: z
    .preprocess(blankAsUnset, z.coerce.number({ error: "expected a number of seconds" }).int({ error: "expected a whole number of seconds" }).min(1, { error: "expected at least 1 second" }).default(300))
    .describe("How far x-oura-timestamp may be from this server's clock, in seconds."),
  WEBHOOK_MAX_BYTES: z
    .preprocess(blankAsUnset, z.coerce.number({ error: "expected a number of bytes" }).int({ error: "expected a whole number of bytes" }).min(256, { error: "expected at least 256 bytes" }).default(1024 * 1024))
    .describe("Largest webhook body accepted, in bytes."),
  PUBLIC_URL: z
    .preprocess(blankAsUnset, z.url({ protocol: /^https?$/, error: "expected the http(s) URL where Oura and browsers reach this server" }).optional())
    .describe("Public base URL of this server (e.g. https://oura.example.com); subscriptions call back PUBLIC_URL/webhooks."),
  OURA_REDIRECT_URI: z
    .preprocess(blankAsUnset, z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).optional())
    .describe("OAuth redirect URI registered with Oura. Default: PUBLIC_URL/auth/callback, else http://HOST:PORT/auth/callback."),
  OURA_SCOPES: z
    .preprocess(blankAsUnset, z.string().regex(/^[\w ]+$/, { error: "expected space-separated scope names" }).default(DEFAULT_SCOPES))
    .describe("Space-separated OAuth scopes to request."),
  OURA_INITIAL_REFRESH_TOKEN: optionalText("A refresh token to link one Oura user at start-up, when no token is stored yet (spent once used)."),
  SUBSCRIPTION_RENEW_DAYS: z
    .preprocess(blankAsUnset, z.coerce.number({ error: "expected a number of days" }).min(0, { error: "expected 0 or more days" }).default(7))
    .describe("Renew webhook subscriptions that expire within this many days."),
  RETENTION_DAYS: z
    .preprocess(blankAsUnset, z.coerce.number({ error: "expected a number of days" }).min(0, { error: "expected 0 or more days" }).default(30))
    .describe("Delete events received more than this many days ago (decimals allowed; 0 keeps everything). Documents are kept."),
  PRUNE_INTERVAL_SECONDS: z
    .preprocess(blankAsUnset, z.coerce.number({ error: "expected a number of seconds" }).int({ error: "expected whole seconds" }).min(1, { error: "expected at least 1 second" }).default(3600))
    .describe("How often retention pruning runs."),
  METRICS_TOKEN: z
    .preprocess(blankAsUnset, z.string().min(16, { error: "expected at least 16 characters" }).optional())
    .describe("Bearer token that may read /metrics only (the API token and sessions may too)."),
  TRUST_PROXY: z
    .preprocess(
      blankAsUnset,
      z
        .string()
        .refine((value) => parseTrustedProxies(value).invalid.length === 0, {
          error: "expected comma-separated proxy addresses, CIDR blocks (10.0.0.0/8, fd00::/8) or loopback",
        })
        .optional(),
    )
    .describe(
      "Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses, IPv4 or IPv6 CIDR blocks, or loopback). Unset: the client address is the peer's, and X-Forwarded-For is ignored.",
    ),
  POLLING_ENABLED: booleanFlag("Poll Oura's list routes for every linked user on an interval (for hosts Oura cannot reach; safe alongside webhooks, which it then backs up)."),
  POLLING_INTERVAL_SECONDS: wholeNumber("seconds", 30, 300, "Seconds between two polls of the same user and data type."),
  POLL_LOOKBACK_DAYS: z
    .preprocess(
      blankAsUnset,
      z.coerce
        .number({ error: "expected a number of days" })
        .int({ error: "expected a whole number of days" })
        .min(1, { error: "expected at least 1 day" })
        .max(30, { error: "expected at most 30 days (import older history with a backfill)" })
        .default(2),
    )
    .describe("How many days back each poll (and each reconciliation) looks, padded by a day on each side (1 to 30)."),
  POLL_DATA_TYPES: pollDataTypes,
  RECONCILE_INTERVAL_HOURS: z
    .preprocess(blankAsUnset, z.coerce.number({ error: "expected a number of hours" }).min(0, { error: "expected 0 or more hours" }).default(24))
    .describe("With polling off: hours between light reconciliations of the last POLL_LOOKBACK_DAYS, which repair missed webhooks (0 disables)."),
  OURA_REQUEST_BUDGET: wholeNumber("requests", 1, 5000, "Oura API requests this server allows itself per OURA_REQUEST_BUDGET_WINDOW_SECONDS, shared by the document fetcher, the poller and backfills."),
  OURA_REQUEST_BUDGET_WINDOW_SECONDS: wholeNumber("seconds", 1, 300, "The window of OURA_REQUEST_BUDGET, in seconds."),
  STORAGE_BACKEND: z
    .preprocess((value) => (typeof value === "string" ? blankAsUnset(value.trim().toLowerCase()) : value), z.enum(["sqlite", "warehouse"], { error: "expected sqlite or warehouse" }).default("sqlite"))
    .describe("sqlite (default): everything in DATABASE_PATH. warehouse: also ship every event and document to a Databricks Delta table (SQLite stays the durable front)."),
  DATABRICKS_HOST: optionalText("Workspace URL, with or without https:// (e.g. dbc-1234.cloud.databricks.com). Warehouse mode."),
  DATABRICKS_HTTP_PATH: optionalText("The SQL warehouse's HTTP path, /sql/1.0/warehouses/<id> (legacy /sql/1.0/endpoints/<id> and a ?o= suffix accepted). Warehouse mode."),
  DATABRICKS_WAREHOUSE_ID: optionalText("The SQL warehouse id; used instead of DATABRICKS_HTTP_PATH when set (a Databricks App's sql-warehouse resource). Warehouse mode."),
  DATABRICKS_TOKEN: optionalText("Personal access token for the warehouse. Or set DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET. Warehouse mode."),
  DATABRICKS_CLIENT_ID: optionalText("Service principal (OAuth M2M) client id; set by Databricks Apps. Used when DATABRICKS_TOKEN is unset."),
  DATABRICKS_CLIENT_SECRET: optionalText("Service principal (OAuth M2M) secret; set by Databricks Apps."),
  DELTA_TABLE: optionalText("Events table, catalog.schema.table or schema.table (created if missing). Documents go to <table>_documents, encrypted tokens to <table>_tokens. Warehouse mode."),
  WAREHOUSE_STATEMENT_TIMEOUT_SECONDS: wholeNumber(
    "seconds",
    5,
    300,
    "How long one warehouse statement may take, a cold start and retries included, before the shipper gives up on it for now (the rows stay queued).",
  ),
  OPERATOR_EMAILS: emailList(
    "Oura account emails (comma-separated) whose browser sessions are operators: they run the server (subscriptions, every user's data, invitations). `*@example.org` names a whole domain. Operators may also be promoted on the dashboard or with `oura-streaming operators promote`.",
  ),
  ALLOWED_EMAILS: emailList(
    "Oura account emails (comma-separated, `*@example.org` for a whole domain) that may link their ring without an invitation. Everyone else needs an invitation from an operator.",
  ),
  DATABRICKS_APP_OPERATORS: emailList(
    "As a Databricks App: workspace users (comma-separated emails, `*@example.org` for a domain) who are operators. Unset: every user the workspace lets open the App is an operator. Others see only the Oura user linked with their own email.",
  ),
  MQTT_URL: optionalText(
    "Home Assistant over MQTT: the broker, mqtt://host:1883 or mqtts://host:8883, user and password optionally in it (mqtt://user:pass@homeassistant.local:1883). Unset: MQTT is off.",
  ),
  MQTT_USERNAME: optionalText("MQTT user name, when it is not in MQTT_URL (this one wins)."),
  MQTT_PASSWORD: optionalText("MQTT password, when it is not in MQTT_URL (this one wins). Never logged or shown."),
  MQTT_CLIENT_ID: optionalText("MQTT client id. Default: oura-streaming-<MQTT_TOPIC_PREFIX>, the same across restarts."),
  MQTT_CA_FILE: optionalText("With mqtts://: a PEM file of the certificate authority that signed the broker's certificate (a private CA). Default: the system's CAs."),
  MQTT_TOPIC_PREFIX: z
    .preprocess(blankAsUnset, z.string().default("oura_streaming"))
    .describe("Topics of this server's states and availability: <prefix>/status, <prefix>/<user>/<sensor>/state and …/attributes."),
  MQTT_DISCOVERY_PREFIX: z.preprocess(blankAsUnset, z.string().default("homeassistant")).describe("Home Assistant's MQTT discovery prefix (Home Assistant's own default is homeassistant)."),
  HOOKS_ALLOW_PRIVATE_ADDRESSES: booleanFlag(
    "Let outgoing webhooks reach private, loopback, link-local and unique-local addresses (and plain http). Off: only public https endpoints, checked on the address actually connected to, so an endpoint cannot reach this server's own network.",
  ),
  HOOKS_DISABLE_AFTER_DAYS: z
    .preprocess(blankAsUnset, z.coerce.number({ error: "expected a number of days" }).positive({ error: "expected more than 0 days" }).default(3))
    .describe("An outgoing webhook endpoint whose deliveries have all failed for this many days is disabled, with the reason shown (decimals allowed)."),
  LOG_LEVEL: z.preprocess(blankAsUnset, z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info")).describe("Least severe log level written: debug, info, warn, error or silent."),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  oura: {
    clientId?: string;
    clientSecret?: string;
    /** Key for x-oura-signature: the explicit override, else the client secret (Oura signs with it). */
    webhookSecret?: string;
    verificationToken?: string;
    apiBaseUrl: string;
    authUrl: string;
    tokenUrl: string;
    redirectUri: string;
    scopes: string;
    initialRefreshToken?: string;
  };
  publicUrl?: string;
  subscriptionRenewDays: number;
  appSecretKey?: string;
  apiToken?: string;
  webhookToleranceSeconds: number;
  webhookMaxBytes: number;
  retentionDays: number;
  pruneIntervalSeconds: number;
  metricsToken?: string;
  /** Whether a peer address is a reverse proxy whose X-Forwarded-For may be believed. */
  trustsProxy: (address: string) => boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  polling: {
    enabled: boolean;
    intervalSeconds: number;
    lookbackDays: number;
    dataTypes: string[];
    /** With polling off, hours between reconciliations (0: none). */
    reconcileIntervalHours: number;
  };
  requestBudget: { requests: number; windowSeconds: number };
  /** Outgoing webhooks (POST /hooks). */
  hooks: {
    /** HOOKS_ALLOW_PRIVATE_ADDRESSES: private, loopback and link-local receivers (and plain http) are allowed. */
    allowPrivateAddresses: boolean;
    disableAfterDays: number;
  };
  /** With STORAGE_BACKEND=warehouse: where events, documents and tokens are shipped. */
  warehouse?: WarehouseConfig;
  /** With MQTT_URL: Home Assistant's devices and states are published to this broker. */
  mqtt?: MqttConfig;
  /** Set when running as a Databricks App: the front door's forwarded identity is believed. */
  databricksApp?: { name: string; operators: string[] };
  access: {
    /** OPERATOR_EMAILS: Oura account emails (or `*@domain`) whose sessions are operators. */
    operatorEmails: string[];
    /** ALLOWED_EMAILS: Oura account emails (or `*@domain`) that may link without an invitation. */
    allowedEmails: string[];
  };
}

export interface WarehouseConfig {
  host: string;
  warehouseId: string;
  tables: DeltaTables;
  credentials: { kind: "token"; token: string } | { kind: "m2m"; clientId: string; clientSecret: string };
  statementTimeoutMs: number;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) };
  }
  const e = parsed.data;
  const warehouse = e.STORAGE_BACKEND === "warehouse" ? readWarehouse(e) : undefined;
  if (warehouse && !warehouse.ok) return { ok: false, errors: warehouse.errors };
  const mqtt = readMqtt(e);
  if (mqtt && !mqtt.ok) return { ok: false, errors: mqtt.errors };
  const config: Config = {
    port: e.PORT ?? e.DATABRICKS_APP_PORT ?? 8000,
    host: listenHost(e),
    databasePath: e.DATABASE_PATH,
    oura: {
      clientId: e.OURA_CLIENT_ID,
      clientSecret: e.OURA_CLIENT_SECRET,
      webhookSecret: e.OURA_WEBHOOK_SECRET ?? e.OURA_CLIENT_SECRET,
      verificationToken: e.OURA_VERIFICATION_TOKEN,
      apiBaseUrl: e.OURA_API_BASE_URL.replace(/\/+$/, ""),
      authUrl: e.OURA_AUTH_URL,
      tokenUrl: e.OURA_TOKEN_URL,
      redirectUri: e.OURA_REDIRECT_URI ?? `${publicBase(e)}/auth/callback`,
      scopes: e.OURA_SCOPES,
      initialRefreshToken: e.OURA_INITIAL_REFRESH_TOKEN,
    },
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ""),
    subscriptionRenewDays: e.SUBSCRIPTION_RENEW_DAYS,
    appSecretKey: e.APP_SECRET_KEY,
    apiToken: e.API_TOKEN,
    webhookToleranceSeconds: e.WEBHOOK_TOLERANCE_SECONDS,
    webhookMaxBytes: e.WEBHOOK_MAX_BYTES,
    retentionDays: e.RETENTION_DAYS,
    pruneIntervalSeconds: e.PRUNE_INTERVAL_SECONDS,
    metricsToken: e.METRICS_TOKEN,
    trustsProxy: parseTrustedProxies(e.TRUST_PROXY ?? "").trusts,
    logLevel: e.LOG_LEVEL,
    polling: {
      enabled: e.POLLING_ENABLED,
      intervalSeconds: e.POLLING_INTERVAL_SECONDS,
      lookbackDays: e.POLL_LOOKBACK_DAYS,
      dataTypes: e.POLL_DATA_TYPES,
      reconcileIntervalHours: e.RECONCILE_INTERVAL_HOURS,
    },
    requestBudget: { requests: e.OURA_REQUEST_BUDGET, windowSeconds: e.OURA_REQUEST_BUDGET_WINDOW_SECONDS },
    hooks: { allowPrivateAddresses: e.HOOKS_ALLOW_PRIVATE_ADDRESSES, disableAfterDays: e.HOOKS_DISABLE_AFTER_DAYS },
    warehouse: warehouse?.value,
    mqtt: mqtt?.value,
    databricksApp: e.DATABRICKS_APP_NAME ? { name: e.DATABRICKS_APP_NAME, operators: e.DATABRICKS_APP_OPERATORS } : undefined,
    access: { operatorEmails: e.OPERATOR_EMAILS, allowedEmails: e.ALLOWED_EMAILS },
  };
  const exposure = checkExposure(config);
  return exposure ? { ok: false, errors: [exposure] } : { ok: true, config };
}

/** A Databricks App must listen on every interface (its proxy reaches it from outside), anything else on loopback. */
function listenHost(e: Env): string {
  return e.HOST ?? (e.DATABRICKS_APP_PORT !== undefined ? "0.0.0.0" : "127.0.0.1");
}

/** Warehouse mode's settings, each refusal naming its variable; APP_SECRET_KEY is required (tokens are kept in Delta). */
function readWarehouse(e: Env): { ok: true; value: WarehouseConfig } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const host = e.DATABRICKS_HOST ? workspaceUrl(e.DATABRICKS_HOST) : { ok: false as const, error: "DATABRICKS_HOST: not set; expected your workspace URL, e.g. https://dbc-1234.cloud.databricks.com" };
  const warehouse = warehouseId(e);
  const table = deltaTable(e.DELTA_TABLE);
  for (const parsed of [host, warehouse, table]) if (!parsed.ok) errors.push(parsed.error);
  let credentials: WarehouseConfig["credentials"] | undefined;
  if (e.DATABRICKS_TOKEN) credentials = { kind: "token", token: e.DATABRICKS_TOKEN };
  else if (e.DATABRICKS_CLIENT_ID && e.DATABRICKS_CLIENT_SECRET) credentials = { kind: "m2m", clientId: e.DATABRICKS_CLIENT_ID, clientSecret: e.DATABRICKS_CLIENT_SECRET };
  else if (e.DATABRICKS_CLIENT_ID) errors.push("DATABRICKS_CLIENT_SECRET: not set, but DATABRICKS_CLIENT_ID is; a service principal needs both (or set DATABRICKS_TOKEN)");
  else errors.push("DATABRICKS_TOKEN: not set; warehouse mode needs a personal access token, or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (a Databricks App sets these)");
  if (!e.APP_SECRET_KEY) errors.push("APP_SECRET_KEY: not set; warehouse mode keeps the encrypted Oura tokens in Delta, so the key must outlive this disk (at least 32 characters, from a secret)");
  if (!host.ok || !warehouse.ok || !table.ok || !credentials || errors.length) return { ok: false, errors };
  return { ok: true, value: { host: host.value, warehouseId: warehouse.value, tables: deltaTables(table.value), credentials, statementTimeoutMs: e.WAREHOUSE_STATEMENT_TIMEOUT_SECONDS * 1000 } };
}

function publicBase(e: Env): string {
  if (e.PUBLIC_URL) return e.PUBLIC_URL.replace(/\/+$/, "");
  const port = e.PORT ?? e.DATABRICKS_APP_PORT ?? 8000;
  const listen = listenHost(e);
  const host = listen === "0.0.0.0" || listen === "::" ? "127.0.0.1" : listen;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

const LOOPBACK_HOSTS = new Set(["localhost", "::1", "[::1]"]);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Health data must not be served unauthenticated beyond this machine. */
function checkExposure(config: Config): string | undefined {
  // Sign-in with Oura (client id and secret) is a credential too: data routes then need a session.
  // A Databricks App is reached only through the workspace's front door, which signs users in (see readPrincipal).
  if (isLoopbackHost(config.host) || config.apiToken || (config.oura.clientId && config.oura.clientSecret) || config.databricksApp) return undefined;
  return `HOST: ${config.host} is reachable from other machines, but no credential is configured; set API_TOKEN (at least 16 characters) or OURA_CLIENT_ID and OURA_CLIENT_SECRET so the data routes are authenticated, or listen on 127.0.0.1`;
}
