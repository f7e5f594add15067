// GET /polling: the poller's state per user and data type (a session sees its own user only).
import { createRoute } from "@hono/zod-openapi";
import { visibleUser } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { PollingStatus } from "../schemas/polling.ts";
import { createRouter, DATA_SECURITY } from "./router.ts";

const pollingRoute = createRoute({
  method: "get",
  path: "/polling",
  tags: ["Polling"],
  summary: "Polling and reconciliation status",
  description: "Per linked user and data type: last success, last error, next run and what was read; and the shared Oura request budget.",
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
    const states = await deps.store.pollStates(visibleUser(c.var.principal));
    const body: PollingStatus = {
      mode,
      interval_seconds: mode === "poll" ? polling.intervalSeconds : mode === "reconcile" ? polling.reconcileIntervalHours * 3600 : null,
      lookback_days: polling.lookbackDays,
      data_types: polling.dataTypes,
      budget: deps.budget?.status() ?? null,
      pairs: states.map(({ next_run_at_ms, ...state }) => ({ ...state, next_run_at: next_run_at_ms > 0 ? new Date(next_run_at_ms).toISOString() : null })),
    };
    return c.json(body, 200);
  });
  return app;
}
