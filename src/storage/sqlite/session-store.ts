// Browser sessions (id in a signed cookie) and single-use OAuth states bound to the browser that asked for them.
import type { Database } from "bun:sqlite";

export const SESSION_TTL_MS = 30 * 86_400_000;
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export interface Session {
  id: string;
  userId: string | null;
  expiresAtMs: number;
}

export const randomId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");

export class SessionStore {
  constructor(
    /** The store whose connection this shares; read on every call, since a restored file means a new connection. */
    private readonly connection: { readonly database: Database },
    private readonly now: () => number = Date.now,
  ) {}

  private get db(): Database {
    return this.connection.database;
  }

  create(userId: string | null): Session {
    const session = { id: randomId(), userId, expiresAtMs: this.now() + SESSION_TTL_MS };
    // Sign-ins are rare: a good moment to forget sessions that have expired.
    this.db.query("DELETE FROM sessions WHERE expires_at_ms <= ?").run(this.now());
    this.db.query("INSERT INTO sessions (id, user_id, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?)").run(session.id, userId, this.now(), session.expiresAtMs);
    return session;
  }

  get(id: string): Session | undefined {
    const row = this.db.query<{ id: string; user_id: string | null; expires_at_ms: number }, [string]>("SELECT id, user_id, expires_at_ms FROM sessions WHERE id = ?").get(id);
    if (!row || row.expires_at_ms <= this.now()) return undefined;
    return { id: row.id, userId: row.user_id, expiresAtMs: row.expires_at_ms };
  }

  delete(id: string): void {
    this.db.query("DELETE FROM sessions WHERE id = ?").run(id);
  }

  deleteForUser(userId: string): void {
    this.db.query("DELETE FROM sessions WHERE user_id = ?").run(userId);
  }

  /** Remembers a state for the browser identified by `browser` (a hash of its cookie nonce). */
  createState(browser: string): string {
    const state = randomId();
    this.db.query("DELETE FROM oauth_states WHERE created_at_ms < ?").run(this.now() - OAUTH_STATE_TTL_MS);
    this.db.query("INSERT INTO oauth_states (state, browser, created_at_ms) VALUES (?, ?, ?)").run(state, browser, this.now());
    return state;
  }

  /** Consumes a state: true only once, only for the same browser, only within 10 minutes. */
  consumeState(state: string, browser: string): boolean {
    const row = this.db.query<{ browser: string; created_at_ms: number }, [string]>("DELETE FROM oauth_states WHERE state = ? RETURNING browser, created_at_ms").get(state);
    return !!row && row.browser === browser && row.created_at_ms > this.now() - OAUTH_STATE_TTL_MS;
  }
}
