// The dashboard's "AI assistants" fragments: the panel (tokens, the access log, the form), make a token, revoke one —
// thin adapters of services/mcp-tokens.ts, as the JSON routes are.
import { z, type RouteConfig } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Principal } from "../auth/principal.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { errorResponse } from "../schemas/common.ts";
import { type CreatedMcpToken, mcpTokenService, type McpTokenServiceDeps } from "../services/mcp-tokens.ts";
import { AssistantsPanel } from "../views/assistants.tsx";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";

const html = { description: "HTML", content: { "text/html": { schema: z.string() } } };
const refusals = { 400: errorResponse("Invalid input"), 401: errorResponse("Not signed in"), 403: errorResponse("A guest, or a missing CSRF token"), 404: errorResponse("No such token") };

function fragment<const R extends Omit<RouteConfig, "responses">>(config: R) {
  return defineRoute({ ...config, hide: true, security: DATA_SECURITY, responses: { 200: html, ...refusals } });
}

const TokenForm = z.object({ _csrf: z.string().max(256).optional(), name: z.string().max(60) });
const TokenId = z.object({ id: z.string().min(1).max(64) });

const panelRoute = fragment({ method: "get", path: "/dashboard/assistants" });
const createRoute = fragment({ method: "post", path: "/dashboard/assistants", request: { body: { required: true, content: { "application/x-www-form-urlencoded": { schema: TokenForm } } } } });
const revokeRoute = fragment({ method: "delete", path: "/dashboard/assistants/{id}", request: { params: TokenId } });

/** The access log's calls shown on the page. */
const LOG_SIZE = 20;

export function createDashboardAssistantRoutes(deps: McpTokenServiceDeps & Pick<AppDeps, "config">) {
  const app = createRouter();
  const tokens = mcpTokenService(deps);
  const mcpUrl = (c: Context<AppEnv>) => new URL("/mcp", deps.config.publicUrl ?? new URL(c.req.url).origin).href;

  const panel = (c: Context<AppEnv>, principal: Principal, extra: { created?: CreatedMcpToken; error?: string } = {}) =>
    AssistantsPanel({ canCreate: principal.userId !== null, tokens: tokens.list(principal), log: tokens.log(principal, LOG_SIZE), mcpUrl: mcpUrl(c), ...extra });

  app.openapi(panelRoute, (c) => c.html(panel(c, c.var.principal)));

  app.openapi(createRoute, async (c) => {
    const principal = c.var.principal;
    const name = c.req.valid("form").name.trim();
    if (!name) return c.html(panel(c, principal, { error: "Give the token a name (what it is for)." }));
    try {
      return c.html(panel(c, principal, { created: await tokens.create(principal, name) }));
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return c.html(panel(c, principal, { error: error.message }));
      throw error;
    }
  });

  app.openapi(revokeRoute, async (c) => {
    await tokens.revoke(c.var.principal, c.req.valid("param").id);
    return c.html(panel(c, c.var.principal));
  });
  return app;
}
