// The role the account link depends on: linked Oura users and their tokens (encrypted at rest by the implementation).

export interface StoredTokens {
  userId: string;
  accessToken: string;
  refreshToken: string;
  accessExpiresAtMs: number;
  scopes: string;
  needsReauth: boolean;
  version: number;
}

export interface AccountSummary {
  user_id: string;
  scopes: string[];
  access_expires_at: string | null;
  needs_reauth: boolean;
  reauth_reason: string | null;
  linked_at: string;
}

export interface NewTokens {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  scopes?: string;
}

export interface Accounts {
  get(userId: string): Promise<StoredTokens | undefined>;
  /** A fresh link (sign-in): replaces whatever was there and clears needs_reauth. */
  link(userId: string, tokens: NewTokens): Promise<void>;
  /** Stores a rotated pair only if nobody rotated since `expectedVersion` was read; false if someone did. */
  rotate(userId: string, expectedVersion: number, tokens: NewTokens): Promise<boolean>;
  markNeedsReauth(userId: string, reason: string): Promise<void>;
  remove(userId: string): Promise<boolean>;
  hasAny(): boolean;
  list(userId?: string): AccountSummary[];
  /** Whether documents can be fetched for this user now; cheap enough for every notification. */
  hasUsableLink(userId: string): boolean;
}
