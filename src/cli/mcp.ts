// `oura-streaming mcp`: the stdio bridge to a running server's /mcp, for assistants that start a local command.
import { type Command, parse, UsageError } from "./args.ts";

const usage = `Usage: oura-streaming mcp [--url URL]

Reads MCP (JSON-RPC) from stdin, sends it to a running server's /mcp with your token, and writes the answers to
stdout: what Claude Desktop and other assistants that start a local command need.

  --url URL   the server's MCP endpoint (default: OURA_MCP_URL, else http://127.0.0.1:$PORT/mcp, PORT 8000)

A request the server has not answered within OURA_MCP_TIMEOUT_SECONDS (default 30) is answered with an error.

The token is read from OURA_MCP_TOKEN (an MCP access token from the dashboard's "AI assistants", or API_TOKEN),
never from the command line (where other users of the machine could read it).`;

export const mcpCommand: Command = {
  name: "mcp",
  summary: "bridge an assistant's stdio to a running server's /mcp (OURA_MCP_TOKEN)",
  usage,
  async run(argv) {
    const { values } = parse(argv, { url: { type: "string" } }, usage);
    const token = process.env.OURA_MCP_TOKEN;
    if (!token) throw new UsageError("OURA_MCP_TOKEN is not set: make a token on the dashboard (AI assistants)", usage);
    const address = values.url ?? process.env.OURA_MCP_URL ?? `http://127.0.0.1:${process.env.PORT || "8000"}/mcp`;
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      throw new UsageError(`not a URL: ${address}`, usage);
    }
    const timeout = process.env.OURA_MCP_TIMEOUT_SECONDS;
    const timeoutSeconds = timeout === undefined || timeout === "" ? undefined : Number(timeout);
    if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) throw new UsageError(`OURA_MCP_TIMEOUT_SECONDS must be a number of seconds above 0, not "${timeout}"`, usage);
    const { runStdioBridge } = await import("../mcp/stdio-bridge.ts");
    await runStdioBridge({ url, token, report: (line) => console.error(line), timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000 });
    return 0;
  },
};
