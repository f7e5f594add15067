// CSRF protection for cookie-authenticated changes. SameSite=Lax already keeps the session cookie off cross-site
// POSTs; on top of that every state-changing request made with a session carries a token derived from the session
// (X-CSRF-Token header, or a _csrf form field). Bearer-token requests need none: a browser never sends those by itself.
import type { Context } from "hono";
import { AppError } from "../errors.ts";
import { secretsEqual } from "./constant-time.ts";
import type { ServerKeys } from "./keys.ts";
import type { Principal } from "./principal.ts";

/** The key the tokens are derived with. */
export interface CsrfDeps {
  keys: Pick<ServerKeys, "cookieSecret">;
}

export function csrfToken(deps: CsrfDeps, sessionId: string): string {
  return new Bun.CryptoHasher("sha256", deps.keys.cookieSecret).update(`csrf:${sessionId}`).digest("base64url");
}

/** Sessions and Databricks App users come with cookies a browser sends by itself: their forms need the token. */
function csrfSubject(principal: Principal | undefined): string | undefined {
  const identity = principal?.identity;
  if (identity?.kind === "session") return identity.sessionId;
  if (identity?.kind === "app_user") return `databricks-app:${identity.email}`;
  return undefined;
}

export function csrfTokenOf(deps: CsrfDeps, principal: Principal): string | null {
  const subject = csrfSubject(principal);
  return subject ? csrfToken(deps, subject) : null;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Throws 403 `csrf_failed` for a change a session asked for without its token. Runs after the principal guard; only
 * sessions need it (a request without a session has nothing to forge).
 */
export async function verifyCsrf<E extends { Variables: { principal?: Principal } }>(c: Context<E>, deps: CsrfDeps): Promise<void> {
  const subject = csrfSubject(c.var.principal);
  if (SAFE.has(c.req.method) || subject === undefined) return;
  let presented = c.req.header("x-csrf-token");
  if (!presented && c.req.header("content-type")?.includes("application/x-www-form-urlencoded")) {
    const form = await c.req.parseBody().catch(() => {
      throw new AppError(400, "invalid_form", "the form body could not be read");
    });
    presented = typeof form._csrf === "string" ? form._csrf : undefined;
  }
  if (!presented || !secretsEqual(presented, csrfToken(deps, subject))) {
    throw new AppError(403, "csrf_failed", "missing or wrong CSRF token: reload the page and try again");
  }
}
