/** @jsxImportSource hono/jsx */
// The dashboard's "AI assistants": make an MCP access token (shown once, with the client configurations that use it),
// the tokens (last used, revoke), and the access log of every tool call on the viewer's data.
import type { CreatedMcpToken } from "../services/mcp-tokens.ts";
import type { McpLogEntry, McpToken } from "../storage/mcp-tokens.ts";
import { LastEventTime } from "./feed.tsx";
import { ErrorNote } from "./layout.tsx";

export interface AssistantsPanelModel {
  /** Whether the viewer has a ring of their own to make a token for. */
  canCreate: boolean;
  tokens: McpToken[];
  log: McpLogEntry[];
  /** This server's /mcp address, for the configurations. */
  mcpUrl: string;
  created?: CreatedMcpToken;
  error?: string;
}

/** Claude Desktop starts a local command: the stdio bridge, given the address and the token. */
export function stdioConfiguration(mcpUrl: string, token: string): string {
  return JSON.stringify({ mcpServers: { oura: { command: "oura-streaming", args: ["mcp"], env: { OURA_MCP_URL: mcpUrl, OURA_MCP_TOKEN: token } } } }, null, 2);
}

/** VS Code's .vscode/mcp.json and Cursor's ~/.cursor/mcp.json: Streamable HTTP with the token in a header (each client's own keys). */
export function httpConfiguration(mcpUrl: string, token: string, client: "vscode" | "cursor"): string {
  const server = { url: mcpUrl, headers: { Authorization: `Bearer ${token}` } };
  return JSON.stringify(client === "vscode" ? { servers: { oura: { type: "http", ...server } } } : { mcpServers: { oura: server } }, null, 2);
}

export function AssistantsPanel(model: AssistantsPanelModel) {
  return (
    <section id="assistants" class="assistants" aria-label="AI assistants">
      <p class="hint">An AI assistant with a token reads your own data from this server, read-only; every call it makes is listed below.</p>
      {model.canCreate ? (
        <form hx-post="/dashboard/assistants" hx-target="#assistants" hx-swap="outerHTML" class="assistant-form">
          <label for="assistant-name">Name</label> <input id="assistant-name" name="name" required maxlength={60} placeholder="Claude Desktop" />{" "}
          <button type="submit" class="primary">
            Make a token
          </button>
        </form>
      ) : (
        <p class="hint">Tokens are made by a wearer for their own ring; the API token opens /mcp for every user.</p>
      )}
      {model.error ? <ErrorNote message={model.error} /> : null}
      {model.created ? (
        <div class="created-secret" role="status">
          <p>
            Token for {model.created.name} (shown only now, stored as a digest): <code id="assistant-token">{model.created.token}</code>
          </p>
          <p>Claude Desktop (claude_desktop_config.json):</p>
          <pre>{stdioConfiguration(model.mcpUrl, model.created.token)}</pre>
          <p>VS Code (.vscode/mcp.json):</p>
          <pre>{httpConfiguration(model.mcpUrl, model.created.token, "vscode")}</pre>
          <p>Cursor (~/.cursor/mcp.json):</p>
          <pre>{httpConfiguration(model.mcpUrl, model.created.token, "cursor")}</pre>
        </div>
      ) : null}
      {model.tokens.length === 0 ? (
        <p>No token yet.</p>
      ) : (
        <ul class="assistant-tokens">
          {model.tokens.map((token) => (
            <li id={`assistant-${token.id}`}>
              {token.name} · made <LastEventTime at={token.created_at} /> · {token.last_used_at ? <>last used <LastEventTime at={token.last_used_at} /></> : "never used"}
              {token.revoked_at ? (
                <> · <span class="state bad">revoked</span></>
              ) : (
                <>
                  {" "}
                  <button hx-delete={`/dashboard/assistants/${encodeURIComponent(token.id)}`} hx-target="#assistants" hx-swap="outerHTML" hx-confirm={`Revoke the token ${token.name}?`}>
                    Revoke
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {model.log.length === 0 ? (
        <p>No call yet.</p>
      ) : (
        <table class="assistant-log">
          <caption>Tool calls, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Token</th>
              <th scope="col">Tool</th>
              <th scope="col">Arguments</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {model.log.map((call) => (
              <tr>
                <td>
                  <LastEventTime at={call.at} />
                </td>
                <td>{model.tokens.find((t) => t.id === call.token_id)?.name ?? (call.token_id === "api" ? "API token" : call.token_id)}</td>
                <td>{call.tool}</td>
                <td>
                  <code>{call.arguments}</code>
                </td>
                <td>{call.outcome === "ok" ? <span class="state ok">ok</span> : <span class="state bad">error</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
