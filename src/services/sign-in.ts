// Who may link an Oura account by signing in: a user already linked here, an email in OPERATOR_EMAILS or
// ALLOWED_EMAILS, or the holder of an open invitation (used once, here). Anyone else is refused, and the token Oura
// just issued for them is revoked at once, so this server keeps nothing of a stranger.
import { linkTokens } from "../auth/account-link.ts";
import { emailListed } from "../auth/email-list.ts";
import type { AppDeps, OuraSync } from "../deps.ts";
import type { TokenResponse } from "../oura/client.ts";

export type Admission = { admitted: true; userId: string; via: "linked" | "email" | "invitation" } | { admitted: false; title: string; message: string };

const REFUSED_MESSAGE =
  "This server links Oura accounts by invitation. Ask the person who runs it for an invitation link, open it, and sign in again. Nothing was stored, and the access Oura just gave this server has been revoked.";

export type SignInDeps = Pick<AppDeps, "accounts" | "config" | "invitations" | "logger" | "fetchQueue">;

export async function admitAndLink(deps: SignInDeps, sync: OuraSync, tokens: TokenResponse, invitationSecret: string | undefined): Promise<Admission> {
  const profile = await sync.client.personalInfo(tokens.access_token);
  const { operatorEmails, allowedEmails } = deps.config.access;
  let via: "linked" | "email" | "invitation" | undefined;
  if (deps.accounts.list(profile.id).length > 0) via = "linked";
  else if (emailListed(operatorEmails, profile.email) || emailListed(allowedEmails, profile.email)) via = "email";
  else if (invitationSecret && (await deps.invitations.consume(invitationSecret, profile.id))) via = "invitation";
  if (!via) {
    const revoke = await sync.client.revoke(tokens.access_token);
    // The Oura user id (not the email) lets the operator tell who tried, should they ask for an invitation.
    deps.logger.warn("oauth.sign_in_refused", { user_id: profile.id, reason: invitationSecret ? "invitation_not_usable" : "not_invited", token_revoked: revoke.revoked });
    return invitationSecret
      ? { admitted: false, title: "This invitation cannot be used", message: `It was already used, has expired or was withdrawn. ${REFUSED_MESSAGE}` }
      : { admitted: false, title: "Not invited yet", message: REFUSED_MESSAGE };
  }
  const userId = await linkTokens(deps, sync, tokens, profile);
  deps.logger.info("oauth.sign_in_admitted", { user_id: userId, via });
  return { admitted: true, userId, via };
}
