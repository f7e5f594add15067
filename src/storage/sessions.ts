// The role browser sign-in depends on: sessions (their id travels in a signed cookie) and single-use OAuth states.

export const SESSION_TTL_MS = 30 * 86_400_000;
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export interface Session {
  id: string;
  userId: string | null;
  expiresAtMs: number;
}

export interface Sessions {
  create(userId: string | null): Promise<Session>;
  get(id: string): Session | undefined;
  delete(id: string): Promise<void>;
  deleteForUser(userId: string): Promise<void>;
  /** Remembers a state for the browser identified by `browser` (a hash of its cookie nonce). */
  createState(browser: string): Promise<string>;
  /** Consumes a state: true only once, only for the same browser, only within OAUTH_STATE_TTL_MS. */
  consumeState(state: string, browser: string): Promise<boolean>;
}
