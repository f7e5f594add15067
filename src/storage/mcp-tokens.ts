// The role MCP access depends on: per-wearer access tokens (only a SHA-256 digest of each is kept) and the log of
// every tool call an assistant made.

export interface McpToken {
  id: string;
  user_id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface McpCall {
  /** The token's id, or "api" for the operator's API_TOKEN. */
  token_id: string;
  /** Whose data the call read (null when none was chosen). */
  user_id: string | null;
  tool: string;
  /** The arguments as JSON, cut to a bounded length. */
  arguments: string;
  outcome: "ok" | "error";
  duration_ms: number;
}

export interface McpLogEntry extends McpCall {
  id: number;
  at: string;
}

export interface McpTokens {
  create(token: { id: string; userId: string; name: string; digest: string }): Promise<McpToken>;
  /** Every token of one user (or of every user), newest first, revoked ones included. */
  list(userId?: string): McpToken[];
  get(id: string): McpToken | undefined;
  /** The token with this digest, revoked or not. */
  findByDigest(digest: string): McpToken | undefined;
  /** Revokes a token; false when there is no such token (or it was revoked already). */
  revoke(id: string): Promise<boolean>;
  /** A user unlinked: their tokens are revoked (like their sessions); purged, their tokens and log are deleted. */
  forgetUser(userId: string, purge: boolean): Promise<void>;
  /** Records a tool call, and the token's last use, in one write. */
  record(call: McpCall): Promise<void>;
  /** The newest calls on one user's data (or on anyone's), newest first. */
  log(userId: string | undefined, limit: number, before?: number): McpLogEntry[];
}
