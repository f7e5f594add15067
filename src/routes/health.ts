// Liveness and readiness in one answer; what each caller sees of it is services/server-status.ts's business.
import { statusService } from "../services/server-status.ts";
import { createRouter, defineRoute, OPTIONAL_SESSION_SECURITY } from "./router.ts";
import { jsonResponse } from "../schemas/common.ts";
import { Health } from "../schemas/health.ts";
import type { StatusServiceDeps } from "../services/server-status.ts";

const healthRoute = defineRoute({
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Server health",
  description:
    "503 when the database cannot be used: a load balancer should then stop sending traffic here. Without credentials (or as a wearer): status, version and the database's state only; operators get the details.",
  security: OPTIONAL_SESSION_SECURITY,
  responses: { 200: jsonResponse(Health, "Healthy"), 503: jsonResponse(Health, "Database unusable") },
});

export function createHealthRoutes(deps: StatusServiceDeps) {
  const app = createRouter();
  const status = statusService(deps);
  app.openapi(healthRoute, async (c) => {
    const { ok, body } = await status.health(c.var.principal);
    return ok ? c.json(body, 200) : c.json(body, 503);
  });
  return app;
}
