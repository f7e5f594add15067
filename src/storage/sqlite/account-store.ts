// Linked Oura accounts and their tokens, encrypted at rest; token_version makes every rotation a compare-and-swap.
import type { Database } from "bun:sqlite";
import type { TokenCipher } from "../../auth/token-cipher.ts";
import type { AccountSummary, MirroredAccountStore, NewTokens, SealedAccount, StoredTokens } from "../accounts.ts";
import type { SqliteConnection } from "./connection.ts";

interface AccountRow {
  user_id: string;
  access_token: string | null;
  refresh_token: string | null;
  access_expires_at_ms: number | null;
  scopes: string | null;
  needs_reauth: number;
  reauth_reason: string | null;
  token_version: number;
  linked_at: string;
  updated_at: string;
  mirrored_version: number;
  handed_off_at: string | null;
  email: string | null;
  display_name: string | null;
  operator_since: string | null;
}

export class AccountStore implements MirroredAccountStore {
  constructor(
    /** The storage's connection and writer, shared (the connection is asked for on every call: a restored file means a new one). */
    private readonly connection: SqliteConnection,
    private readonly cipher: TokenCipher,
    private readonly now: () => number = Date.now,
  ) {}

  private get db(): Database {
    return this.connection.database;
  }

  /** Users with a usable link (linked, not waiting to sign in again): read once, then kept by this class's own writes. */
  #usable: Set<string> | undefined;

  /** Whether documents can be fetched for this user now; cheap enough for every notification. */
  hasUsableLink(userId: string): boolean {
    this.#usable ??= new Set(this.db.query<{ user_id: string }, []>("SELECT user_id FROM oura_accounts WHERE needs_reauth = 0 AND refresh_token IS NOT NULL").all().map((row) => row.user_id));
    return this.#usable.has(userId);
  }

  async get(userId: string): Promise<StoredTokens | undefined> {
    const row = this.db.query<AccountRow, [string]>("SELECT * FROM oura_accounts WHERE user_id = ?").get(userId);
    if (!row || !row.access_token || !row.refresh_token) return undefined;
    return {
      userId,
      accessToken: await this.cipher.decrypt(row.access_token),
      refreshToken: await this.cipher.decrypt(row.refresh_token),
      accessExpiresAtMs: row.access_expires_at_ms ?? 0,
      scopes: row.scopes ?? "",
      needsReauth: row.needs_reauth === 1,
      version: row.token_version,
    };
  }

  /** Stores a fresh link (sign-in): replaces whatever was there and clears needs_reauth. */
  async link(userId: string, tokens: NewTokens, email: string | null = null): Promise<void> {
    const sealed = await this.seal(tokens);
    const at = new Date(this.now()).toISOString();
    await this.connection.write((db) =>
      db
      .query(
        `INSERT INTO oura_accounts (user_id, access_token, refresh_token, access_expires_at_ms, scopes, needs_reauth, reauth_reason, token_version, linked_at, updated_at, email)
         VALUES ($user_id, $access, $refresh, $expires, $scopes, 0, NULL, $link_version, $at, $at, $email)
         ON CONFLICT (user_id) DO UPDATE SET access_token = $access, refresh_token = $refresh, access_expires_at_ms = $expires,
           scopes = $scopes, needs_reauth = 0, reauth_reason = NULL, handed_off_at = NULL, email = coalesce($email, email),
           token_version = max(token_version + 1, $link_version), updated_at = $at`,
      )
      // A sign-in's version is the time in ms (rotations then count up by one): higher than any version an earlier
      // link of the same user had, even one removed here but still in the warehouse's copy.
      .run({ user_id: userId, ...sealed, at, link_version: this.now(), email: email?.trim().toLowerCase() || null }),
    );
    this.#usable?.add(userId);
  }

  async beforeRotation(): Promise<void> {}

  /** Stores a rotated pair only if nobody rotated since `expectedVersion` was read. */
  async rotate(userId: string, expectedVersion: number, tokens: NewTokens): Promise<boolean> {
    const sealed = await this.seal(tokens);
    const result = await this.connection.write((db) =>
      db
      .query(
        `UPDATE oura_accounts SET access_token = $access, refresh_token = $refresh, access_expires_at_ms = $expires,
           scopes = COALESCE($scopes, scopes), token_version = token_version + 1, updated_at = $at
         WHERE user_id = $user_id AND token_version = $version`,
      )
      .run({ user_id: userId, ...sealed, version: expectedVersion, at: new Date(this.now()).toISOString() }),
    );
    return result.changes === 1;
  }

  async setOperator(userId: string, since: string | null): Promise<boolean> {
    return (await this.connection.write((db) => db.query("UPDATE oura_accounts SET operator_since = ? WHERE user_id = ?").run(since, userId).changes)) === 1;
  }

  async setDisplayName(userId: string, name: string | null): Promise<boolean> {
    return (await this.connection.write((db) => db.query("UPDATE oura_accounts SET display_name = ? WHERE user_id = ?").run(name, userId).changes)) === 1;
  }

  async markNeedsReauth(userId: string, reason: string): Promise<void> {
    const at = new Date(this.now()).toISOString();
    await this.connection.write((db) => db.query("UPDATE oura_accounts SET needs_reauth = 1, reauth_reason = ?, updated_at = ? WHERE user_id = ?").run(reason, at, userId));
    this.#usable?.delete(userId);
  }

  async remove(userId: string): Promise<boolean> {
    this.#usable?.delete(userId);
    return (await this.connection.write((db) => db.query("DELETE FROM oura_accounts WHERE user_id = ?").run(userId).changes)) === 1;
  }

