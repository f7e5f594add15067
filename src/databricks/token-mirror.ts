// Warehouse mode: the sealed token rows live in Delta too, so a redeploy that loses the disk loses no refresh token.
// Every change is pushed after its local commit; a token is never handed out for use before its row is in Delta
// (get() pushes a row that is not there yet and fails if it cannot), so a rotated refresh token cannot die with a disk.
// Servers sharing the token table spend refresh tokens only under the token lease (token-lease.ts).
import type { Logger } from "../log.ts";
import type { AccountSummary, Accounts, NewTokens, StoredTokens } from "../storage/accounts.ts";
import type { MirroredAccountStore } from "../storage/accounts.ts";
import type { DeltaWarehouse } from "./delta-warehouse.ts";
import { type TokenLease, TokenLeaseUnavailable } from "./token-lease.ts";

/** A refresh whose end was never reported (Oura unreachable: the token manager just throws) stops counting after this. */
const ROTATION_WINDOW_MS = 5 * 60_000;

export class MirroredAccounts implements Accounts {
  readonly #pushing = new Map<string, Promise<void>>();
  /** Users whose refresh token is being spent, and since when. */
  readonly #rotating = new Map<string, number>();

  constructor(
    private readonly local: MirroredAccountStore,
    private readonly warehouse: DeltaWarehouse,
    private readonly logger: Logger,
    /** Absent: this server alone uses the token table (the token handoff command, which spends nothing). */
    private readonly lease?: TokenLease,
  ) {}

  /** Whether the lease must be kept: a refresh is under way, or Delta lacks a rotation (the other server would read a spent token). */
  busy(): boolean {
    const now = Date.now();
    for (const [userId, since] of this.#rotating) if (now - since > ROTATION_WINDOW_MS) this.#rotating.delete(userId);
    return this.#rotating.size > 0 || this.local.unmirrored().length > 0;
  }

  /** Copies the user's row to Delta unless Delta already has this version; one push per user at a time. */
  push(userId: string): Promise<void> {
    let flight = this.#pushing.get(userId);
    if (!flight) {
      flight = this.#write(userId, false).finally(() => this.#pushing.delete(userId));
      this.#pushing.set(userId, flight);
    }
    return flight;
  }

  /** Writes the user's row to Delta — only when Delta lacks this version, unless `always` (a write check). */
  async #write(userId: string, always: boolean): Promise<void> {
    const row = this.local.sealed(userId);
    if (!row || (!always && row.mirrored_version >= row.token_version)) return;
    await this.warehouse.prepareTokens();
    const { mirrored_version: _, ...sealed } = row;
    await this.warehouse.putToken(sealed);
    await this.local.markMirrored(userId, row.token_version);
  }

  /** Pushes every row Delta has not confirmed yet (linked while the warehouse was down); failures are logged. */
  async pushPending(): Promise<void> {
    for (const userId of this.local.unmirrored()) await this.#logged(userId, "sync");
  }

  /** Reads Delta's rows and installs those newer than what is here; returns how many were installed. */
  async restore(): Promise<number> {
    await this.warehouse.prepareTokens();
    let installed = 0;
    for (const row of await this.warehouse.readTokens()) {
      // An unlinked user's row keeps its version but no tokens: nothing to install.
      if (row.user_id && row.refresh_token && (await this.local.install(row))) installed++;
    }
    return installed;
  }

  async get(userId: string): Promise<StoredTokens | undefined> {
    const account = await this.local.get(userId);
    if (account && !account.needsReauth) await this.push(userId);
    return account;
  }

  async link(userId: string, tokens: NewTokens, email: string | null = null): Promise<void> {
    await this.local.link(userId, tokens, email);
    // The sign-in succeeded and is kept here; get() will not use the token before Delta has it.
    await this.#logged(userId, "link");
  }

  /**
   * Only the lease holder spends a refresh token: waits for the lease (taking it re-reads the rows from Delta). If that
   * brought a newer row for this user, the token the caller holds may be spent already: it gives up this attempt, and
   * the next one uses Delta's. Then rewrites the current row (a MERGE that changes nothing): proves Delta takes writes
   * before Oura spends the token.
   */
  async beforeRotation(userId: string): Promise<void> {
    if (this.lease) {
      const version = this.local.sealed(userId)?.token_version;
      await this.lease.use();
      if (this.local.sealed(userId)?.token_version !== version) {
        throw new TokenLeaseUnavailable(`the Oura token of ${userId} was rotated by another server; the next attempt uses the one read back from Delta`);
      }
    }
    this.#rotating.set(userId, Date.now());
    try {
      await this.#write(userId, true);
    } catch (error) {
      this.#rotating.delete(userId);
      throw error;
    }
  }

  async rotate(userId: string, expectedVersion: number, tokens: NewTokens): Promise<boolean> {
    try {
      if (!(await this.local.rotate(userId, expectedVersion, tokens))) return false;
      // The caller uses the new access token next: Delta must have the pair first (throws if it cannot be written).
      await this.push(userId);
      return true;
    } finally {
      this.#rotating.delete(userId);
    }
  }

  async markNeedsReauth(userId: string, reason: string): Promise<void> {
    this.#rotating.delete(userId);
    await this.local.markNeedsReauth(userId, reason);
    await this.#logged(userId, "needs_reauth");
  }

  async remove(userId: string): Promise<boolean> {
    const before = this.local.sealed(userId);
    const removed = await this.local.remove(userId);
    if (before) {
      // A newer version without tokens, so a restore does not bring the account back.
      const { mirrored_version: _, ...row } = before;
      await this.warehouse
        .putToken({ ...row, access_token: null, refresh_token: null, needs_reauth: true, reauth_reason: "unlinked", token_version: row.token_version + 1, updated_at: new Date().toISOString() })
        .catch((error) => this.logger.warn("warehouse.token_sync_failed", { user_id: userId, step: "unlink", error: (error as Error).message }));
    }
    return removed;
  }

  /** Marks the account handed off here only: Delta keeps the usable token, which the receiving server reads. */
  async handOff(userId: string): Promise<string | undefined> {
    // Delta must have the very token being handed over (it may have been rotated while Delta was down).
    await this.push(userId);
    return this.local.handOff(userId);
  }

  /** Promotion is this server's own: it is not mirrored (a Databricks App names its operators in DATABRICKS_APP_OPERATORS). */
  setOperator(userId: string, since: string | null): Promise<boolean> {
    return this.local.setOperator(userId, since);
  }

  setDisplayName(userId: string, name: string | null): Promise<boolean> {
    return this.local.setDisplayName(userId, name);
  }

  hasAny(): boolean {
    return this.local.hasAny();
  }

  list(userId?: string): AccountSummary[] {
    return this.local.list(userId);
  }

  hasUsableLink(userId: string): boolean {
    return this.local.hasUsableLink(userId);
  }

  async #logged(userId: string, step: string): Promise<void> {
    await this.push(userId).catch((error) =>
      this.logger.warn("warehouse.token_sync_failed", { user_id: userId, step, error: (error as Error).message, effect: "kept locally; not used until Delta has it" }),
    );
  }
}
