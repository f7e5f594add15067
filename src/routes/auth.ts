// Sign-in with Oura (OAuth2 authorization code), the caller's link status, logout and unlinking.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { linkTokens, unlinkUser } from "../auth/account-link.ts";
import { sha256Hex } from "../auth/constant-time.ts";
import { csrfTokenOf } from "../auth/csrf.ts";
import { endSession, isSecureRequest, oauthConfigured, startSession, visibleUser } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { OuraApiError } from "../oura/client.ts";
import { requireOura } from "./require-oura.ts";
import { AuthStatus, UnlinkResult } from "../schemas/auth.ts";
import { ErrorBody, errorResponse, jsonResponse } from "../schemas/common.ts";
import { createRouter, DATA_SECURITY } from "./router.ts";
import { htmlDocument } from "../views/layout.tsx";
import { AuthErrorPage } from "../views/pages.tsx";
import { randomId } from "../auth/random-id.ts";
import { OAUTH_STATE_TTL_MS } from "../storage/sessions.ts";

/** Binds an OAuth state to the browser that started the sign-in. */
const BROWSER_COOKIE = "oura_oauth";

const loginRoute = createRoute({
  method: "get",
  path: "/auth/login",
  tags: ["Account"],
  summary: "Start signing in with Oura",
  responses: { 302: { description: "Redirect to Oura's authorize page" }, 503: errorResponse("OURA_CLIENT_ID / OURA_CLIENT_SECRET not configured") },
});

const callbackRoute = createRoute({
  method: "get",
  path: "/auth/callback",
  tags: ["Account"],
  summary: "Oura redirects here after sign-in",
  request: {
    query: z.object({
      code: z.string().max(2048).optional(),
      state: z.string().max(256).optional(),
      error: z.string().max(256).optional(),
      error_description: z.string().max(1024).optional(),
    }),
  },
  responses: {
    302: { description: "Signed in: redirect to /dashboard" },
    400: {
      description: "State missing, reused, expired or from another browser, or the user declined (HTML page); a malformed query (JSON error)",
      content: { "text/html": { schema: z.string() }, "application/json": { schema: ErrorBody } },
    },
    502: { description: "Oura refused the code exchange (HTML page)" },
  },
});

const statusRoute = createRoute({
  method: "get",
  path: "/auth/status",
  tags: ["Account"],
  summary: "Linked Oura users visible to the caller, their scopes and token health",
  security: DATA_SECURITY,
  responses: { 200: jsonResponse(AuthStatus, "Link status"), 401: errorResponse("Not signed in") },
});

const logoutRoute = createRoute({
  method: "post",
  path: "/auth/logout",
  tags: ["Account"],
  summary: "End this browser session",
  description: "Needs no sign-in; a browser session that signs out must send its X-CSRF-Token.",
  security: [{ sessionCookie: [] }, {}],
  responses: { 200: jsonResponse(z.object({ ok: z.boolean() }), "Signed out"), 403: errorResponse("A session without its X-CSRF-Token") },
});

const unlinkRoute = createRoute({
  method: "delete",
  path: "/auth/users/{id}",
  tags: ["Account"],
  summary: "Unlink an Oura user: revoke at Oura and delete its tokens (?purge=true also deletes its data)",
  security: DATA_SECURITY,
  request: {
    params: z.object({ id: z.string().min(1).max(256).openapi({ param: { name: "id", in: "path" } }) }),
    query: z.object({ purge: z.enum(["true", "false"]).optional() }),
  },
  responses: {
    200: jsonResponse(UnlinkResult, "Unlinked"),
    401: errorResponse("Not signed in"),
    403: errorResponse("A session may unlink only its own user, and must send its X-CSRF-Token"),
    404: errorResponse("No such linked user"),
  },
});

function page(c: Context, status: 400 | 502 | 503, title: string, message: string) {
  return c.html(htmlDocument(AuthErrorPage({ title, message })), status);
}

export function createAuthRoutes(deps: AppDeps) {
  const app = createRouter(deps);

  app.openapi(loginRoute, async (c) => {
    const oura = requireOura(deps, "sign in with Oura");
    const nonce = randomId();
    const state = await deps.sessions.createState(sha256Hex(nonce));
    await setSignedCookie(c, BROWSER_COOKIE, nonce, deps.keys.cookieSecret, {
      httpOnly: true,
      sameSite: "Lax",
      secure: isSecureRequest(c, deps.config.publicUrl),
      path: "/auth",
      maxAge: OAUTH_STATE_TTL_MS / 1000,
    });
    return c.redirect(oura.authorizeUrl(state), 302);
  });

  app.openapi(callbackRoute, async (c) => {
    const { code, state, error, error_description } = c.req.valid("query");
    const nonce = await getSignedCookie(c, deps.keys.cookieSecret, BROWSER_COOKIE);
    deleteCookie(c, BROWSER_COOKIE, { path: "/auth" });
    // The state is consumed whatever happens next: a second use of the same redirect is always refused.
    const stateOk = Boolean(state && nonce && (await deps.sessions.consumeState(state, sha256Hex(nonce))));
    if (!stateOk) {
      deps.logger.warn("oauth.state_rejected");
      return page(c, 400, "Sign-in could not be verified", "This sign-in link is expired, was already used, or was started in another browser.");
    }
    if (error) {
      const declined = error === "access_denied";
      return page(c, 400, declined ? "Access was declined" : "Oura refused the sign-in", declined ? "Nothing was linked." : `${error}: ${error_description ?? ""}`);
    }
    if (!code || !deps.oura) return page(c, 400, "Sign-in could not be completed", "Oura sent no authorization code.");
    let userId: string;
    try {
      userId = await linkTokens(deps, await deps.oura.exchangeCode(code));
    } catch (failure) {
      const detail = failure instanceof OuraApiError ? `Oura answered ${failure.status}: ${failure.oauthError ?? failure.detail}` : "Oura could not be reached.";
      deps.logger.warn("oauth.callback_failed", { status: failure instanceof OuraApiError ? failure.status : 0 });
      return page(c, 502, "Sign-in with Oura failed", detail);
    }
    await startSession(c, deps, userId);
    return c.redirect("/dashboard", 302);
  });

  app.openapi(statusRoute, (c) => {
    const principal = c.var.principal;
    const only = visibleUser(principal);
    return c.json(
      {
        oauth_configured: oauthConfigured(deps.config),
        principal: principal.kind,
        user_id: principal.kind === "session" ? principal.userId : null,
        csrf_token: csrfTokenOf(deps, principal),
        linked_users: deps.accounts.list(only),
      },
      200,
    );
  });

  app.openapi(logoutRoute, async (c) => {
    const principal = c.var.principal;
    if (principal) await endSession(c, deps, principal);
    return c.json({ ok: true }, 200);
  });

  app.openapi(unlinkRoute, async (c) => {
    const { id } = c.req.valid("param");
    const only = visibleUser(c.var.principal);
    if (only !== undefined && only !== id) throw new AppError(403, "forbidden", "a session may unlink only its own Oura user");
    const result = await unlinkUser(deps, id, c.req.valid("query").purge === "true");
    if (!result) throw new AppError(404, "user_not_linked", `no linked Oura user ${id}`);
    return c.json(result, 200);
  });

  return app;
}