  hasAny(): boolean {
    return this.db.query("SELECT 1 FROM oura_accounts LIMIT 1").get() !== null;
  }

  list(userId?: string): AccountSummary[] {
    const rows = userId
      ? this.db.query<AccountRow, [string]>("SELECT * FROM oura_accounts WHERE user_id = ?").all(userId)
      : this.db.query<AccountRow, []>("SELECT * FROM oura_accounts ORDER BY linked_at").all();
    return rows.map((row) => ({
      user_id: row.user_id,
      scopes: (row.scopes ?? "").split(" ").filter(Boolean),
      access_expires_at: row.access_expires_at_ms ? new Date(row.access_expires_at_ms).toISOString() : null,
      needs_reauth: row.needs_reauth === 1,
      reauth_reason: row.reauth_reason,
      handed_off_at: row.handed_off_at,
      linked_at: row.linked_at,
      email: row.email,
      operator_since: row.operator_since,
      display_name: row.display_name,
    }));
  }

  async handOff(userId: string): Promise<string | undefined> {
    const row = this.db.query<AccountRow, [string]>("SELECT * FROM oura_accounts WHERE user_id = ?").get(userId);
    if (!row?.refresh_token || row.needs_reauth === 1) return undefined;
    const refreshToken = await this.cipher.decrypt(row.refresh_token);
    const at = new Date(this.now()).toISOString();
    const changed = await this.connection.write(
      (db) =>
        db
          .query(
            // The mark stays here: it is not mirrored to the warehouse (mirrored_version keeps up), where the token,
            // still usable, is what the next server reads.
            `UPDATE oura_accounts SET needs_reauth = 1, reauth_reason = 'handed off to another server; sign in here again to use this server',
               handed_off_at = ?, token_version = token_version + 1, mirrored_version = token_version + 1, updated_at = ?
             WHERE user_id = ? AND token_version = ?`,
          )
          .run(at, at, userId, row.token_version).changes,
    );
    this.#usable?.delete(userId);
    // Someone rotated it meanwhile: what we read is spent.
    return changed === 1 ? refreshToken : undefined;
  }

  /** The stored row, tokens sealed, for the warehouse mirror. */
  sealed(userId: string): (SealedAccount & { mirrored_version: number }) | undefined {
    const row = this.db.query<AccountRow, [string]>("SELECT * FROM oura_accounts WHERE user_id = ?").get(userId);
    return row ? toSealed(row) : undefined;
  }

  /** Users whose latest token_version is not yet confirmed in the warehouse. */
  unmirrored(): string[] {
    return this.db.query<{ user_id: string }, []>("SELECT user_id FROM oura_accounts WHERE mirrored_version <> token_version").all().map((row) => row.user_id);
  }

  async markMirrored(userId: string, version: number): Promise<void> {
    await this.connection.write((db) => db.query("UPDATE oura_accounts SET mirrored_version = ? WHERE user_id = ? AND mirrored_version < ?").run(version, userId, version));
  }

  /**
   * Installs a row read back from the warehouse, unless what is stored here is as new or newer, or was handed off (the
   * server it went to rotates it in the warehouse from then on: it must not come back here); true if installed.
   */
  async install(row: SealedAccount): Promise<boolean> {
    const at = new Date(this.now()).toISOString();
    const changed = await this.connection.write(
      (db) =>
        db
          .query(
            `INSERT INTO oura_accounts (user_id, access_token, refresh_token, access_expires_at_ms, scopes, needs_reauth, reauth_reason,
                                        token_version, mirrored_version, handed_off_at, linked_at, updated_at)
             VALUES ($user_id, $access, $refresh, $expires, $scopes, $needs_reauth, $reason, $version, $version, $handed_off_at, $at, $updated_at)
             ON CONFLICT (user_id) DO UPDATE SET access_token = $access, refresh_token = $refresh, access_expires_at_ms = $expires,
               scopes = $scopes, needs_reauth = $needs_reauth, reauth_reason = $reason, token_version = $version,
               mirrored_version = $version, handed_off_at = $handed_off_at, updated_at = $updated_at
             WHERE oura_accounts.token_version < $version AND oura_accounts.handed_off_at IS NULL`,
          )
          .run({
            user_id: row.user_id,
            access: row.access_token,
            refresh: row.refresh_token,
            expires: row.access_expires_at_ms,
            scopes: row.scopes,
            needs_reauth: row.needs_reauth || row.handed_off ? 1 : 0,
            reason: row.reauth_reason,
            version: row.token_version,
            handed_off_at: row.handed_off ? row.updated_at : null,
            at,
            updated_at: row.updated_at || at,
          }).changes,
    );
    this.#usable = undefined;
    return changed === 1;
  }

  private async seal(tokens: NewTokens) {
    return {
      access: await this.cipher.encrypt(tokens.accessToken),
      refresh: await this.cipher.encrypt(tokens.refreshToken),
      expires: this.now() + tokens.expiresInSeconds * 1000,
      scopes: tokens.scopes ?? null,
    };
  }
}

function toSealed(row: AccountRow): SealedAccount & { mirrored_version: number } {
  return {
    user_id: row.user_id,
    access_token: row.access_token,
    refresh_token: row.refresh_token,
    access_expires_at_ms: row.access_expires_at_ms ?? 0,
    scopes: row.scopes ?? "",
    needs_reauth: row.needs_reauth === 1,
    reauth_reason: row.reauth_reason,
    handed_off: row.handed_off_at !== null,
    token_version: row.token_version,
    updated_at: row.updated_at,
    mirrored_version: row.mirrored_version,
  };
}
