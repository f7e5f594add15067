// Outgoing webhooks: POST /hooks registers an endpoint (its secret in the answer, once), GET lists and shows them,
// PATCH changes one (enabled: true turns a disabled one on again), DELETE removes it, and each has its delivery log
// with "send again". Operators manage every endpoint, a wearer their own (services/hooks.ts).
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { CreatedHook, Hook, HookChange, HookDelivery, HookDeliveryList, HookDeliveryParams, HookDeliveryQuery, HookIdParams, HookList, NewHook } from "../schemas/hooks.ts";
import { hookService, type HookServiceDeps } from "../services/hooks.ts";
import type { RouteConfig } from "@hono/zod-openapi";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";

/** Every route here: the same tag, and the data routes' security (what each caller may do is the service's business). */
function hookRoute<const R extends Omit<RouteConfig, "tags" | "security">>(config: R) {
  return defineRoute({ ...config, tags: ["Outgoing webhooks"], security: DATA_SECURITY });
}
const notFound = errorResponse("No such endpoint (or not the caller's own)");
const guest = errorResponse("Signed in without the right to register endpoints (a guest)");

const createHookRoute = hookRoute({
  method: "post",
  path: "/hooks",
  summary: "Register an outgoing webhook endpoint",
  description:
    "Every event that becomes final (its document fetched, or known not to come) and matches the filters is POSTed to `url`, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`) with the `secret` in this answer — shown this once. The body is `{type: \"<data_type>.<event_type>\", timestamp: <event_time>, data: <the event with its document>}`. Failed deliveries are retried with back-off for about a day; an endpoint failing for HOOKS_DISABLE_AFTER_DAYS is disabled. A wearer's endpoint only ever receives their own data.",
  request: { body: { required: true, content: { "application/json": { schema: NewHook } } } },
  responses: {
    201: jsonResponse(CreatedHook, "Registered; the secret is shown this once"),
    403: guest,
    404: errorResponse("A wearer's user filter names another user"),
    422: errorResponse("Not an http(s) URL, an unknown data or event type, or an address refused (private, loopback, plain http)"),
  },
});

const listHooksRoute = hookRoute({
  method: "get",
  path: "/hooks",
  summary: "Outgoing webhook endpoints (an operator's: all; a wearer's: their own)",
  responses: { 200: jsonResponse(HookList, "Endpoints, without their secrets"), 403: guest },
});

const getHookRoute = hookRoute({
  method: "get",
  path: "/hooks/{id}",
  summary: "An outgoing webhook endpoint",
  request: { params: HookIdParams },
  responses: { 200: jsonResponse(Hook, "The endpoint (never its secret)"), 403: guest, 404: notFound },
});

const updateHookRoute = hookRoute({
  method: "patch",
  path: "/hooks/{id}",
  summary: "Change an endpoint",
  description: "Fields left out stay; a filter set to null means all. `enabled: true` turns a disabled endpoint on again and clears its reason.",
  request: { params: HookIdParams, body: { required: true, content: { "application/json": { schema: HookChange } } } },
  responses: { 200: jsonResponse(Hook, "Changed"), 403: guest, 404: notFound, 422: errorResponse("An invalid URL or filter, or an address refused") },
});

const rotateSecretRoute = hookRoute({
  method: "post",
  path: "/hooks/{id}/secret",
  summary: "Replace an endpoint's signing secret",
  description: "The new secret is in this answer only, and signs every attempt from now on (retries of earlier deliveries too); the old one stops at once.",
  request: { params: HookIdParams },
  responses: { 200: jsonResponse(CreatedHook, "The endpoint with its new secret, shown this once"), 403: guest, 404: notFound },
});

const deleteHookRoute = hookRoute({
  method: "delete",
  path: "/hooks/{id}",
  summary: "Remove an endpoint and its delivery log",
  request: { params: HookIdParams },
  responses: { 204: { description: "Removed: nothing more is sent to it" }, 403: guest, 404: notFound },
});

const listDeliveriesRoute = hookRoute({
  method: "get",
  path: "/hooks/{id}/deliveries",
  summary: "An endpoint's delivery log, newest first",
  request: { params: HookIdParams, query: HookDeliveryQuery },
  responses: { 200: jsonResponse(HookDeliveryList, "Deliveries: status, attempts, last error and response time"), 403: guest, 404: notFound },
});

const retryDeliveryRoute = hookRoute({
  method: "post",
  path: "/hooks/{id}/deliveries/{delivery_id}/retry",
  summary: "Send a delivery again",
  description: "Due at once, with the same webhook-id (receivers may drop it as a duplicate), its attempts counted afresh.",
  request: { params: HookDeliveryParams },
  responses: { 200: jsonResponse(HookDelivery, "Queued to be sent again"), 403: guest, 404: errorResponse("No such endpoint or delivery") },
});

export function createHookRoutes(deps: HookServiceDeps) {
  const app = createRouter();
  const hooks = hookService(deps);

  app.openapi(createHookRoute, async (c) => c.json(await hooks.create(c.var.principal, c.req.valid("json")), 201));
  app.openapi(listHooksRoute, (c) => c.json({ hooks: hooks.list(c.var.principal) }, 200));
  app.openapi(getHookRoute, (c) => c.json(hooks.get(c.var.principal, c.req.valid("param").id), 200));
  app.openapi(updateHookRoute, async (c) => c.json(await hooks.update(c.var.principal, c.req.valid("param").id, c.req.valid("json")), 200));
  app.openapi(rotateSecretRoute, async (c) => c.json(await hooks.rotateSecret(c.var.principal, c.req.valid("param").id), 200));
  app.openapi(deleteHookRoute, async (c) => {
    await hooks.remove(c.var.principal, c.req.valid("param").id);
    return c.body(null, 204);
  });
  app.openapi(listDeliveriesRoute, (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(hooks.deliveries(c.var.principal, c.req.valid("param").id, limit ?? 50, cursor === undefined ? undefined : Number(cursor)), 200);
  });
  app.openapi(retryDeliveryRoute, async (c) => {
    const { id, delivery_id } = c.req.valid("param");
    return c.json(await hooks.retry(c.var.principal, id, delivery_id), 200);
  });
  return app;
}
