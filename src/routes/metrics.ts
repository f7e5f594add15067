// GET /metrics (Prometheus text format) and the request-duration measurement behind it.
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { cachedLabelKeys, type Metrics } from "../metrics.ts";
import { errorResponse } from "../schemas/common.ts";
import { statusService } from "../services/server-status.ts";
import { createRouter, defineRoute, METRICS_SECURITY } from "./router.ts";
import type { StatusServiceDeps } from "../services/server-status.ts";

const metricsRoute = defineRoute({
  method: "get",
  path: "/metrics",
  tags: ["Operations"],
  summary: "Prometheus metrics",
  security: METRICS_SECURITY,
  responses: {
    200: { description: "Metrics in the Prometheus text format", content: { "text/plain": { schema: z.string() } } },
    401: errorResponse("Neither METRICS_TOKEN, the API token nor a session"),
    403: errorResponse("A wearer's session (metrics are the operator's)"),
  },
});

/** Records one answered request in the duration histogram; label sets are rendered once per method and status. */
export function requestObserver(metrics: Metrics): (method: string, status: number, startedAt: number) => void {
  const keyFor = cachedLabelKeys((id) => {
    const [method = "", status = ""] = id.split(" ");
    return { method, status: `${status[0]}xx` };
  });
  return (method, status, startedAt) => metrics.requests.observe(keyFor(`${method} ${status}`), (performance.now() - startedAt) / 1000);
}

export function measureRequests(deps: Pick<AppDeps, "metrics">): MiddlewareHandler<AppEnv> {
  const observe = requestObserver(deps.metrics);
  return async function requestTimer(c, next) {
    const started = performance.now();
    await next();
    observe(c.req.method, c.res.status, started);
  };
}

/** The same measurement for a handler Bun.serve calls directly, outside Hono. */
export function measured(metrics: Metrics, handler: (request: Request) => Promise<Response>): (request: Request) => Promise<Response> {
  const observe = requestObserver(metrics);
  return async (request) => {
    const started = performance.now();
    const response = await handler(request);
    observe(request.method, response.status, started);
    return response;
  };
}

export function createMetricsRoutes(deps: StatusServiceDeps) {
  const app = createRouter();
  const status = statusService(deps);
  // METRICS_TOKEN sets no principal (the guard let it through); anyone else must be an operator.
  app.openapi(metricsRoute, async (c) => c.text(await status.metrics(c.var.principal), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }) as never);
  return app;
}
