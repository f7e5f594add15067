// The dashboard's "Outgoing webhooks" fragments: the panel (list and add form), add, enable again, delete, and an
// endpoint's delivery log with "send again" — thin adapters of services/hooks.ts, as the JSON routes are.
import { z, type RouteConfig } from "@hono/zod-openapi";
import type { Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import { errorResponse } from "../schemas/common.ts";
import { hookService, type HookServiceDeps } from "../services/hooks.ts";
import { DeliveryLog, HooksPanel } from "../views/hooks.tsx";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";

const html = { description: "HTML", content: { "text/html": { schema: z.string() } } };
const refusals = { 400: errorResponse("Invalid input"), 401: errorResponse("Not signed in"), 403: errorResponse("A guest, or a missing CSRF token"), 404: errorResponse("No such endpoint") };

function fragment<const R extends Omit<RouteConfig, "responses">>(config: R) {
  return defineRoute({ ...config, hide: true, security: DATA_SECURITY, responses: { 200: html, ...refusals } });
}

/** A multiple select sends its name once per choice: one value, several, or none. */
const choices = z.union([z.string().max(100), z.array(z.string().max(100)).max(100)]).optional();
const HookForm = z.object({
  _csrf: z.string().max(256).optional(),
  url: z.string().max(2048),
  data_types: choices,
  event_types: choices,
  user_ids: z.string().max(2000).optional(),
  description: z.string().max(500).optional(),
});
const HookId = z.object({ id: z.string().min(1).max(64) });

const panelRoute = fragment({ method: "get", path: "/dashboard/hooks" });
const addRoute = fragment({ method: "post", path: "/dashboard/hooks", request: { body: { required: true, content: { "application/x-www-form-urlencoded": { schema: HookForm } } } } });
const enableRoute = fragment({ method: "put", path: "/dashboard/hooks/{id}/enabled", request: { params: HookId } });
const deleteRoute = fragment({ method: "delete", path: "/dashboard/hooks/{id}", request: { params: HookId } });
const deliveriesRoute = fragment({ method: "get", path: "/dashboard/hooks/{id}/deliveries", request: { params: HookId } });
const retryRoute = fragment({ method: "post", path: "/dashboard/hooks/{id}/deliveries/{delivery_id}/retry", request: { params: HookId.extend({ delivery_id: z.coerce.number().int().min(1) }) } });

const listOf = (value: string | string[] | undefined) => {
  const values = (Array.isArray(value) ? value : value ? [value] : []).map((v) => v.trim()).filter(Boolean);
  return values.length ? values : null;
};

const LOG_SIZE = 20;

export function createDashboardHookRoutes(deps: HookServiceDeps) {
  const app = createRouter();
  const hooks = hookService(deps);

  const panel = (principal: Principal, extra: { created?: { id: string; url: string; secret: string }; error?: string } = {}) =>
    HooksPanel({
      operator: principal.isOperator,
      hooks: hooks.list(principal).map((hook) => ({ hook, last: deps.hooks.store.listDeliveries(hook.id, 1)[0] })),
      ...extra,
    });

  app.openapi(panelRoute, (c) => c.html(panel(c.var.principal)));

  app.openapi(addRoute, async (c) => {
    const form = c.req.valid("form");
    const principal = c.var.principal;
    try {
      const created = await hooks.create(principal, {
        url: form.url.trim(),
        data_types: listOf(form.data_types),
        event_types: listOf(form.event_types),
        user_ids: listOf(form.user_ids?.split(",")),
        description: form.description?.trim() || null,
      });
      return c.html(panel(principal, { created: { id: created.id, url: created.url, secret: created.secret } }));
    } catch (error) {
      // The form's own mistakes are said beside it, the panel kept; anything else is the app's error path.
      if (error instanceof AppError && error.status !== 403 && error.status < 500) return c.html(panel(principal, { error: error.message }));
      throw error;
    }
  });

  app.openapi(enableRoute, async (c) => {
    await hooks.update(c.var.principal, c.req.valid("param").id, { enabled: true });
    return c.html(panel(c.var.principal));
  });

  app.openapi(deleteRoute, async (c) => {
    await hooks.remove(c.var.principal, c.req.valid("param").id);
    return c.html(panel(c.var.principal));
  });

  app.openapi(deliveriesRoute, (c) => {
    const { id } = c.req.valid("param");
    return c.html(DeliveryLog({ hookId: id, deliveries: hooks.deliveries(c.var.principal, id, LOG_SIZE).deliveries }));
  });

  app.openapi(retryRoute, async (c) => {
    const { id, delivery_id } = c.req.valid("param");
    const delivery = await hooks.retry(c.var.principal, id, delivery_id);
    return c.html(DeliveryLog({ hookId: id, deliveries: hooks.deliveries(c.var.principal, id, LOG_SIZE).deliveries, note: `Delivery ${delivery.id} will be sent again (same webhook-id).` }));
  });

  return app;
}
