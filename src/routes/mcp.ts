// /mcp: the Model Context Protocol over Streamable HTTP (the SDK's Web-standard transport, so it runs in Hono on Bun),
// stateless — a fresh server and transport per POST, nothing kept between requests, so any number of assistants and
// server restarts cost nothing. Authorization: Bearer with a wearer's MCP token (their own data, read-only) or the
// operator's API_TOKEN (every user). No OAuth flow: a self-hosted server has no authorization server of its own, and
// the assistants that matter send a bearer header (or run the stdio bridge, `oura-streaming mcp`).
import { createRoute, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { bearerToken, Principal } from "../auth/principal.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError, errorBody, type ErrorCode } from "../errors.ts";
import { requireOwnOrigin } from "../auth/own-origin.ts";
import { callsToLog, type LoggedCall, outcomesOf } from "../mcp/access-log.ts";
import { invalidParams, MOST_NESTING, nestedDeeperThan, withoutNullArguments } from "../mcp/request-checks.ts";
import { registerAssistantGuides } from "../mcp/guides.ts";
import { turnsWhileBusy } from "../realtime/ingest-pressure.ts";
import { registerAssistantTools } from "../mcp/tools.ts";
import { assistantService } from "../services/assistant.ts";
import { errorResponse } from "../schemas/common.ts";
import { API_TOKEN_CALLER, mcpTokenService } from "../services/mcp-tokens.ts";
import { createRouter } from "./router.ts";

export type McpRouteDeps = Pick<AppDeps, "documents" | "polls" | "accounts" | "now" | "mcpTokens" | "bearerGuard" | "logger" | "version" | "ingestPressure" | "config">;

type Caller = { principal: Principal; caller: string };

const JsonRpcMessage = z
  .object({ jsonrpc: z.literal("2.0"), id: z.union([z.string(), z.number()]).optional(), method: z.string().optional(), params: z.record(z.string(), z.unknown()).optional() })
  .passthrough()
  .openapi("McpJsonRpcMessage", { description: "A JSON-RPC 2.0 message of the Model Context Protocol (revision 2025-11-25): initialize, tools/list, tools/call, resources/read, prompts/get, …" });

const MCP_SECURITY: Record<string, string[]>[] = [{ mcpToken: [] }, { bearerAuth: [] }];
const MCP_TAGS = ["AI assistants (MCP)"];
const MCP_ROUTES = [
  createRoute({
    method: "post",
    path: "/mcp",
    tags: MCP_TAGS,
    summary: "The Model Context Protocol over Streamable HTTP (stateless, JSON answers)",
    description:
      "Send `Accept: application/json, text/event-stream`. Tools: get_night, get_daily_scores, get_metric_trend, list_activities, get_heart_rate, tag_effect; resources oura://today and oura://today/{user}; prompts morning_briefing and weekly_review. A wearer's MCP token reads their own data; the API token any user's (`user` argument).",
    security: MCP_SECURITY,
    request: { body: { required: true, content: { "application/json": { schema: JsonRpcMessage } } } },
    responses: {
      200: { description: "The JSON-RPC answer (a tool's refusal is a result with isError)", content: { "application/json": { schema: JsonRpcMessage } } },
      202: { description: "A notification, accepted" },
      400: errorResponse("Not a JSON-RPC message, or nested deeper than 32 levels"),
      401: errorResponse("No token, an unknown one or a revoked one (with WWW-Authenticate)"),
      403: errorResponse("A page of another site (its Origin)"),
      406: errorResponse("Accept lacks application/json or text/event-stream"),
      413: errorResponse("The body is too large"),
      415: errorResponse("Not application/json"),
      429: errorResponse("Too many wrong bearer tokens from this address (Retry-After)"),
    },
  }),
  ...(["get", "delete"] as const).map((method) =>
    createRoute({
      method,
      path: "/mcp",
      tags: MCP_TAGS,
      summary: "Not served: the endpoint is stateless (no stream to resume, no session to end)",
      security: MCP_SECURITY,
      responses: { 401: errorResponse("No valid token"), 405: errorResponse("POST only (Allow: POST)") },
    }),
  ),
];

/** A revoked token's calls are logged at most this often per token. */
const REFUSED_LOG_SPACING_MS = 60_000;

/** Whether a key may act now: once per `spacingMs` each (keys forgotten once their spell is over). */
function oncePer(spacingMs: number) {
  const last = new Map<string, number>();
  return {
    claim(key: string, at: number): boolean {
      for (const [k, when] of last) if (at - when >= spacingMs) last.delete(k);
      if (last.has(key)) return false;
      last.set(key, at);
      return true;
    },
  };
}

/** While ingest is busy, tool calls start at most this often (five a second). */
const BUSY_CALL_SPACING_MS = 200;

const TRANSPORT_REFUSALS: Record<number, ErrorCode> = { 400: "bad_request", 405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large", 415: "unsupported_media_type" };

/**
 * The transport refuses a request it cannot read (400, 406, 415, …) with a JSON-RPC error body; the protocol lets that
 * body be anything (a client reads the status), so it is given the one error shape every other route answers with.
 * Answers to readable requests (JSON-RPC results and errors, 200/202) are the SDK's own.
 */
async function inOurErrorShape(response: Response): Promise<Response> {
  if (response.status < 400) return response;
  const said = (await response.json().catch(() => undefined)) as { error?: { message?: unknown } } | undefined;
  const message = typeof said?.error?.message === "string" ? said.error.message : "the MCP request cannot be read";
  return Response.json(errorBody(TRANSPORT_REFUSALS[response.status] ?? "bad_request", message), { status: response.status, headers: response.headers.get("allow") ? { allow: response.headers.get("allow")! } : {} });
}

// The SDK is loaded at the first call, not with the server: it is a third of a second of every start and of every CLI
// command, for a route most servers never serve.
let sdk: Promise<typeof import("@modelcontextprotocol/sdk/server/mcp.js") & typeof import("@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js")> | undefined;
const loadSdk = () =>
  (sdk ??= Promise.all([import("@modelcontextprotocol/sdk/server/mcp.js"), import("@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js")]).then(([server, transport]) => ({ ...server, ...transport })));

export function createMcpRoutes(deps: McpRouteDeps) {
  const app = createRouter();
  // Declared for /openapi.json only: the body is JSON-RPC, read by the SDK's transport, not validated by a route.
  for (const route of MCP_ROUTES) app.openAPIRegistry.registerPath(route);
  const tokens = mcpTokenService(deps);
  const assistant = assistantService(deps);

  /** A wearer's MCP token, or the API token; any other token is counted by the bearer guard against guessing (401, 429). */
  function caller(c: Context<AppEnv>): Caller {
    const presented = bearerToken(c.req.header("authorization"));
    try {
      const byToken = presented === undefined ? undefined : tokens.authenticate(presented);
      if (byToken) return byToken;
      // A token that was a wearer's (revoked, or their ring unlinked) is not a guess: refused without counting against
      // the address, so an assistant still configured with it cannot lock the operator out of the same machine.
      if (tokens.refusedHolder(presented)) throw new AppError(401, "unauthorized", "this MCP access token was revoked; make a new one on the dashboard (AI assistants)");
      if (presented !== undefined && deps.bearerGuard.judge(c, presented)) {
        return { principal: new Principal({ kind: "api" }, "operator", null), caller: API_TOKEN_CALLER };
      }
      throw new AppError(401, "unauthorized", "send Authorization: Bearer <an MCP access token from the dashboard, or API_TOKEN>");
    } catch (error) {
      // RFC 6750's challenge, without a resource_metadata link: there is no OAuth flow here for a client to discover.
      if (error instanceof AppError && error.status === 401) c.header("www-authenticate", `Bearer realm="oura-streaming"${presented === undefined ? "" : ', error="invalid_token"'}`);
      throw error;
    }
  }

  const takeTurn = turnsWhileBusy(deps.ingestPressure, BUSY_CALL_SPACING_MS);
  const refusedLogged = oncePer(REFUSED_LOG_SPACING_MS);

  /** Who calls, known before any handler runs (the one guard of /mcp, as declared security is guarded elsewhere). */
  const callers = new WeakMap<Request, Caller>();
  // Read once (the transport is given it parsed): the access log needs the calls; no caller's body is parsed before
  // they are known.
  const readBody = (c: Context<AppEnv>): Promise<unknown> => c.req.raw.clone().json().catch(() => undefined);
  const mcpCallerGuard: MiddlewareHandler<AppEnv> = async function mcpCallerGuard(c, next) {
    const started = performance.now();
    try {
      callers.set(c.req.raw, caller(c));
    } catch (error) {
      // A revoked (or unlinked) wearer's token: the calls still tried with it are in that wearer's log — one a minute
      // per token, so an assistant left running with it cannot push the wearer's real calls out of the log.
      const holder = c.req.method === "POST" ? tokens.refusedHolder(bearerToken(c.req.header("authorization"))) : undefined;
      if (holder) {
        const tried = callsToLog(await readBody(c)).slice(0, 1);
        if (tried.length > 0 && refusedLogged.claim(holder.caller, performance.now())) await logCalls({ caller: holder.caller, userId: holder.userId }, tried, undefined, performance.now() - started);
      }
      throw error;
    }
    await next();
  };

  app.post("/mcp", mcpCallerGuard, async (c) => {
    const started = performance.now();
    const who = callers.get(c.req.raw)!;
    const body = await readBody(c);
    const calls = callsToLog(body);
    requireOwnOrigin(c, deps.config.publicUrl, "an MCP request");
    if (nestedDeeperThan(body, MOST_NESTING)) {
      await logCalls(who, calls, undefined, performance.now() - started);
      throw new AppError(400, "bad_request", `the request nests deeper than ${MOST_NESTING} levels: tool arguments are flat`);
    }
    const cleaned = withoutNullArguments(body);
    const invalid = invalidParams(cleaned);
    if (invalid) {
      await logCalls(who, calls, undefined, performance.now() - started);
      return c.json(invalid);
    }
    // An assistant calling in a tight loop must not take the core from webhooks: while they pour in, calls take turns.
    await takeTurn();
    const sdk = await loadSdk();
    const { McpServer, WebStandardStreamableHTTPServerTransport } = sdk;
    const server = new McpServer({ name: "oura-streaming", version: deps.version }, { capabilities: { tools: {}, resources: {}, prompts: {} } });
    const context = { assistant, principal: who.principal, logger: deps.logger };
    registerAssistantTools(server, context);
    registerAssistantGuides(server, context, sdk.ResourceTemplate);
    // JSON answers, not an SSE stream: every tool answers at once, and a proxy never buffers a stream it cannot end.
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    const response = await transport.handleRequest(c.req.raw, body === undefined ? undefined : { parsedBody: cleaned });
    if (calls.length > 0) await logCalls(who, calls, await response.clone().json().catch(() => undefined), performance.now() - started);
    return inOurErrorShape(response);
  });

  /**
   * Every call in the request in the access log, under the user it read (an API token's call without `user` read the
   * one linked user), with the outcome its answer gives (no answer: an error).
   */
  async function logCalls(who: Caller | { caller: string; userId: string }, calls: LoggedCall[], answer: unknown, durationMs: number) {
    const outcomes = outcomesOf(answer);
    for (const call of calls) {
      await tokens.record({
        token_id: who.caller,
        user_id: "principal" in who ? readUser(who.principal, call.user) : who.userId,
        tool: call.tool,
        arguments: call.arguments,
        outcome: outcomes.get(call.id) ?? "error",
        duration_ms: durationMs,
      });
    }
  }

  function readUser(principal: Principal, requested: string | undefined): string | null {
    try {
      return assistant.whose(principal, requested);
    } catch {
      return principal.userId ?? requested ?? null;
    }
  }

  // Stateless: no stream to resume (GET) and no session to end (DELETE); the protocol's answer for both is 405.
  app.on(["GET", "DELETE"], "/mcp", mcpCallerGuard, (c) => {
    c.header("allow", "POST");
    return c.json(errorBody("method_not_allowed", "this MCP endpoint is stateless: POST only"), 405);
  });
  return app;
}
