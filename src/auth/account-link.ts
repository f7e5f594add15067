// Linking an Oura user: from a sign-in (authorization code, once admitted: services/sign-in.ts) or a refresh token
// given at start-up. Either way the user id comes from personal_info, the tokens are stored encrypted, and that
// user's waiting events are queued.
import type { AppDeps, OuraSync } from "../deps.ts";
import { sha256Hex } from "./constant-time.ts";
import { OuraApiError, type TokenResponse } from "../oura/client.ts";

const INITIAL_TOKEN_SETTING = "oauth.initial_refresh_token_spent";

/** What linking an account touches: the account, and the fetches waiting for it. */
type LinkDeps = Pick<AppDeps, "accounts" | "fetchQueue" | "logger">;

/** Links the user these tokens belong to (personal_info says who, and their email); returns the user id. */
export async function linkTokens(deps: LinkDeps, sync: Pick<OuraSync, "client" | "fetcher">, tokens: TokenResponse, profile?: { id: string; email?: string | null }): Promise<string> {
  const { id: userId, email } = profile ?? (await sync.client.personalInfo(tokens.access_token));
  await deps.accounts.link(
    userId,
    { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresInSeconds: tokens.expires_in, scopes: tokens.scope },
    email ?? null,
  );
  const queued = await deps.fetchQueue.requeueAwaitingLink(userId);
  deps.logger.info("oauth.linked", { user_id: userId, requeued_events: queued });
  sync.fetcher.wake();
  return userId;
}

/**
 * OURA_INITIAL_REFRESH_TOKEN links one user without a browser. Refresh tokens are single-use, so it is exchanged only
 * while no token is stored and never after it was spent once (a digest of it is remembered, not the token).
 */
export async function linkInitialRefreshToken(deps: LinkDeps & Pick<AppDeps, "settings">, sync: Pick<OuraSync, "client" | "fetcher">, refreshToken: string, attempt = 1): Promise<"done" | "retry"> {
  const digest = sha256Hex(refreshToken);
  if ((await deps.settings.getSetting(INITIAL_TOKEN_SETTING)) === digest || deps.accounts.hasAny()) {
    if (attempt === 1) deps.logger.info("oauth.initial_refresh_token_ignored", { reason: "a newer token is already stored" });
    return "done";
  }
  try {
    const tokens = await sync.client.refresh(refreshToken);
    await deps.settings.ensureSetting(INITIAL_TOKEN_SETTING, digest);
    await linkTokens(deps, sync, tokens);
    return "done";
  } catch (error) {
    // Refused (invalid_grant, a 400 or 401) means spent for good; anything else (Oura down, unreachable) is tried
    // again while the server runs — said once, not at every attempt of a long outage.
    const refused = error instanceof OuraApiError && (Boolean(error.oauthError) || error.status === 400 || error.status === 401);
    if (refused) await deps.settings.ensureSetting(INITIAL_TOKEN_SETTING, digest);
    const fields = { error: error instanceof Error ? error.message : String(error), effect: refused ? "not linked; sign in with Oura instead" : "tried again until Oura answers" };
    if (refused || attempt === 1) deps.logger.error("oauth.initial_refresh_token_failed", fields);
    return refused ? "done" : "retry";
  }
}
