// MCP access tokens over HTTP: a token to make, a token as listed (never the secret, except once in the answer that
// made it), and the access log of tool calls.
import { z } from "@hono/zod-openapi";

export const NewMcpToken = z
  .object({ name: z.string().trim().min(1).max(60).openapi({ example: "Claude Desktop", description: "What the token is for, to recognise it in the list." }) })
  .strict()
  .openapi("NewMcpToken");
export type NewMcpToken = z.infer<typeof NewMcpToken>;

export const McpToken = z
  .object({
    id: z.string().openapi({ example: "mcp_3kTq9vX2pLr7sN1b" }),
    user_id: z.string(),
    name: z.string(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi("McpToken");

export const CreatedMcpToken = McpToken.extend({
  token: z.string().openapi({ description: "Send as `Authorization: Bearer <token>` to /mcp. Shown this once; only its SHA-256 digest is kept." }),
}).openapi("CreatedMcpToken");

export const McpTokenList = z.object({ tokens: z.array(McpToken) }).openapi("McpTokenList");

export const McpTokenIdParams = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" } }) });

export const McpLogQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional().openapi({ description: "At most this many calls (default 100)." }),
  cursor: z.string().regex(/^\d+$/).max(20).optional().openapi({ description: "next_cursor of the previous page: older calls." }),
});

export const McpLogEntry = z
  .object({
    id: z.number().int(),
    token_id: z.string().openapi({ description: "The MCP token's id, or `api` for the API token." }),
    user_id: z.string().nullable().openapi({ description: "Whose data the call read." }),
    tool: z.string(),
    arguments: z.string().openapi({ description: "The call's arguments as JSON (cut at 1,000 characters)." }),
    at: z.string(),
    outcome: z.enum(["ok", "error"]),
    duration_ms: z.number().int(),
  })
  .openapi("McpLogEntry");

export const McpLog = z
  .object({ calls: z.array(McpLogEntry), next_cursor: z.string().nullable().openapi({ description: "Pass as `cursor` for older calls; null at the oldest kept." }) })
  .openapi("McpLog");
