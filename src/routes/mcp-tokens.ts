// MCP access tokens: POST /mcp-tokens makes one (the token in the answer, once), GET lists them, DELETE revokes one,
// GET /mcp-tokens/log is the access log of tool calls. A wearer manages their own, an operator anyone's
// (services/mcp-tokens.ts).
import type { RouteConfig } from "@hono/zod-openapi";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { CreatedMcpToken, McpLog, McpLogQuery, McpToken, McpTokenIdParams, McpTokenList, NewMcpToken } from "../schemas/mcp-tokens.ts";
import { mcpTokenService, type McpTokenServiceDeps } from "../services/mcp-tokens.ts";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";

function tokenRoute<const R extends Omit<RouteConfig, "tags" | "security">>(config: R) {
  return defineRoute({ ...config, tags: ["AI assistants (MCP)"], security: DATA_SECURITY });
}

const createTokenRoute = tokenRoute({
  method: "post",
  path: "/mcp-tokens",
  summary: "Make an MCP access token for your own ring",
  description: "An AI assistant sends it as `Authorization: Bearer <token>` to /mcp and reads the token owner's data only, read-only. The token is in this answer only.",
  request: { body: { required: true, content: { "application/json": { schema: NewMcpToken } } } },
  responses: { 201: jsonResponse(CreatedMcpToken, "Made; the token is shown this once"), 403: errorResponse("No ring of one's own (the API token, or a guest)") },
});

const listTokensRoute = tokenRoute({
  method: "get",
  path: "/mcp-tokens",
  summary: "MCP access tokens (an operator's: all; a wearer's: their own)",
  responses: { 200: jsonResponse(McpTokenList, "Tokens, revoked ones included, never the tokens themselves") },
});

const revokeTokenRoute = tokenRoute({
  method: "delete",
  path: "/mcp-tokens/{id}",
  summary: "Revoke an MCP access token",
  description: "From now on /mcp answers 401 to it.",
  request: { params: McpTokenIdParams },
  responses: { 200: jsonResponse(McpToken, "Revoked"), 404: errorResponse("No such token (or not the caller's own)") },
});

const logRoute = tokenRoute({
  method: "get",
  path: "/mcp-tokens/log",
  summary: "The access log: every tool call an assistant made (a wearer's: on their own data)",
  request: { query: McpLogQuery },
  responses: { 200: jsonResponse(McpLog, "Calls, newest first") },
});

export function createMcpTokenRoutes(deps: McpTokenServiceDeps) {
  const app = createRouter();
  const tokens = mcpTokenService(deps);
  app.openapi(createTokenRoute, async (c) => c.json(await tokens.create(c.var.principal, c.req.valid("json").name), 201));
  app.openapi(listTokensRoute, (c) => c.json({ tokens: tokens.list(c.var.principal) }, 200));
  app.openapi(logRoute, (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(tokens.logPage(c.var.principal, limit ?? 100, cursor === undefined ? undefined : Number(cursor)), 200);
  });
  app.openapi(revokeTokenRoute, async (c) => c.json(await tokens.revoke(c.var.principal, c.req.valid("param").id), 200));
  return app;
}
