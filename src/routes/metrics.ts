// GET /metrics (Prometheus text format) and the request-duration measurement behind it.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { secretsEqual } from "../auth/constant-time.ts";
import { bearerToken, requirePrincipal } from "../auth/principal.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { labelKey } from "../metrics.ts";
import { errorResponse } from "../schemas/common.ts";

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["Operations"],
  summary: "Prometheus metrics",
  security: [{ bearerAuth: [] }, { sessionCookie: [] }],
  responses: {
    200: { description: "Metrics in the Prometheus text format", content: { "text/plain": { schema: z.string() } } },
    401: errorResponse("Neither METRICS_TOKEN, the API token nor a session"),
  },
});

export function measureRequests(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const keys = new Map<string, string>();
  return async function requestTimer(c, next) {
    const started = performance.now();
    await next();
    const method = c.req.method;
    const status = c.res.status;
    const id = `${method} ${status}`;
    let k = keys.get(id);
    if (k === undefined) keys.set(id, (k = labelKey({ method, status: `${Math.floor(status / 100)}xx` })));
    deps.metrics.requests.observe(k, (performance.now() - started) / 1000);
  };
}

export function createMetricsRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const principalGuard = requirePrincipal(deps);
  app.use("/metrics", async (c, next) => {
    const presented = bearerToken(c.req.header("authorization"));
    if (presented && deps.config.metricsToken && secretsEqual(presented, deps.config.metricsToken)) return next();
    return principalGuard(c, next);
  });
  app.openapi(metricsRoute, async (c) => c.text(await deps.metrics.render(), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }) as never);
  return app;
}
