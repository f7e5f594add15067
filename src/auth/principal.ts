// Who is asking, and what that allows. Every rule about who may see or change what asks the Principal: an operator
// (the API token, an operator's session, a Databricks App operator, or open loopback without any credential) sees
// and runs everything; a wearer sees only their own Oura user; a guest (a Databricks App user with no rights and no
// linked ring) is signed in but sees nothing.
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { Config } from "../config.ts";
import { AppError } from "../errors.ts";
import type { PeerEnv } from "../http/request-address.ts";
import { SESSION_TTL_MS, type Sessions } from "../storage/sessions.ts";
import type { Accounts, AccountSummary } from "../storage/accounts.ts";
import type { BearerGuard } from "./bearer-guard.ts";
import { emailListed } from "./email-list.ts";
import type { ServerKeys } from "./keys.ts";

/** What telling who is asking needs, of the app's dependencies. */
export interface PrincipalDeps {
  config: Config;
  keys: Pick<ServerKeys, "cookieSecret">;
  sessions: Sessions;
  accounts: Pick<Accounts, "list">;
  bearerGuard: BearerGuard;
}

/** How the caller proved who they are. */
export type Identity =
  | { kind: "api" }
  | { kind: "session"; sessionId: string; userId: string | null }
  /** A workspace user the Databricks Apps front door signed in (only when running as a Databricks App). */
  | { kind: "app_user"; email: string }
  /** Loopback, and no credential of any kind configured (the config allows nothing else). */
  | { kind: "open" }
  /** The command line, run by whoever may open the database file: the server's operator. */
  | { kind: "cli" }
  /** An AI assistant with a wearer's MCP access token (/mcp only): that wearer's own data, read-only. */
  | { kind: "mcp_token"; tokenId: string };

export type Role = "operator" | "wearer" | "guest";

export class Principal {
  constructor(
    readonly identity: Identity,
    readonly role: Role,
    /** A wearer's own Oura user; an operator's when their session is one (else null). */
    readonly userId: string | null,
  ) {}

  get kind(): Identity["kind"] {
    return this.identity.kind;
  }

  get isOperator(): boolean {
    return this.role === "operator";
  }

  /** Whether this principal may see (and manage) that Oura user's data. */
  canSee(userId: string): boolean {
    return this.role === "operator" || (this.role === "wearer" && userId === this.userId);
  }

  /**
   * The user filter to apply when `requested` was asked for: undefined means every user (an operator asking for no one
   * in particular), null means nothing at all is visible (someone else's, or a guest).
   */
  scope(requested?: string): string | undefined | null {
    if (this.role === "operator") return requested;
    if (this.role === "guest" || this.userId === null) return null;
    return requested === undefined || requested === this.userId ? this.userId : null;
  }

  /**
   * The user whose health data a personal view shows (the dashboard's night, charts and live feed): one's own ring
   * when one has one (an operator who wears a ring sees their own nights, not a family's average), else every user
   * visible; null for a guest.
   */
  personalScope(): string | undefined | null {
    return this.role === "guest" ? null : (this.userId ?? this.scope());
  }

  /** Throws 403 `operator_only` unless this is an operator. */
  requireOperator(what: string): void {
    if (!this.isOperator) throw new AppError(403, "operator_only", `only an operator of this server may ${what}`);
  }

  /** Throws 404 (as if it did not exist: a wearer learns nothing of other users) unless this principal may see `userId`. */
  requireSee(userId: string, notFound: () => AppError): void {
    if (!this.canSee(userId)) throw notFound();
  }

  /** Who acted, for a record such as an invitation's maker (never a credential). */
  get actor(): string {
    const identity = this.identity;
    if (identity.kind === "app_user") return identity.email;
    if (identity.kind === "session") return this.userId ? `Oura user ${this.userId}` : "api token (browser)";
    if (identity.kind === "mcp_token") return `MCP token ${identity.tokenId} of Oura user ${this.userId}`;
    return { api: "api token", open: "open loopback", cli: "command line" }[identity.kind];
  }

  /** The dashboard's one-line description of who is signed in. */
  describe(account: AccountSummary | undefined): string {
    const who = account ? (account.email ?? `Oura user ${account.user_id}`) : undefined;
    const role = this.role === "operator" ? "operator" : this.role === "wearer" ? "wearer" : "no access yet";
    switch (this.identity.kind) {
      case "api":
        return "Signed in with the API token (operator: all users)";
      case "open":
        return "Open access (loopback, no credentials configured)";
      case "cli":
        return "The command line (operator)";
      case "app_user":
        return `Signed in to Databricks as ${this.identity.email} (${role})`;
      case "session":
        return who ? `Signed in as ${who} (${role})` : "Signed in with the API token (operator: all users)";
      case "mcp_token":
        return `An AI assistant with an MCP token of ${who ?? "a wearer"}`;
    }
  }
}

