// GET /polling: the poller's state per user and data type (a session sees its own user only).
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { PollingStatus } from "../schemas/polling.ts";
import { statusService } from "../services/server-status.ts";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";
import type { StatusServiceDeps } from "../services/server-status.ts";

const pollingRoute = defineRoute({
  method: "get",
  path: "/polling",
  tags: ["Polling"],
  summary: "Polling and reconciliation status",
  description: "Per linked user and data type: last success, last error, next run and what was read (a wearer: their own); and, for operators, the shared Oura request budget.",
  security: DATA_SECURITY,
  responses: { 200: jsonResponse(PollingStatus, "Status"), 401: errorResponse("Not signed in") },
});

export function createPollingRoutes(deps: StatusServiceDeps) {
  const app = createRouter();
  const status = statusService(deps);
  app.openapi(pollingRoute, async (c) => c.json(await status.polling(c.var.principal), 200));
  return app;
}
