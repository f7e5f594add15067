// MCP access tokens and the tool-call log in SQLite (migration 12).
import type { Database } from "bun:sqlite";
import type { McpCall, McpLogEntry, McpToken, McpTokens } from "../mcp-tokens.ts";
import type { SqliteConnection } from "./connection.ts";

const TOKEN_COLUMNS = "id, user_id, name, created_at, last_used_at, revoked_at";
/** The log keeps this many calls per user: enough to read a month of daily use, never a growing table. */
const LOG_KEPT_PER_USER = 1000;

export class SqliteMcpTokenStore implements McpTokens {
  constructor(
    private readonly connection: SqliteConnection,
    private readonly now: () => number = Date.now,
  ) {}

  private get db(): Database {
    return this.connection.database;
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  async create(token: { id: string; userId: string; name: string; digest: string }): Promise<McpToken> {
    const createdAt = this.iso();
    await this.connection.write((db) =>
      db.query("INSERT INTO mcp_tokens (id, user_id, name, token_digest, created_at) VALUES (?, ?, ?, ?, ?)").run(token.id, token.userId, token.name, token.digest, createdAt),
    );
    return { id: token.id, user_id: token.userId, name: token.name, created_at: createdAt, last_used_at: null, revoked_at: null };
  }

  list(userId?: string): McpToken[] {
    return userId === undefined
      ? this.db.query<McpToken, []>(`SELECT ${TOKEN_COLUMNS} FROM mcp_tokens ORDER BY created_at DESC, id`).all()
      : this.db.query<McpToken, [string]>(`SELECT ${TOKEN_COLUMNS} FROM mcp_tokens WHERE user_id = ? ORDER BY created_at DESC, id`).all(userId);
  }

  get(id: string): McpToken | undefined {
    return this.db.query<McpToken, [string]>(`SELECT ${TOKEN_COLUMNS} FROM mcp_tokens WHERE id = ?`).get(id) ?? undefined;
  }

  findByDigest(digest: string): McpToken | undefined {
    return this.db.query<McpToken, [string]>(`SELECT ${TOKEN_COLUMNS} FROM mcp_tokens WHERE token_digest = ?`).get(digest) ?? undefined;
  }

  async revoke(id: string): Promise<boolean> {
    const at = this.iso();
    return this.connection.write((db) => db.query("UPDATE mcp_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(at, id).changes > 0);
  }

  async forgetUser(userId: string, purge: boolean): Promise<void> {
    const at = this.iso();
    await this.connection.write((db) => {
      if (!purge) return db.query("UPDATE mcp_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL").run(at, userId);
      db.query("DELETE FROM mcp_access_log WHERE user_id = ?").run(userId);
      db.query("DELETE FROM mcp_tokens WHERE user_id = ?").run(userId);
    });
  }

  async record(call: McpCall): Promise<void> {
    const at = this.iso();
    await this.connection.write((db) => {
      db.query("INSERT INTO mcp_access_log (token_id, user_id, tool, arguments, at, outcome, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
        call.token_id, call.user_id, call.tool, call.arguments, at, call.outcome, Math.round(call.duration_ms),
      );
      if (call.token_id !== "api") db.query("UPDATE mcp_tokens SET last_used_at = ? WHERE id = ?").run(at, call.token_id);
      // That user's calls past the newest LOG_KEPT_PER_USER go (an indexed read of at most that many ids).
      db.query(
        "DELETE FROM mcp_access_log WHERE user_id IS ?1 AND id < (SELECT min(id) FROM (SELECT id FROM mcp_access_log WHERE user_id IS ?1 ORDER BY id DESC LIMIT ?2))",
      ).run(call.user_id, LOG_KEPT_PER_USER);
    });
  }

  log(userId: string | undefined, limit: number, before = Number.MAX_SAFE_INTEGER): McpLogEntry[] {
    const columns = "id, token_id, user_id, tool, arguments, at, outcome, duration_ms";
    return userId === undefined
      ? this.db.query<McpLogEntry, [number, number]>(`SELECT ${columns} FROM mcp_access_log WHERE id < ? ORDER BY id DESC LIMIT ?`).all(before, limit)
      : this.db.query<McpLogEntry, [string, number, number]>(`SELECT ${columns} FROM mcp_access_log WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?`).all(userId, before, limit);
  }
}
