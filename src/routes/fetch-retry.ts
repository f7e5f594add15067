// POST /events/retry-failed: an operator puts every failed document fetch back in the queue (after an Oura outage, or
// once a missing scope is granted). The rule and the work are the event service's.
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { RetryFailedResult } from "../schemas/fetch-retry.ts";
import { eventService } from "../services/events.ts";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";
import type { EventServiceDeps } from "../services/events.ts";

const retryFailedRoute = defineRoute({
  method: "post",
  path: "/events/retry-failed",
  tags: ["Events"],
  summary: "Queue every failed document fetch again; operators only",
  description:
    "Fetches that gave up on a transient failure (Oura answering 5xx or not at all) are queued again by themselves when Oura answers after an outage; this also takes those that failed for another reason (e.g. a 403 before a scope was granted). A 404 (missing) or a refused sign-in (awaiting_link) is not a failure and stays as it is.",
  security: DATA_SECURITY,
  responses: {
    200: jsonResponse(RetryFailedResult, "How many fetches were queued again"),
    403: errorResponse("Not an operator, or a browser session without the X-CSRF-Token header"),
    503: errorResponse("Oura sign-in is not configured (nothing could fetch them), or the database cannot be written"),
  },
});

export function createFetchRetryRoutes(deps: EventServiceDeps) {
  const app = createRouter();
  const events = eventService(deps);
  app.openapi(retryFailedRoute, async (c) => c.json({ requeued: await events.retryFailed(c.var.principal) }, 200));
  return app;
}
