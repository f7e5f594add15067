// History imports: POST /backfill starts one (one at a time per user), GET shows progress, DELETE cancels.
import { createRoute } from "@hono/zod-openapi";
import { visibleUser } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { backfillProgress } from "../jobs/backfill.ts";
import { BackfillId, BackfillList, BackfillProgress, NewBackfill } from "../schemas/backfill.ts";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { createRouter, DATA_SECURITY } from "./router.ts";

const createBackfillRoute = createRoute({
  method: "post",
  path: "/backfill",
  tags: ["Backfill"],
  summary: "Import a user's history",
  description:
    "Reads the user's documents (and heart rate) from `start_date` to `end_date` in windows, newest first, within the shared Oura request budget (after webhook fetches and polls). Resumes after a restart. One at a time per user: a second request answers 409 with the running one's id.",
  security: DATA_SECURITY,
  request: { body: { required: true, content: { "application/json": { schema: NewBackfill } } } },
  responses: {
    201: jsonResponse(BackfillProgress, "Queued"),
    400: errorResponse("Not JSON, or no user_id with the API token"),
    422: errorResponse("Invalid dates, order or data types"),
    401: errorResponse("Not signed in"),
    403: errorResponse("A session asked for another user"),
    404: errorResponse("That user has not signed in with Oura"),
    409: errorResponse("A backfill of this user is not finished"),
    503: errorResponse("Oura sign-in is not configured"),
  },
});

const listBackfillsRoute = createRoute({
  method: "get",
  path: "/backfill",
  tags: ["Backfill"],
  summary: "Recent backfills, newest first",
  security: DATA_SECURITY,
  responses: { 200: jsonResponse(BackfillList, "Backfills"), 401: errorResponse("Not signed in") },
});

const getBackfillRoute = createRoute({
  method: "get",
  path: "/backfill/{id}",
  tags: ["Backfill"],
  summary: "A backfill's progress",
  security: DATA_SECURITY,
  request: { params: BackfillId },
  responses: { 200: jsonResponse(BackfillProgress, "Progress"), 401: errorResponse("Not signed in"), 404: errorResponse("No such backfill") },
});

const cancelBackfillRoute = createRoute({
  method: "delete",
  path: "/backfill/{id}",
  tags: ["Backfill"],
  summary: "Cancel a backfill",
  description: "Stops before its next request; what it stored stays. Cancelling a finished backfill changes nothing.",
  security: DATA_SECURITY,
  request: { params: BackfillId },
  responses: { 200: jsonResponse(BackfillProgress, "Cancelled (or already finished)"), 401: errorResponse("Not signed in"), 404: errorResponse("No such backfill") },
});

export function createBackfillRoutes(deps: AppDeps) {
  const app = createRouter(deps);

  async function visibleBackfill(id: number, only: string | undefined) {
    const backfill = await deps.store.getBackfill(id);
    if (!backfill || (only !== undefined && backfill.user_id !== only)) throw new AppError(404, "backfill_not_found", `no backfill ${id}`);
    return backfill;
  }

  app.openapi(createBackfillRoute, async (c) => {
    if (!deps.backfills) throw new AppError(503, "oura_not_configured", "backfills need Oura sign-in (OURA_CLIENT_ID and OURA_CLIENT_SECRET)");
    const body = c.req.valid("json");
    const only = visibleUser(c.var.principal);
    if (only !== undefined && body.user_id !== undefined && body.user_id !== only) throw new AppError(403, "forbidden", "a session can backfill its own Oura user only");
    const userId = only ?? body.user_id;
    if (userId === undefined) throw new AppError(400, "user_required", "say which user to backfill (user_id)");
    if (!deps.accounts.list(userId).length) throw new AppError(404, "user_not_linked", `${userId} has not signed in with Oura`);
    const { backfill, created } = await deps.backfills.queue({ userId, startDate: body.start_date, endDate: body.end_date, dataTypes: body.data_types ?? deps.config.polling.dataTypes });
    if (!created) throw new AppError(409, "backfill_running", `backfill ${backfill.id} of ${userId} is not finished; cancel it or wait`, { id: backfill.id });
    return c.json(backfillProgress(backfill), 201);
  });

  app.openapi(listBackfillsRoute, async (c) => {
    const backfills = await deps.store.listBackfills(visibleUser(c.var.principal));
    return c.json({ backfills: backfills.map(backfillProgress) }, 200);
  });

  app.openapi(getBackfillRoute, async (c) => {
    const backfill = await visibleBackfill(c.req.valid("param").id, visibleUser(c.var.principal));
    return c.json(backfillProgress(backfill), 200);
  });

  app.openapi(cancelBackfillRoute, async (c) => {
    const backfill = await visibleBackfill(c.req.valid("param").id, visibleUser(c.var.principal));
    const cancelled = (await deps.backfills?.cancel(backfill.id)) ?? backfill;
    return c.json(backfillProgress(cancelled), 200);
  });

  return app;
}
