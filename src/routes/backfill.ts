// History imports: POST /backfill starts one (one at a time per user), GET shows progress, DELETE cancels.
import { AppError } from "../errors.ts";
import { backfillProgress } from "../jobs/backfill.ts";
import { BackfillId, BackfillList, BackfillProgress, NewBackfill } from "../schemas/backfill.ts";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { importService } from "../services/imports.ts";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";
import type { ImportServiceDeps } from "../services/imports.ts";

const createBackfillRoute = defineRoute({
  method: "post",
  path: "/backfill",
  tags: ["Backfill"],
  summary: "Import a user's history",
  description:
    "Reads the user's documents (and heart rate) from `start_date` to `end_date` in windows, newest first, within the shared Oura request budget (after webhook fetches and polls). Resumes after a restart. One at a time per user: a second request answers 409 with the running one's id. Imports of different users take turns a window at a time, so a long import never holds up another user's. A wearer imports their own history (`user_id` may be left out); an operator names the user. Oura keeps nothing older than the first Oura ring (2015), so `start_date` may not be earlier than 2015-01-01.",
  security: DATA_SECURITY,
  request: { body: { required: true, content: { "application/json": { schema: NewBackfill } } } },
  responses: {
    201: jsonResponse(BackfillProgress, "Queued"),
    400: errorResponse("Not JSON, or no user_id from an operator"),
    422: errorResponse("Invalid dates, order or data types, or a start before 2015-01-01"),
    401: errorResponse("Not signed in"),
    404: errorResponse("That user has not signed in with Oura (or is not the caller's own)"),
    409: errorResponse("A backfill of this user is not finished"),
    503: errorResponse("Oura sign-in is not configured"),
  },
});

const listBackfillsRoute = defineRoute({
  method: "get",
  path: "/backfill",
  tags: ["Backfill"],
  summary: "Recent backfills, newest first",
  security: DATA_SECURITY,
  responses: { 200: jsonResponse(BackfillList, "Backfills"), 401: errorResponse("Not signed in") },
});

const getBackfillRoute = defineRoute({
  method: "get",
  path: "/backfill/{id}",
  tags: ["Backfill"],
  summary: "A backfill's progress",
  security: DATA_SECURITY,
  request: { params: BackfillId },
  responses: { 200: jsonResponse(BackfillProgress, "Progress"), 401: errorResponse("Not signed in"), 404: errorResponse("No such backfill") },
});

const cancelBackfillRoute = defineRoute({
  method: "delete",
  path: "/backfill/{id}",
  tags: ["Backfill"],
  summary: "Cancel a backfill",
  description: "Stops before its next request; what it stored stays. Cancelling a finished backfill changes nothing.",
  security: DATA_SECURITY,
  request: { params: BackfillId },
  responses: { 200: jsonResponse(BackfillProgress, "Cancelled (or already finished)"), 401: errorResponse("Not signed in"), 404: errorResponse("No such backfill") },
});

export function createBackfillRoutes(deps: ImportServiceDeps) {
  const app = createRouter();
  const imports = importService(deps);

  app.openapi(createBackfillRoute, async (c) => {
    const body = c.req.valid("json");
    const { backfill, created } = await imports.queue(c.var.principal, { userId: body.user_id, startDate: body.start_date, endDate: body.end_date, dataTypes: body.data_types });
    if (!created) throw new AppError(409, "backfill_running", `backfill ${backfill.id} of ${backfill.user_id} is not finished; cancel it or wait`, { id: backfill.id });
    return c.json(backfillProgress(backfill), 201);
  });

  app.openapi(listBackfillsRoute, async (c) => c.json({ backfills: (await imports.list(c.var.principal)).map(backfillProgress) }, 200));

  app.openapi(getBackfillRoute, async (c) => c.json(backfillProgress(await imports.get(c.var.principal, c.req.valid("param").id)), 200));

  app.openapi(cancelBackfillRoute, async (c) => c.json(backfillProgress(await imports.cancel(c.var.principal, c.req.valid("param").id)), 200));

  return app;
}
