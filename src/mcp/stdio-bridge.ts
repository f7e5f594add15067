// The stdio bridge: for assistants that start a local command (Claude Desktop), JSON-RPC read from stdin is sent to a
// running server's /mcp over Streamable HTTP with a bearer token, and every answer written to stdout — the SDK's two
// transports joined, so the protocol (versions, notifications, batching) is the SDK's, never ours.
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export interface BridgeOptions {
  url: URL;
  token: string;
  /** Where the bridge says what went wrong (stdout is the protocol's). */
  report(line: string): void;
  /** How long a request may wait for the server's answer (a stopped or unreachable server must not hang the assistant). */
  timeoutMs?: number;
}

/** Tool calls answer in milliseconds (a fifth of a second more while ingest is busy): 30 s is a server that is not there. */
export const BRIDGE_TIMEOUT_MS = 30_000;

const requestId = (message: JSONRPCMessage) => ("id" in message && "method" in message ? message.id : undefined);

/** Runs until stdin closes; resolves then. */
export async function runStdioBridge(options: BridgeOptions): Promise<void> {
  const local = new StdioServerTransport();
  const timeoutMs = options.timeoutMs ?? BRIDGE_TIMEOUT_MS;
  const remote = new StreamableHTTPClientTransport(options.url, {
    requestInit: { headers: { authorization: `Bearer ${options.token}` } },
    fetch: (url, init) => fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) }),
  });
  const closed = new Promise<void>((resolve) => {
    local.onclose = () => resolve();
  });

  // Every request is answered within the timeout, whatever the remote does (refuses, never answers, opens a stream
  // and stalls): the assistant waits for a JSON-RPC answer and must not wait for ever.
  const pending = new Map<string | number, ReturnType<typeof setTimeout>>();
  const answerWithError = async (id: string | number, text: string) => {
    clearTimeout(pending.get(id));
    if (!pending.delete(id)) return;
    const said = /\b401\b|unauthorized/i.test(text) ? `the Oura Streaming server refused the token (OURA_MCP_TOKEN): ${text}` : `the Oura Streaming server did not answer: ${text}`;
    await local.send({ jsonrpc: "2.0", id, error: { code: -32000, message: said } });
  };

  local.onmessage = async (message) => {
    const id = requestId(message);
    if (id !== undefined) {
      pending.set(
        id,
        setTimeout(() => {
          options.report(`oura-streaming mcp: ${options.url.href} did not answer request ${String(id)} within ${timeoutMs / 1000} s`);
          void answerWithError(id, `no answer within ${timeoutMs / 1000} s`);
        }, timeoutMs + 100),
      );
    }
    try {
      await remote.send(message);
    } catch (error) {
      const text = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : error instanceof Error ? error.message : String(error);
      options.report(`oura-streaming mcp: ${options.url.href} refused or did not answer: ${text}`);
      if (id !== undefined) await answerWithError(id, text);
    }
  };
  remote.onmessage = async (message) => {
    const answered = "id" in message && !("method" in message) ? message.id : undefined;
    if (answered !== undefined && answered !== null) {
      // An answer after its request was given up on is dropped: the assistant has had its error.
      if (!pending.has(answered)) return;
      clearTimeout(pending.get(answered));
      pending.delete(answered);
    }
    // The revision the server chose is sent with every later request, as the SDK's own client does.
    const version = (message as { result?: { protocolVersion?: unknown } }).result?.protocolVersion;
    if (typeof version === "string") remote.setProtocolVersion(version);
    await local.send(message);
  };
  remote.onerror = (error) => options.report(`oura-streaming mcp: ${error.message}`);

  await remote.start();
  await local.start();
  // Bun keeps reading a closed stdin's stream without telling the transport: its end closes the bridge.
  process.stdin.once("end", () => void local.close());
  await closed;
  for (const timer of pending.values()) clearTimeout(timer);
  await remote.close();
}
