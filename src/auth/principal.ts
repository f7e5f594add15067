// Who is asking: the API token (sees everything), a browser session (sees its own Oura user), or — only when no
// credential of any kind is configured, which the config allows on loopback alone — anyone.
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { SESSION_TTL_MS } from "../storage/sessions.ts";
import { secretsEqual } from "./constant-time.ts";

export type Principal =
  | { kind: "api" }
  | { kind: "session"; sessionId: string; userId: string | null }
  /** A workspace user the Databricks Apps front door signed in (only when running as a Databricks App): sees every user's data. */
  | { kind: "app_user"; email: string }
  | { kind: "open" };

export const SESSION_COOKIE = "oura_session";

export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}

/** The Oura user whose data this principal may see; undefined means every user. */
export function visibleUser(principal: Principal): string | undefined {
  return principal.kind === "session" && principal.userId !== null ? principal.userId : undefined;
}

export function oauthConfigured(config: AppDeps["config"]): boolean {
  return Boolean(config.oura.clientId && config.oura.clientSecret);
}

export function isSecureRequest(c: Context, publicUrl: string | undefined): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https" || Boolean(publicUrl?.startsWith("https:"));
}

export async function readPrincipal(c: Context<AppEnv>, deps: AppDeps): Promise<Principal | undefined> {
  const presented = bearerToken(c.req.header("authorization"));
  if (presented !== undefined) {
    if (deps.config.apiToken && secretsEqual(presented, deps.config.apiToken)) return { kind: "api" };
    throw new AppError(401, "unauthorized", "the bearer token is not valid");
  }
  // Behind the Apps front door every request is authenticated by Databricks, which forwards who it is. Anywhere else
  // these headers are whatever the client wrote, so they are read only when the Apps runtime started this server.
  if (deps.config.databricksApp) {
    const email = c.req.header("x-forwarded-email") ?? c.req.header("x-forwarded-preferred-username");
    if (email) return { kind: "app_user", email };
  }
  const sessionId = await getSignedCookie(c, deps.keys.cookieSecret, SESSION_COOKIE);
  if (sessionId) {
    const session = deps.sessions.get(sessionId);
    if (session) return { kind: "session", sessionId, userId: session.userId };
  }
  if (!deps.config.apiToken && !oauthConfigured(deps.config)) return { kind: "open" };
  return undefined;
}

/** Guards a data route: sets c.var.principal or answers 401 with the JSON error. */
export function requirePrincipal(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function principalGuard(c, next) {
    const principal = await readPrincipal(c, deps);
    if (!principal) throw new AppError(401, "unauthorized", "sign in, or send Authorization: Bearer <API_TOKEN>");
    c.set("principal", principal);
    return next();
  };
}

export async function startSession(c: Context<AppEnv>, deps: AppDeps, userId: string | null): Promise<void> {
  const session = await deps.sessions.create(userId);
  await setSignedCookie(c, SESSION_COOKIE, session.id, deps.keys.cookieSecret, {
    httpOnly: true,
    sameSite: "Lax",
    secure: isSecureRequest(c, deps.config.publicUrl),
    path: "/",
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

export async function endSession(c: Context<AppEnv>, deps: AppDeps, principal: Principal): Promise<void> {
  if (principal.kind === "session") await deps.sessions.delete(principal.sessionId);
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}
