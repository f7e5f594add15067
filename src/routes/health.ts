// Liveness and readiness in one answer. Anyone gets the status, the version and the database's state; operators
// also get the details (counts, polling, the warehouse, refused webhook deliveries), with anything token-like in
// an error text masked.
import { createRoute } from "@hono/zod-openapi";
import { maskSecrets } from "../auth/mask-secrets.ts";
import { oauthConfigured } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { createRouter, OPTIONAL_SESSION_SECURITY } from "./router.ts";
import { jsonResponse } from "../schemas/common.ts";
import { Health } from "../schemas/health.ts";
import { pollingMode } from "./polling.ts";
import { pollingStrip } from "../views/polling-strip.ts";

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Server health",
  description:
    "503 when the database cannot be used: a load balancer should then stop sending traffic here. Without credentials (or as a wearer): status, version and the database's state only; operators get the details.",
  security: OPTIONAL_SESSION_SECURITY,
  responses: { 200: jsonResponse(Health, "Healthy"), 503: jsonResponse(Health, "Database unusable") },
});

function accountHealth(deps: AppDeps): Health["oura"] {
  const linked = readOr(() => deps.accounts.list(), []);
  return { oauth_configured: oauthConfigured(deps.config), linked_users: linked.length, needs_reauth: linked.filter((a) => a.needs_reauth).length };
}

async function pollingHealth(deps: AppDeps, readable: boolean): Promise<Health["polling"]> {
  const states = readable ? await deps.store.pollStates().catch(() => []) : [];
  const strip = pollingStrip(pollingMode(deps), states);
  return { mode: strip.mode, pairs: states.filter((s) => s.last_success_at || s.last_error_at).length, failing: strip.failing.length, last_success_at: strip.lastSuccessAt };
}

export function warehouseHealth(deps: AppDeps): Health["warehouse"] {
  if (!deps.shipper || !deps.config.warehouse) return null;
  const status = deps.shipper.status();
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

function tokenLeaseHealth(deps: AppDeps): NonNullable<Health["warehouse"]>["token_lease"] {
  const lease = deps.tokenLease?.status();
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

export function createHealthRoutes(deps: AppDeps) {
  const app = createRouter(deps);
  app.openapi(healthRoute, async (c) => {
    const readable = await deps.store.ping();
    const storage = deps.store.health();
    const databaseOk = readable && storage.writable;
    const summary = {
      status: databaseOk ? ("ok" as const) : ("unavailable" as const),
      version: deps.version,
      uptime_seconds: Math.round((deps.now() - deps.startedAt) / 100) / 10,
    };
    const principal = c.var.principal;
    let body: Health;
    if (!principal?.isOperator) {
      body = { ...summary, role: principal?.role === "wearer" ? "wearer" : "anonymous", database: { ok: databaseOk, state: readable ? storage.state : "unreachable" } };
    } else {
      const [eventsStored, lastEventAt] = readable
        ? await Promise.all([deps.store.countEvents(), deps.store.lastEventAt()]).catch(() => [null, null] as const)
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
      };
    }
    return databaseOk ? c.json(body, 200) : c.json(body, 503);
  });
  return app;
}
