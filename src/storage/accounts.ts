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
  /** When the refresh token was handed to another server (this one no longer uses it), else null. */
  handed_off_at: string | null;
  linked_at: string;
  /** The Oura account's email (personal_info), when Oura gave it. */
  email: string | null;
  /** When an operator promoted this user to operator, else null (OPERATOR_EMAILS is a second way). */
  operator_since: string | null;
  /** The name the wearer chose to be shown by (else their email), or null. */
  display_name: string | null;
}

/** An account row as stored, tokens still sealed (what the warehouse mirror copies as it is). */
export interface SealedAccount {
  user_id: string;
  access_token: string | null;
  refresh_token: string | null;
  access_expires_at_ms: number;
  scopes: string;
  needs_reauth: boolean;
  reauth_reason: string | null;
  handed_off: boolean;
  token_version: number;
  updated_at: string;
}

export interface NewTokens {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  scopes?: string;
}

export interface Accounts {
  get(userId: string): Promise<StoredTokens | undefined>;
  /** A fresh link (sign-in): replaces whatever was there and clears needs_reauth; `email` from personal_info. */
  link(userId: string, tokens: NewTokens, email?: string | null): Promise<void>;
  /** Promotes (a time) or demotes (null) a linked user; false when no such user is linked. */
  setOperator(userId: string, since: string | null): Promise<boolean>;
  /** Sets (or clears, null) the name a linked user is shown by; false when no such user is linked. */
  setDisplayName(userId: string, name: string | null): Promise<boolean>;
  /**
   * Called just before a refresh token is spent: throws if the new pair could not be kept safely (warehouse mode: Delta
   * must take a write now, or a disk lost before it does would lose the sign-in). A no-op for the local store.
   */
  beforeRotation(userId: string): Promise<void>;
  /** Stores a rotated pair only if nobody rotated since `expectedVersion` was read; false if someone did. */
  rotate(userId: string, expectedVersion: number, tokens: NewTokens): Promise<boolean>;
  markNeedsReauth(userId: string, reason: string): Promise<void>;
  remove(userId: string): Promise<boolean>;
  hasAny(): boolean;
  list(userId?: string): AccountSummary[];
  /** Whether documents can be fetched for this user now; cheap enough for every notification. */
  hasUsableLink(userId: string): boolean;
  /**
   * Marks the account handed off and returns its refresh token, in one compare-and-swap on token_version: from then on
   * this server never uses or refreshes it. Undefined when the user has no usable token.
   */
  handOff(userId: string): Promise<string | undefined>;
}

/** The local accounts as the warehouse's token mirror uses them: tokens sealed as stored, and which are mirrored. */
export interface MirroredAccountStore extends Accounts {
  /** The stored row, tokens sealed. */
  sealed(userId: string): (SealedAccount & { mirrored_version: number }) | undefined;
  /** Users whose latest token_version is not yet confirmed in the warehouse. */
  unmirrored(): string[];
  markMirrored(userId: string, version: number): Promise<void>;
  /** Installs a row read back from the warehouse unless what is here is as new or newer, or was handed off; true if installed. */
  install(row: SealedAccount): Promise<boolean>;
}
