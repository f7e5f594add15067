// Access tokens on demand. Refresh tokens are single-use, so: one refresh per user at a time in this process
// (single flight), a compare-and-swap on token_version in the database, and the new pair committed before it is used.
import type { Logger } from "../log.ts";
import { type OuraClient, OuraApiError } from "../oura/client.ts";
import type { Accounts } from "../storage/accounts.ts";

/** Refresh this long before expiry so a token never expires mid-request. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export class TokenManager {
  readonly #inflight = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly accounts: Accounts,
    private readonly oura: OuraClient,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the user is linked and needs no new sign-in: documents can be fetched for them. */
  hasUsableLink(userId: string): boolean {
    return this.accounts.hasUsableLink(userId);
  }

  /** A usable access token for the user, or undefined when not linked or re-authorisation is needed. */
  async accessToken(userId: string): Promise<string | undefined> {
    const account = await this.accounts.get(userId);
    if (!account || account.needsReauth) return undefined;
    if (account.accessExpiresAtMs - this.now() > REFRESH_MARGIN_MS) return account.accessToken;
    return this.refresh(userId, account.accessToken);
  }

  /** After Oura answered 401 to `rejected`: refresh, unless someone already replaced that token. */
  async afterUnauthorized(userId: string, rejected: string): Promise<string | undefined> {
    const account = await this.accounts.get(userId);
    if (!account || account.needsReauth) return undefined;
    if (account.accessToken !== rejected) return account.accessToken;
    return this.refresh(userId, rejected);
  }

  /** Replaces `stale` (an access token that expired or was refused), unless that already happened. */
  refresh(userId: string, stale: string): Promise<string | undefined> {
    let flight = this.#inflight.get(userId);
    if (!flight) {
      flight = this.#refreshOnce(userId, stale).finally(() => this.#inflight.delete(userId));
      this.#inflight.set(userId, flight);
    }
    return flight;
  }

  async #refreshOnce(userId: string, stale: string): Promise<string | undefined> {
    const account = await this.accounts.get(userId);
    if (!account || account.needsReauth) return undefined;
    // A caller that read the account just before a previous flight landed must not start a second refresh.
    if (account.accessToken !== stale) return account.accessToken;
    // Warehouse mode: Delta must be writable now, or the pair Oura is about to hand out could die with this disk.
    await this.accounts.beforeRotation(userId);
    let tokens;
    try {
      tokens = await this.oura.refresh(account.refreshToken);
    } catch (error) {
      if (error instanceof OuraApiError && (error.oauthError === "invalid_grant" || error.status === 400 || error.status === 401)) {
        // Another process may have rotated it first: only a token nobody replaced is really dead.
        const latest = await this.accounts.get(userId);
        if (latest && latest.version !== account.version && !latest.needsReauth) return latest.accessToken;
        await this.accounts.markNeedsReauth(userId, `refresh refused by Oura (${error.oauthError ?? error.status})`);
        this.logger.warn("oauth.needs_reauth", { user_id: userId, reason: error.oauthError ?? String(error.status) });
        return undefined;
      }
      throw error;
    }
    const fresh = { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresInSeconds: tokens.expires_in, scopes: tokens.scope };
    if (!(await this.accounts.rotate(userId, account.version, fresh))) {
      // Lost the race to a concurrent link: what is stored is newer than what we hold.
      return (await this.accounts.get(userId))?.accessToken;
    }
    this.logger.info("oauth.refreshed", { user_id: userId });
    return tokens.access_token;
  }
}
