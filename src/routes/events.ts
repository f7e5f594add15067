// The stored event log: list (filtered, cursor-paginated), read one, delete.
import { eventService } from "../services/events.ts";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { DeleteResult, Event, EventFilter, EventIdParams, EventList, EventListQuery } from "../schemas/event.ts";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";
import type { EventServiceDeps } from "../services/events.ts";

const unauthorized = errorResponse("Missing or wrong bearer token");

const listRoute = defineRoute({
  method: "get",
  path: "/events",
  tags: ["Events"],
  summary: "List stored events, newest first",
  security: DATA_SECURITY,
  request: { query: EventListQuery },
  responses: { 200: jsonResponse(EventList, "A page of events"), 400: errorResponse("Invalid query"), 401: unauthorized },
});

const getRoute = defineRoute({
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

const deleteRoute = defineRoute({
  method: "delete",
  path: "/events",
  tags: ["Events"],
  summary: "Delete stored events (all, or those matching the filters); operators only",
  security: DATA_SECURITY,
  request: { query: EventFilter },
  responses: {
    200: jsonResponse(DeleteResult, "How many events were deleted"),
    400: errorResponse("Invalid query"),
    401: unauthorized,
    403: errorResponse("Not an operator, or a browser session without the X-CSRF-Token header"),
    503: errorResponse("The database cannot be written right now"),
  },
});

export function createEventRoutes(deps: EventServiceDeps) {
  const app = createRouter();
  const events = eventService(deps);

  app.openapi(listRoute, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid("query");
    const page = await events.list(c.var.principal, filter, { limit, cursor });
    return c.json({ count: page.events.length, total_stored: page.total, events: page.events, next_cursor: page.nextCursor }, 200);
  });

  app.openapi(getRoute, async (c) => c.json(await events.get(c.var.principal, c.req.valid("param").id), 200));

  app.openapi(deleteRoute, async (c) => c.json({ deleted: await events.remove(c.var.principal, c.req.valid("query")) }, 200));

  return app;
}
