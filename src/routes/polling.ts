// GET /polling: the poller's state per user and data type (a session sees its own user only).
import { createRoute } from "@hono/zod-openapi";
import type { AppDeps } from "../deps.ts";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { PollingStatus } from "../schemas/polling.ts";
import { createRouter, DATA_SECURITY } from "./router.ts";

const pollingRoute = createRoute({
  method: "get",
  path: "/polling",
  tags: ["Polling"],
  summary: "Polling and reconciliation status",
  description: "Per linked user and data type: last success, last error, next run and what was read (a wearer: their own); and, for operators, the shared Oura request budget.",
  security: DATA_SECURITY,
  responses: { 200: jsonResponse(PollingStatus, "Status"), 401: errorResponse("Not signed in") },
});

export function pollingMode(deps: AppDeps): PollingStatus["mode"] {
  if (!deps.poller) return "off";
  return deps.config.polling.enabled ? "poll" : "reconcile";
}

export function createPollingRoutes(deps: AppDeps) {
  const app = createRouter(deps);
  app.openapi(pollingRoute, async (c) => {
    const mode = pollingMode(deps);
    const { polling } = deps.config;
    const principal = c.var.principal;
    const only = principal.scope();
    const states = only === null ? [] : await deps.store.pollStates(only);
    const body: PollingStatus = {
      mode,
      interval_seconds: mode === "poll" ? polling.intervalSeconds : mode === "reconcile" ? polling.reconcileIntervalHours * 3600 : null,
      lookback_days: polling.lookbackDays,
      data_types: polling.dataTypes,
      // The shared request budget is the server's business: operators only.
      budget: principal.isOperator ? (deps.budget?.status() ?? null) : null,
      pairs: states.map(({ next_run_at_ms, ...state }) => ({ ...state, next_run_at: next_run_at_ms > 0 ? new Date(next_run_at_ms).toISOString() : null })),
    };
    return c.json(body, 200);
  });
  return app;
}
