// The stored event log: list (filtered, cursor-paginated), read one, delete.
import { createRoute } from "@hono/zod-openapi";
import { visibleUser } from "../auth/principal.ts";
import type { Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { DeleteResult, Event, EventFilter, EventIdParams, EventList, EventListQuery } from "../schemas/event.ts";
import { createRouter, DATA_SECURITY } from "./router.ts";

const unauthorized = errorResponse("Missing or wrong bearer token");

const listRoute = createRoute({
  method: "get",
  path: "/events",
  tags: ["Events"],
  summary: "List stored events, newest first",
  security: DATA_SECURITY,
  request: { query: EventListQuery },
  responses: { 200: jsonResponse(EventList, "A page of events"), 400: errorResponse("Invalid query"), 401: unauthorized },
});

const getRoute = createRoute({
  method: "get",
  path: "/events/{id}",
  tags: ["Events"],
  summary: "One stored event",
  security: DATA_SECURITY,
  request: { params: EventIdParams },
  responses: {
    200: jsonResponse(Event, "The event"),
    400: errorResponse("Invalid id"),
    401: unauthorized,
    404: errorResponse("No such event"),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/events",
  tags: ["Events"],
  summary: "Delete stored events (all, or those matching the filters)",
  security: DATA_SECURITY,
  request: { query: EventFilter },
  responses: {
    200: jsonResponse(DeleteResult, "How many events were deleted"),
    400: errorResponse("Invalid query"),
    401: unauthorized,
    403: errorResponse("A browser session without the X-CSRF-Token header"),
    503: errorResponse("The database cannot be written right now"),
  },
});

/** A session sees only its own Oura user's events; undefined when it asked for someone else's (nothing visible). */
function scoped<T extends { user_id?: string }>(principal: Principal, filter: T): T | undefined {
  const only = visibleUser(principal);
  if (only === undefined) return filter;
  if (filter.user_id !== undefined && filter.user_id !== only) return undefined;
  return { ...filter, user_id: only };
}

export function createEventRoutes(deps: AppDeps) {
  const app = createRouter(deps);

  app.openapi(listRoute, async (c) => {
    const { limit, cursor, ...requested } = c.req.valid("query");
    const filter = scoped(c.var.principal, requested);
    // A session's total is its own user's: the size of other users' data is not its business.
    const only = visibleUser(c.var.principal);
    if (!filter) return c.json({ count: 0, total_stored: await deps.store.countEvents(only), events: [], next_cursor: null }, 200);
    const [page, total] = await Promise.all([deps.store.listEvents(filter, { limit, cursor }), deps.store.countEvents(only)]);
    return c.json({ count: page.events.length, total_stored: total, events: page.events, next_cursor: page.nextCursor }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid("param");
    const event = await deps.store.getEvent(id);
    const only = visibleUser(c.var.principal);
    if (!event || (only !== undefined && event.user_id !== only)) throw new AppError(404, "event_not_found", `no event with id ${id}`);
    return c.json(event, 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const filter = scoped(c.var.principal, c.req.valid("query"));
    if (!filter) return c.json({ deleted: 0 }, 200);
    const deleted = await deps.store.deleteEvents(filter);
    deps.logger.info("events.deleted", { count: deleted, ...filter });
    return c.json({ deleted }, 200);
  });

  return app;
}
