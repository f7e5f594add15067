// Linked Oura users as each principal may see and manage them: the list, unlink (a wearer their own, an operator
// anyone's), and promotion to operator (operators only).
import { accountIsOperator, type Principal } from "../auth/principal.ts";
import { emailListed } from "../auth/email-list.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import type { AccountSummary } from "../storage/accounts.ts";

export interface VisibleAccount extends AccountSummary {
  role: "operator" | "wearer";
}

/**
 * A display name as shown: control and format characters (zero-width, right-to-left overrides) removed, spaces
 * collapsed; null clears it (empty), undefined is refused (nothing readable left).
 */
function usableName(name: string): string | null | undefined {
  const shown = name.replace(/[\p{Cc}\p{Cf}]/gu, "").replace(/\s+/g, " ").trim();
  if (shown === "") return name.trim() === "" ? null : undefined;
  return /[\p{L}\p{N}]/u.test(shown) ? shown : undefined;
}

const notLinked = (userId: string) => new AppError(404, "user_not_linked", `no linked Oura user ${userId}`);

export type AccountServiceDeps = Pick<AppDeps, "accounts" | "sessions" | "mcpTokens" | "events" | "sync" | "logger" | "config" | "now"> & {
  hooks: Pick<AppDeps["hooks"], "store" | "endpointsChanged">;
};

export function accountService(deps: AccountServiceDeps) {
  const withRole = (account: AccountSummary): VisibleAccount => ({ ...account, role: accountIsOperator(deps.config, account) ? "operator" : "wearer" });

  return {
    visible(principal: Principal): VisibleAccount[] {
      const only = principal.scope();
      return only === null ? [] : deps.accounts.list(only).map(withRole);
    },

    /** The account of a user the principal may see, or 404 (a wearer learns nothing of anyone else). */
    require(principal: Principal, userId: string): VisibleAccount {
      const account = principal.canSee(userId) ? deps.accounts.list(userId)[0] : undefined;
      if (!account) throw notLinked(userId);
      return withRole(account);
    },

    /** Revokes the user's token at Oura (and says whether that worked), deletes tokens and sessions; `purge` also their data. */
    async unlink(principal: Principal, userId: string, purge: boolean) {
      this.require(principal, userId);
      const account = await deps.accounts.get(userId).catch(() => undefined);
      const revoke = account && deps.sync ? await deps.sync.client.revoke(account.accessToken) : { revoked: false, error: account ? "Oura sign-in is not configured" : "no usable token was stored" };
      if (!(await deps.accounts.remove(userId))) throw notLinked(userId);
      await deps.sessions.deleteForUser(userId);
      await deps.mcpTokens.forgetUser(userId, purge);
      const purged = purge ? await deps.events.purgeUser(userId) : null;
      // Purged, their own outgoing webhooks go too (an unlinked wearer's stay, for when they sign in again).
      if (purge && (await deps.hooks.store.deleteEndpointsOwnedBy(userId)) > 0) deps.hooks.endpointsChanged();
      deps.logger.info("oauth.unlinked", { user_id: userId, purged: purged !== null, revoked: revoke.revoked });
      if (!revoke.revoked) deps.logger.warn("oauth.revoke_failed", { user_id: userId, error: revoke.error, effect: "the link is removed here; the user can also revoke this app in their Oura account settings" });
      return { user_id: userId, revoked: revoke.revoked, revoke_error: revoke.error ?? null, purged };
    },

    /** The name a user is shown by: a wearer sets their own, an operator anyone's; empty clears it (the email shows again). */
    async setDisplayName(principal: Principal, userId: string, name: string): Promise<VisibleAccount> {
      this.require(principal, userId);
      if (principal.userId !== userId) principal.requireOperator("name other users");
      const shown = usableName(name);
      if (shown === undefined) throw new AppError(400, "name_not_usable", "a name needs a letter or a digit (invisible and direction-changing characters are left out)");
      // A name that reads as someone else's would let one wearer pass for another where an operator acts on users.
      const taken = deps.accounts.list().some((other) => other.user_id !== userId && shown !== null && [other.email, other.display_name].some((n) => n?.toLowerCase() === shown.toLowerCase()));
      if (taken) throw new AppError(409, "name_not_usable", "another linked user is shown by that name or email");
      await deps.accounts.setDisplayName(userId, shown);
      deps.logger.info("access.renamed", { user_id: userId });
      return this.require(principal, userId);
    },

    /** Promotes (or demotes) a linked user; OPERATOR_EMAILS still makes its users operators whatever is set here. */
    async setOperator(principal: Principal, userId: string, operator: boolean): Promise<VisibleAccount> {
      principal.requireOperator(operator ? "promote users" : "demote operators");
      const account = this.require(principal, userId);
      if (!operator && emailListed(deps.config.access.operatorEmails, account.email)) {
        throw new AppError(409, "operator_by_setting", `${account.email} is an operator by OPERATOR_EMAILS; remove it there`);
      }
      await deps.accounts.setOperator(userId, operator ? (account.operator_since ?? new Date(deps.now()).toISOString()) : null);
      deps.logger.info(operator ? "access.promoted" : "access.demoted", { user_id: userId });
      return this.require(principal, userId);
    },
  };
}
