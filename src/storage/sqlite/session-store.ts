// Browser sessions (id in a signed cookie) and single-use OAuth states bound to the browser that asked for them.
import type { Database } from "bun:sqlite";
import { randomId } from "../../auth/random-id.ts";
import { OAUTH_STATE_TTL_MS, SESSION_TTL_MS, type Session, type Sessions } from "../sessions.ts";
import type { SqliteConnection } from "./connection.ts";

export class SessionStore implements Sessions {
  constructor(
    /** The storage's connection and writer, shared (the connection is asked for on every call: a restored file means a new one). */
    private readonly connection: SqliteConnection,
    private readonly now: () => number = Date.now,
  ) {}

  private get db(): Database {
    return this.connection.database;
  }

  async create(userId: string | null): Promise<Session> {
    const now = this.now();
    const session = { id: randomId(), userId, expiresAtMs: now + SESSION_TTL_MS };
    await this.connection.write((db) => {
      // Sign-ins are rare: a good moment to forget sessions that have expired.
      db.query("DELETE FROM sessions WHERE expires_at_ms <= ?").run(now);
      db.query("INSERT INTO sessions (id, user_id, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?)").run(session.id, userId, now, session.expiresAtMs);
    });
    return session;
  }

  get(id: string): Session | undefined {
    const row = this.db.query<{ id: string; user_id: string | null; expires_at_ms: number }, [string]>("SELECT id, user_id, expires_at_ms FROM sessions WHERE id = ?").get(id);
    if (!row || row.expires_at_ms <= this.now()) return undefined;
    return { id: row.id, userId: row.user_id, expiresAtMs: row.expires_at_ms };
  }

  async delete(id: string): Promise<void> {
    await this.connection.write((db) => db.query("DELETE FROM sessions WHERE id = ?").run(id));
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.connection.write((db) => db.query("DELETE FROM sessions WHERE user_id = ?").run(userId));
  }

  /** Remembers a state for the browser identified by `browser` (a hash of its cookie nonce). */
  async createState(browser: string): Promise<string> {
    const state = randomId();
    const now = this.now();
    await this.connection.write((db) => {
      db.query("DELETE FROM oauth_states WHERE created_at_ms < ?").run(now - OAUTH_STATE_TTL_MS);
      db.query("INSERT INTO oauth_states (state, browser, created_at_ms) VALUES (?, ?, ?)").run(state, browser, now);
    });
    return state;
  }

  /** Consumes a state: true only once, only for the same browser, only within 10 minutes. */
  async consumeState(state: string, browser: string): Promise<boolean> {
    const row = await this.connection.write((db) =>
      db.query<{ browser: string; created_at_ms: number }, [string]>("DELETE FROM oauth_states WHERE state = ? RETURNING browser, created_at_ms").get(state),
    );
    return !!row && row.browser === browser && row.created_at_ms > this.now() - OAUTH_STATE_TTL_MS;
  }
}
