// /mcp: the Model Context Protocol over Streamable HTTP (the SDK's Web-standard transport, so it runs in Hono on Bun),
// stateless — a fresh server and transport per POST, nothing kept between requests, so any number of assistants and
// server restarts cost nothing. Authorization: Bearer with a wearer's MCP token (their own data, read-only) or the
// operator's API_TOKEN (every user). No OAuth flow: a self-hosted server has no authorization server of its own, and
// the assistants that matter send a bearer header (or run the stdio bridge, `oura-streaming mcp`).
import { type Context, Hono } from "hono";
import { bearerToken, Principal } from "../auth/principal.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError, errorBody, type ErrorCode } from "../errors.ts";
import { requireOwnOrigin } from "../auth/own-origin.ts";
import { callsToLog, type LoggedCall, outcomesOf } from "../mcp/access-log.ts";
import { invalidToolCall, MOST_NESTING, nestedDeeperThan, withoutNullArguments } from "../mcp/request-checks.ts";
import { registerAssistantGuides } from "../mcp/guides.ts";
import { turnsWhileBusy } from "../realtime/ingest-pressure.ts";
import { registerAssistantTools } from "../mcp/tools.ts";
import { assistantService } from "../services/assistant.ts";
import { API_TOKEN_CALLER, mcpTokenService } from "../services/mcp-tokens.ts";

export type McpRouteDeps = Pick<AppDeps, "documents" | "polls" | "accounts" | "now" | "mcpTokens" | "bearerGuard" | "logger" | "version" | "ingestPressure" | "config">;

type Caller = { principal: Principal; caller: string };

/** While ingest is busy, tool calls start at most this often (five a second). */
const BUSY_CALL_SPACING_MS = 200;

const TRANSPORT_REFUSALS: Record<number, ErrorCode> = { 400: "bad_request", 403: "csrf_failed", 405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large", 415: "unsupported_media_type" };

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
  const app = new Hono<AppEnv>();
  const tokens = mcpTokenService(deps);
  const assistant = assistantService(deps);

  /** A wearer's MCP token, or the API token; any other token is counted by the bearer guard against guessing (401, 429). */
  function caller(c: Context<AppEnv>): Caller {
    const presented = bearerToken(c.req.header("authorization"));
    try {
      const byToken = presented === undefined ? undefined : tokens.authenticate(presented);
      if (byToken) return byToken;
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

  app.post("/mcp", async (c) => {
    const started = performance.now();
    // Read once here (the transport is given it parsed): the access log needs the calls, and no caller's body is
    // parsed before they are known.
    const readBody = (): Promise<unknown> => c.req.raw.clone().json().catch(() => undefined);
    let who: Caller;
    try {
      who = caller(c);
    } catch (error) {
      // A revoked (or unlinked) wearer's token: the calls still tried with it are in that wearer's log.
      const holder = tokens.refusedHolder(bearerToken(c.req.header("authorization")));
      if (holder) await logCalls({ caller: holder.caller, userId: holder.userId }, callsToLog(await readBody()), undefined, performance.now() - started);
      throw error;
    }
    const body = await readBody();
    const calls = callsToLog(body);
    requireOwnOrigin(c, deps.config.publicUrl, "an MCP request");
    if (nestedDeeperThan(body, MOST_NESTING)) {
      await logCalls(who, calls, undefined, performance.now() - started);
      throw new AppError(400, "bad_request", `the request nests deeper than ${MOST_NESTING} levels: tool arguments are flat`);
    }
    const invalid = invalidToolCall(body);
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
    const response = await transport.handleRequest(c.req.raw, body === undefined ? undefined : { parsedBody: withoutNullArguments(body) });
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
  app.on(["GET", "DELETE"], "/mcp", (c) => {
    caller(c);
    c.header("allow", "POST");
    return c.json(errorBody("method_not_allowed", "this MCP endpoint is stateless: POST only"), 405);
  });
  return app;
}