export const CLI_PRINCIPAL = new Principal({ kind: "cli" }, "operator", null);

export const SESSION_COOKIE = "oura_session";

export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}

export function oauthConfigured(config: Config): boolean {
  return Boolean(config.oura.clientId && config.oura.clientSecret);
}

export function isSecureRequest(c: Context, publicUrl: string | undefined): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https" || Boolean(publicUrl?.startsWith("https:"));
}

/** Whether a linked account is an operator: promoted on this server, or its email is in OPERATOR_EMAILS. */
export function accountIsOperator(config: Config, account: Pick<AccountSummary, "email" | "operator_since">): boolean {
  return account.operator_since !== null || emailListed(config.access.operatorEmails, account.email);
}

/** The role of an Oura user signed in with a session: operator, wearer, or guest once unlinked. */
function sessionPrincipal(deps: PrincipalDeps, identity: Extract<Identity, { kind: "session" }>): Principal {
  if (identity.userId === null) return new Principal(identity, "operator", null);
  const account = deps.accounts.list(identity.userId)[0];
  if (!account) return new Principal(identity, "guest", null);
  return new Principal(identity, accountIsOperator(deps.config, account) ? "operator" : "wearer", identity.userId);
}

/**
 * A Databricks App user: an operator when DATABRICKS_APP_OPERATORS is unset or names them; else the wearer of the ring
 * linked with their email (or signed in with Oura in this browser) — an operator if an operator promoted that user.
 */
function appUserPrincipal(deps: PrincipalDeps, email: string, sessionUser: string | undefined): Principal {
  const identity: Identity = { kind: "app_user", email };
  const operators = deps.config.databricksApp?.operators ?? [];
  if (operators.length === 0 || emailListed(operators, email)) return new Principal(identity, "operator", null);
  const wanted = email.trim().toLowerCase();
  const accounts = deps.accounts.list();
  const linked = accounts.find((account) => account.email === wanted) ?? accounts.find((account) => account.user_id === sessionUser);
  if (!linked) return new Principal(identity, "guest", null);
  return new Principal(identity, linked.operator_since !== null ? "operator" : "wearer", linked.user_id);
}

/**
 * Reads who is asking. Throws 401 for a wrong bearer token (after the attempt was counted); undefined when nobody is
 * signed in. A Databricks App answers only requests that came through its front door (which always forwards who it
 * signed in): one without the header did not, and gets no principal at all.
 */
export async function readPrincipal<E extends PeerEnv>(c: Context<E>, deps: PrincipalDeps): Promise<Principal | undefined> {
  const presented = bearerToken(c.req.header("authorization"));
  if (presented !== undefined) return deps.bearerGuard.judge(c, presented) ? new Principal({ kind: "api" }, "operator", null) : undefined;
  const sessionId = await getSignedCookie(c, deps.keys.cookieSecret, SESSION_COOKIE);
  const session = sessionId ? deps.sessions.get(sessionId) : undefined;
  if (deps.config.databricksApp) {
    // Behind the Apps front door every request is authenticated by Databricks, which forwards who it is. Anywhere
    // else these headers are whatever the client wrote, so they are read only when the Apps runtime started us.
    const email = c.req.header("x-forwarded-email") ?? c.req.header("x-forwarded-preferred-username");
    return email ? appUserPrincipal(deps, email, session?.userId ?? undefined) : undefined;
  }
  if (session) return sessionPrincipal(deps, { kind: "session", sessionId: session.id, userId: session.userId });
  if (!deps.config.apiToken && !oauthConfigured(deps.config)) return new Principal({ kind: "open" }, "operator", null);
  return undefined;
}

export async function startSession(c: Context, deps: PrincipalDeps, userId: string | null): Promise<void> {
  const session = await deps.sessions.create(userId);
  await setSignedCookie(c, SESSION_COOKIE, session.id, deps.keys.cookieSecret, {
    httpOnly: true,
    sameSite: "Lax",
    secure: isSecureRequest(c, deps.config.publicUrl),
    path: "/",
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

export async function endSession(c: Context, deps: PrincipalDeps, principal: Principal): Promise<void> {
  if (principal.identity.kind === "session") await deps.sessions.delete(principal.identity.sessionId);
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}
