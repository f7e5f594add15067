// The access log's one entry point: every tool call and resource read an /mcp request carries, with its outcome as
// the answer says it — including the calls the SDK refuses before any tool runs (an unknown tool, an argument of the
// wrong type), which no tool handler sees. Read from the JSON-RPC request and the JSON answer around the transport.
import type { McpCall } from "../storage/mcp-tokens.ts";
import { TODAY_URI } from "./guides.ts";
import { MOST_NESTING, nestedDeeperThan } from "./request-checks.ts";

/** The access log keeps this much of a call's arguments, and of a tool's name. */
const MOST_LOGGED_ARGUMENTS = 1000;
const MOST_LOGGED_NAME = 100;

export interface LoggedCall {
  id: string | number;
  tool: string;
  arguments: string;
  /** The `user` argument, when the call names one as text. */
  user: string | undefined;
}

type Message = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: unknown };

const messagesOf = (body: unknown): Message[] => (Array.isArray(body) ? body : [body]).filter((m): m is Message => typeof m === "object" && m !== null);

const isId = (id: unknown): id is string | number => typeof id === "string" || typeof id === "number";

/** The user a resource names (oura://today/{user}), if any. */
function userOfResource(uri: string): string | undefined {
  if (!uri.startsWith(`${TODAY_URI}/`)) return undefined;
  try {
    return decodeURIComponent(uri.slice(TODAY_URI.length + 1));
  } catch {
    return undefined;
  }
}

/** The tool calls and resource reads in a JSON-RPC request body (one message or a batch); anything else is not logged. */
export function callsToLog(body: unknown): LoggedCall[] {
  const calls: LoggedCall[] = [];
  for (const message of messagesOf(body)) {
    if (!isId(message.id)) continue;
    const params = (typeof message.params === "object" && message.params !== null ? message.params : {}) as Record<string, unknown>;
    if (message.method === "tools/call") {
      const args = params.arguments ?? {};
      const user = typeof args === "object" && args !== null ? (args as Record<string, unknown>).user : undefined;
      calls.push({
        id: message.id,
        tool: typeof params.name === "string" ? params.name.slice(0, MOST_LOGGED_NAME) : "(no tool named)",
        arguments: nestedDeeperThan(args, MOST_NESTING) ? `(nested deeper than ${MOST_NESTING} levels)` : (JSON.stringify(args) ?? "{}").slice(0, MOST_LOGGED_ARGUMENTS),
        user: typeof user === "string" ? user : undefined,
      });
    } else if (message.method === "resources/read") {
      const uri = String(params.uri ?? "");
      calls.push({ id: message.id, tool: `resource ${uri}`.slice(0, MOST_LOGGED_NAME), arguments: "{}", user: userOfResource(uri) });
    }
  }
  return calls;
}

/** Each answered request id's outcome: an error when the answer is a JSON-RPC error or a tool result with isError. */
export function outcomesOf(answer: unknown): Map<string | number, McpCall["outcome"]> {
  const outcomes = new Map<string | number, McpCall["outcome"]>();
  for (const message of messagesOf(answer)) {
    if (!isId(message.id)) continue;
    const failed = message.error !== undefined || (typeof message.result === "object" && message.result !== null && (message.result as { isError?: unknown }).isError === true);
    outcomes.set(message.id, failed ? "error" : "ok");
  }
  return outcomes;
}
