// MCP access tokens, the one place for their rules: a wearer makes, lists and revokes their own (the token is shown in
// the answer that made it, and only its SHA-256 digest is kept); an operator lists and revokes anyone's; the access
// log shows a wearer the calls on their own data, an operator every call. And who an /mcp caller is: a wearer's token
// (their own data, read-only), or the operator's API_TOKEN (every user).
import { createHash } from "node:crypto";
import { Principal } from "../auth/principal.ts";
import { randomId } from "../auth/random-id.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import type { McpCall, McpLogEntry, McpToken } from "../storage/mcp-tokens.ts";

export type McpTokenServiceDeps = Pick<AppDeps, "mcpTokens" | "accounts">;

/** Recognisable in a config file or a leaked-secret scan; what follows is 256 random bits. */
export const MCP_TOKEN_PREFIX = "oura_mcp_";
/** Who made an /mcp call, as the access log names it: a token's id, or the API token. */
export const API_TOKEN_CALLER = "api";

export const tokenDigest = (token: string) => createHash("sha256").update(token).digest("hex");

export interface CreatedMcpToken extends McpToken {
  /** Shown this once. */
  token: string;
}

/** Who sees the tokens section: an operator (every token) or a wearer (their own); a guest has nothing to see. */
export function mayManageMcpTokens(principal: Principal): boolean {
  return principal.isOperator || (principal.role === "wearer" && principal.userId !== null);
}

export function mcpTokenService(deps: McpTokenServiceDeps) {
  const store = deps.mcpTokens;
  const notFound = (id: string) => new AppError(404, "mcp_token_not_found", `no MCP access token ${id}`);
  const known = (presented: string) => (presented.startsWith(MCP_TOKEN_PREFIX) ? store.findByDigest(tokenDigest(presented)) : undefined);

  return {
    async create(principal: Principal, name: string): Promise<CreatedMcpToken> {
      if (principal.role === "guest" || principal.userId === null || principal.identity.kind === "mcp_token") {
        throw new AppError(403, "mcp_token_needs_ring", "an MCP access token reads one wearer's data: sign in with Oura to make one for your ring (the API token itself opens /mcp for every user)");
      }
      const token = `${MCP_TOKEN_PREFIX}${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")}`;
      const made = await store.create({ id: `mcp_${randomId().slice(0, 16)}`, userId: principal.userId, name, digest: tokenDigest(token) });
      return { ...made, token };
    },

    list(principal: Principal): McpToken[] {
      const only = principal.scope();
      return only === null ? [] : store.list(only);
    },

    async revoke(principal: Principal, id: string): Promise<McpToken> {
      const token = store.get(id);
      if (!token || !principal.canSee(token.user_id)) throw notFound(id);
      await store.revoke(id);
      return store.get(id)!;
    },

    log(principal: Principal, limit: number, before?: number): McpLogEntry[] {
      const only = principal.scope();
      return only === null ? [] : store.log(only, limit, before);
    },

    /** A page of the log, newest first, and the cursor for the older calls (null when none are left). */
    logPage(principal: Principal, limit: number, before?: number): { calls: McpLogEntry[]; next_cursor: string | null } {
      const calls = this.log(principal, limit + 1, before);
      return { calls: calls.slice(0, limit), next_cursor: calls.length > limit ? String(calls[limit - 1]!.id) : null };
    },

    /**
     * Who presents this bearer token to /mcp: the wearer of an active MCP token (while their ring is still linked), or
     * undefined. The API token is judged by the bearer guard, not here.
     */
    authenticate(presented: string): { principal: Principal; caller: string } | undefined {
      const token = known(presented);
      if (!token || token.revoked_at !== null || deps.accounts.list(token.user_id).length === 0) return undefined;
      return { principal: new Principal({ kind: "mcp_token", tokenId: token.id }, "wearer", token.user_id), caller: token.id };
    },

    /** The wearer and id of a token that was theirs but no longer opens /mcp: their log shows who still tries it. */
    refusedHolder(presented: string | undefined): { userId: string; caller: string } | undefined {
      const token = presented === undefined ? undefined : known(presented);
      return token && this.authenticate(presented!) === undefined ? { userId: token.user_id, caller: token.id } : undefined;
    },

    record: (call: McpCall) => store.record(call),
  };
}
