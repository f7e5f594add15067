// Oura webhook subscriptions (app-level, authenticated to Oura with the client id and secret): operators only.
import { z } from "@hono/zod-openapi";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { NewSubscription, Subscription, SubscriptionParams, SyncReport } from "../schemas/subscription.ts";
import { subscriptionService } from "../services/subscriptions.ts";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";
import type { SubscriptionServiceDeps } from "../services/subscriptions.ts";

const common = {
  tags: ["Subscriptions"],
  security: DATA_SECURITY,
};
const failures = {
  401: errorResponse("Not signed in"),
  403: errorResponse("Not an operator, or a browser session without the X-CSRF-Token header (changes only)"),
  502: errorResponse("Oura could not be reached or refused the app credentials"),
  503: errorResponse("OURA_CLIENT_ID / OURA_CLIENT_SECRET not configured"),
};

const listRoute = defineRoute({
  ...common,
  method: "get",
  path: "/subscriptions",
  summary: "Oura's webhook subscriptions for this app",
  responses: { 200: jsonResponse(z.array(Subscription), "Subscriptions"), ...failures },
});

const createSubscriptionRoute = defineRoute({
  ...common,
  method: "post",
  path: "/subscriptions",
  summary: "Subscribe to one data type and event type (Oura then runs the handshake against our callback)",
  description: "Idempotent: when the same data type and event type already have a subscription at the same callback URL, that one is answered (200) and Oura is not asked for a duplicate.",
  request: { body: { required: true, content: { "application/json": { schema: NewSubscription } } } },
  responses: {
    200: jsonResponse(Subscription, "Already subscribed: the existing subscription"),
    201: jsonResponse(Subscription, "Created"),
    400: errorResponse("No callback URL (set PUBLIC_URL), or a body that is not JSON"),
    415: errorResponse("The body is not application/json"),
    422: errorResponse("Invalid body, or refused by Oura"),
    ...failures,
  },
});

const renewRoute = defineRoute({
  ...common,
  method: "put",
  path: "/subscriptions/{id}/renew",
  summary: "Renew a subscription now",
  request: { params: SubscriptionParams },
  responses: { 200: jsonResponse(Subscription, "Renewed"), 404: errorResponse("No such subscription"), ...failures },
});

const deleteRoute = defineRoute({
  ...common,
  method: "delete",
  path: "/subscriptions/{id}",
  summary: "Delete a subscription",
  request: { params: SubscriptionParams },
  responses: { 200: jsonResponse(z.object({ deleted: z.string() }), "Deleted"), 404: errorResponse("No such subscription"), ...failures },
});

const syncRoute = defineRoute({
  ...common,
  method: "post",
  path: "/subscriptions/sync",
  summary: "Subscribe to every data type × create/update/delete at our callback URL (creates, re-points, removes duplicates)",
  responses: { 200: jsonResponse(SyncReport, "What changed"), 400: errorResponse("No callback URL: set PUBLIC_URL"), ...failures },
});

export function createSubscriptionRoutes(deps: SubscriptionServiceDeps) {
  const app = createRouter();
  const subscriptions = subscriptionService(deps);

  app.openapi(listRoute, async (c) => c.json(await subscriptions.list(c.var.principal), 200));

  app.openapi(createSubscriptionRoute, async (c) => {
    const { subscription, created } = await subscriptions.create(c.var.principal, c.req.valid("json"));
    return created ? c.json(subscription, 201) : c.json(subscription, 200);
  });

  app.openapi(renewRoute, async (c) => c.json(await subscriptions.renew(c.var.principal, c.req.valid("param").id), 200));

  app.openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid("param");
    await subscriptions.remove(c.var.principal, id);
    return c.json({ deleted: id }, 200);
  });

  app.openapi(syncRoute, async (c) => c.json(await subscriptions.sync(c.var.principal), 200));

  return app;
}
