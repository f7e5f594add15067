// The server's own state, as each principal may see it: anyone the status, version and database state; operators the
// details (counts, polling, the warehouse and its token lease, the MQTT link, refused webhook deliveries, outgoing
// webhooks, whether Oura is treated as down, the request budget, the metrics), with anything token-like in an error
// text masked.
import { maskSecrets } from "../auth/mask-secrets.ts";
import { oauthConfigured, type Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import type { Health } from "../schemas/health.ts";
import type { PollingStatus } from "../schemas/polling.ts";
import { pollingStrip } from "../views/polling-strip.ts";

export function pollingMode(deps: Pick<AppDeps, "sync" | "config">): PollingStatus["mode"] {
  if (!deps.sync?.poller) return "off";
  return deps.config.polling.enabled ? "poll" : "reconcile";
}

function accountHealth(deps: StatusServiceDeps): Health["oura"] {
  const linked = readOr(() => deps.accounts.list(), []);
  const circuit = deps.sync?.breaker.status() ?? null;
  return {
    oauth_configured: oauthConfigured(deps.config),
    linked_users: linked.length,
    needs_reauth: linked.filter((a) => a.needs_reauth).length,
    circuit: circuit && { ...circuit, last_failure: circuit.last_failure === null ? null : maskSecrets(circuit.last_failure) },
  };
}

async function pollingHealth(deps: StatusServiceDeps, readable: boolean): Promise<Health["polling"]> {
  const states = readable ? await deps.polls.pollStates().catch(() => []) : [];
  const strip = pollingStrip(pollingMode(deps), states);
  return { mode: strip.mode, pairs: states.filter((s) => s.last_success_at || s.last_error_at).length, failing: strip.failing.length, last_success_at: strip.lastSuccessAt };
}

function warehouseHealth(deps: StatusServiceDeps): Health["warehouse"] {
  if (!deps.warehouse || !deps.config.warehouse) return null;
  const status = deps.warehouse.shipper.status();
  const { tables } = deps.config.warehouse;
  return {
    state: status.state,
    waiting_since: status.waiting_since,
    pending_events: status.pending_events,
    pending_documents: status.pending_documents,
    pending_heart_rate_samples: status.pending_heart_rate_samples,
    oldest_pending_at: status.oldest_pending_at,
    oldest_pending_age_seconds: status.oldest_pending_at ? Math.max(0, Math.round((deps.now() - Date.parse(status.oldest_pending_at)) / 1000)) : null,
    last_success_at: status.last_success_at,
    last_error: status.last_error === null ? null : maskSecrets(status.last_error),
    last_error_at: status.last_error_at,
    shipped_events: status.shipped_events,
    tables: { events: tables.events.quoted, documents: tables.documents.quoted, heart_rate: tables.heartRate.quoted, tokens: tables.tokens.quoted },
    token_lease: tokenLeaseHealth(deps),
  };
}

function tokenLeaseHealth(deps: StatusServiceDeps): NonNullable<Health["warehouse"]>["token_lease"] {
  const lease = deps.warehouse?.tokenLease.status();
  if (!lease) return null;
  return { ...lease, last_error: lease.last_error === null ? null : maskSecrets(lease.last_error) };
}

function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

export type StatusServiceDeps = Pick<AppDeps, "storageStatus" | "refusals" | "config" | "polls" | "sync" | "warehouse" | "mqtt" | "accounts" | "now" | "version" | "startedAt" | "events" | "metrics" | "hooks">;

function mqttHealth(deps: StatusServiceDeps): Health["mqtt"] {
  if (!deps.mqtt) return null;
  const status = deps.mqtt.status();
  return { ...status, last_error: status.last_error === null ? null : maskSecrets(status.last_error) };
}

export function statusService(deps: StatusServiceDeps) {
  return {
    /** /health: `ok` false when the database cannot be used (the answer is then a 503). */
    async health(principal: Principal | undefined): Promise<{ ok: boolean; body: Health }> {
      const readable = await deps.storageStatus.ping();
      const storage = deps.storageStatus.health();
      const databaseOk = readable && storage.writable;
      const summary = {
        status: databaseOk ? ("ok" as const) : ("unavailable" as const),
        version: deps.version,
        uptime_seconds: Math.round((deps.now() - deps.startedAt) / 100) / 10,
      };
      let body: Health;
      if (!principal?.isOperator) {
        body = { ...summary, role: principal?.role === "wearer" ? "wearer" : "anonymous", database: { ok: databaseOk, state: readable ? storage.state : "unreachable" } };
      } else {
        const [eventsStored, lastEventAt] = readable
          ? await Promise.all([deps.events.countEvents(), deps.events.lastEventAt()]).catch(() => [null, null] as const)
          : ([null, null] as const);
        body = {
          ...summary,
          role: "operator",
          database: readable
            ? { ok: databaseOk, ...storage }
            : { ...storage, ok: false, writable: false, state: "unreachable", problem: "the database cannot be read" },
          events_stored: eventsStored,
          last_event_at: lastEventAt,
          webhooks: deps.refusals.status(),
          oura: accountHealth(deps),
          polling: await pollingHealth(deps, readable),
          storage_backend: deps.config.warehouse ? "warehouse" : "sqlite",
          warehouse: readable ? readOr(() => warehouseHealth(deps), null) : null,
          mqtt: mqttHealth(deps),
          hooks: readable ? readOr(() => deps.hooks.store.status(), null) : null,
        };
      }
      return { ok: databaseOk, body };
    },

    /** The warehouse's outbox, shipper and token lease (null with sqlite). */
    warehouse(principal: Principal): Health["warehouse"] {
      principal.requireOperator("see the warehouse's status");
      return warehouseHealth(deps);
    },

    /** What the dashboard shows of the server to an operator (null for anyone else). */
    operatorStrip(principal: Principal) {
      if (!principal.isOperator) return null;
      return { warehouse: warehouseHealth(deps), mqtt: mqttHealth(deps), refusalAlert: deps.refusals.status().alert, storageBytes: deps.storageStatus.sizeBytes(), hooks: readOr(() => deps.hooks.store.status(), null) };
    },

    /** GET /polling: a wearer's own pairs; the shared request budget for operators only. */
    async polling(principal: Principal): Promise<PollingStatus> {
      const mode = pollingMode(deps);
      const { polling } = deps.config;
      const only = principal.scope();
      const states = only === null ? [] : await deps.polls.pollStates(only);
      return {
        mode,
        interval_seconds: mode === "poll" ? polling.intervalSeconds : mode === "reconcile" ? polling.reconcileIntervalHours * 3600 : null,
        lookback_days: polling.lookbackDays,
        data_types: polling.dataTypes,
        budget: principal.isOperator ? (deps.sync?.budget.status() ?? null) : null,
        pairs: states.map(({ next_run_at_ms, ...state }) => ({ ...state, next_run_at: next_run_at_ms > 0 ? new Date(next_run_at_ms).toISOString() : null })),
      };
    },

    /** Prometheus text; `principal` undefined means METRICS_TOKEN, which may read it and nothing else. */
    metrics(principal: Principal | undefined): Promise<string> {
      principal?.requireOperator("read the server's metrics");
      return deps.metrics.render();
    },
  };
}
