// Oura webhook subscriptions (app-level, authenticated to Oura with the client id and secret).
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { OuraApiError } from "../oura/client.ts";
import { syncSubscriptions } from "../oura/subscription-sync.ts";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { NewSubscription, Subscription, SubscriptionParams, SyncReport } from "../schemas/subscription.ts";
import { requireOura } from "./require-oura.ts";
import { createRouter, DATA_SECURITY } from "./router.ts";

const common = {
  tags: ["Subscriptions"],
  security: DATA_SECURITY,
};
const failures = {
  401: errorResponse("Not signed in"),
  403: errorResponse("A browser session without the X-CSRF-Token header (changes only)"),
  502: errorResponse("Oura could not be reached or refused the app credentials"),
  503: errorResponse("OURA_CLIENT_ID / OURA_CLIENT_SECRET not configured"),
};

const listRoute = createRoute({
  ...common,
  method: "get",
  path: "/subscriptions",
  summary: "Oura's webhook subscriptions for this app",
  responses: { 200: jsonResponse(z.array(Subscription), "Subscriptions"), ...failures },
});

const createSubscriptionRoute = createRoute({
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

const renewRoute = createRoute({
  ...common,
  method: "put",
  path: "/subscriptions/{id}/renew",
  summary: "Renew a subscription now",
  request: { params: SubscriptionParams },
  responses: { 200: jsonResponse(Subscription, "Renewed"), 404: errorResponse("No such subscription"), ...failures },
});

const deleteRoute = createRoute({
  ...common,
  method: "delete",
  path: "/subscriptions/{id}",
  summary: "Delete a subscription",
  request: { params: SubscriptionParams },
  responses: { 200: jsonResponse(z.object({ deleted: z.string() }), "Deleted"), 404: errorResponse("No such subscription"), ...failures },
});

const syncRoute = createRoute({
  ...common,
  method: "post",
  path: "/subscriptions/sync",
  summary: "Subscribe to every data type × create/update/delete at our callback URL (creates, re-points, removes duplicates)",
  responses: { 200: jsonResponse(SyncReport, "What changed"), 400: errorResponse("No callback URL: set PUBLIC_URL"), ...failures },
});

/** Oura's refusals, passed back as our JSON errors naming Oura's answer; never a crash or a bare 500. */
async function askOura<T>(call: () => Promise<T>, notFound = false): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof OuraApiError)) throw error;
    if (notFound && (error.status === 403 || error.status === 404)) throw new AppError(404, "subscription_not_found", `Oura has no such subscription (${error.status}: ${error.detail})`);
    if (error.status === 422 || error.status === 400) throw new AppError(422, "oura_refused", `Oura refused: ${error.detail}`);
    throw new AppError(502, "oura_unavailable", error.status ? `Oura answered ${error.status}: ${error.detail}` : error.detail);
  }
}

export function createSubscriptionRoutes(deps: AppDeps) {
  const app = createRouter(deps);

  const oura = () => requireOura(deps, "manage subscriptions");
  const callbackUrl = (explicit?: string): string => {
    if (explicit) return explicit;
    if (!deps.config.publicUrl) throw new AppError(400, "public_url_missing", "set PUBLIC_URL (the address Oura can reach) or pass callback_url");
    return `${deps.config.publicUrl}/webhooks`;
  };

  app.openapi(listRoute, async (c) => c.json(await askOura(() => oura().listSubscriptions()), 200));

  app.openapi(createSubscriptionRoute, async (c) => {
    const body = c.req.valid("json");
    const client = oura();
    const callback = callbackUrl(body.callback_url);
    const existing = (await askOura(() => client.listSubscriptions())).find(
      (s) => s.data_type === body.data_type && s.event_type === body.event_type && s.callback_url === callback,
    );
    if (existing) return c.json(existing, 200);
    const created = await askOura(() => client.createSubscription({ ...body, callback_url: callback, verification_token: deps.verificationToken }));
    deps.logger.info("subscriptions.created", { data_type: created.data_type, event_type: created.event_type });
    return c.json(created, 201);
  });

  app.openapi(renewRoute, async (c) => {
    const { id } = c.req.valid("param");
    const client = oura();
    return c.json(await askOura(() => client.renewSubscription(id), true), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid("param");
    const client = oura();
    await askOura(() => client.deleteSubscription(id), true);
    deps.logger.info("subscriptions.deleted", { id });
    return c.json({ deleted: id }, 200);
  });

  app.openapi(syncRoute, async (c) => {
    const client = oura();
    const url = callbackUrl();
    return c.json(await askOura(() => syncSubscriptions(client, url, deps.verificationToken, deps.logger)), 200);
  });

  return app;
}
