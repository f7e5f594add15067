// Sign-in with Oura (OAuth2 authorization code), the caller's link status, logout and unlinking.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { sha256Hex } from "../auth/constant-time.ts";
import { type CsrfDeps, csrfTokenOf } from "../auth/csrf.ts";
import { endSession, isSecureRequest, oauthConfigured, type PrincipalDeps, startSession } from "../auth/principal.ts";
import { OuraApiError } from "../oura/client.ts";
import { type AccountServiceDeps, accountService } from "../services/accounts.ts";
import { requireOura } from "../services/require-oura.ts";
import { admitAndLink, type SignInDeps } from "../services/sign-in.ts";
import { AuthStatus, LinkedUser, UnlinkResult } from "../schemas/auth.ts";
import { ErrorBody, errorResponse, jsonResponse } from "../schemas/common.ts";
import { createRouter, DATA_SECURITY, defineRoute } from "./router.ts";
import { htmlDocument } from "../views/layout.tsx";
import { AuthErrorPage } from "../views/pages.tsx";
import { randomId } from "../auth/random-id.ts";
import { OAUTH_STATE_TTL_MS } from "../storage/sessions.ts";

/** Binds an OAuth state to the browser that started the sign-in. */
const BROWSER_COOKIE = "oura_oauth";
/** Carries an invitation's secret from its link to the sign-in's end (signed, only sent to /auth). */
const INVITATION_COOKIE = "oura_invite";
const INVITATION_COOKIE_SECONDS = 3600;

const inviteRoute = defineRoute({
  method: "get",
  path: "/auth/invite/{secret}",
  tags: ["Account"],
  summary: "Open an invitation link: remembers it in this browser, then signs in with Oura",
  request: { params: z.object({ secret: z.string().min(1).max(256).openapi({ param: { name: "secret", in: "path" } }) }) },
  responses: {
    302: { description: "An open invitation: on to Oura's sign-in" },
    404: { description: "No such invitation (HTML page)", content: { "text/html": { schema: z.string() } } },
    410: { description: "Used, expired or withdrawn (HTML page)", content: { "text/html": { schema: z.string() } } },
  },
});

const loginRoute = defineRoute({
  method: "get",
  path: "/auth/login",
  tags: ["Account"],
  summary: "Start signing in with Oura",
  responses: { 302: { description: "Redirect to Oura's authorize page" }, 503: errorResponse("OURA_CLIENT_ID / OURA_CLIENT_SECRET not configured") },
});

const callbackRoute = defineRoute({
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
    403: { description: "Not invited: refused (HTML page); the token Oura issued is revoked", content: { "text/html": { schema: z.string() } } },
    400: {
      description: "State missing, reused, expired or from another browser, or the user declined (HTML page); a malformed query (JSON error)",
      content: { "text/html": { schema: z.string() }, "application/json": { schema: ErrorBody } },
    },
    502: { description: "Oura refused the code exchange (HTML page)" },
  },
});

const statusRoute = defineRoute({
  method: "get",
  path: "/auth/status",
  tags: ["Account"],
  summary: "Who is asking (role), and the linked Oura users visible to them, their scopes and token health",
  security: DATA_SECURITY,
  responses: { 200: jsonResponse(AuthStatus, "Link status"), 401: errorResponse("Not signed in") },
});

const logoutRoute = defineRoute({
  method: "post",
  path: "/auth/logout",
  tags: ["Account"],
  summary: "End this browser session",
  description: "Needs no sign-in; a browser session that signs out must send its X-CSRF-Token.",
  security: [{ sessionCookie: [] }, {}],
  responses: { 200: jsonResponse(z.object({ ok: z.boolean() }), "Signed out"), 403: errorResponse("A session without its X-CSRF-Token") },
});

const unlinkRoute = defineRoute({
  method: "delete",
  path: "/auth/users/{id}",
  tags: ["Account"],
  summary: "Unlink an Oura user: revoke at Oura and delete its tokens (?purge=true also deletes its data)",
  description: "A wearer may unlink only their own user; an operator anyone. `revoked` says whether Oura confirmed the revoke (`revoke_error` why not): the link is removed here either way.",
  security: DATA_SECURITY,
  request: {
    params: z.object({ id: z.string().min(1).max(256).openapi({ param: { name: "id", in: "path" } }) }),
    query: z.object({ purge: z.enum(["true", "false"]).optional() }),
  },
  responses: {
    200: jsonResponse(UnlinkResult, "Unlinked"),
    401: errorResponse("Not signed in"),
    403: errorResponse("A session without its X-CSRF-Token"),
    404: errorResponse("No such linked user (or not one the caller may see)"),
  },
});

const operatorRoute = (method: "put" | "delete") =>
  defineRoute({
    method,
    path: "/auth/users/{id}/operator",
    tags: ["Access"],
    summary: method === "put" ? "Make a linked user an operator (operators)" : "Make an operator a wearer again (operators)",
    description: "Operators run the server: every user's data, subscriptions, invitations. OPERATOR_EMAILS makes its users operators whatever is set here (a demotion of one of them answers 409).",
    security: DATA_SECURITY,
    request: { params: z.object({ id: z.string().min(1).max(256).openapi({ param: { name: "id", in: "path" } }) }) },
    responses: {
      200: jsonResponse(LinkedUser, "The user, with their role"),
      403: errorResponse("Not an operator, or a session without its X-CSRF-Token"),
      404: errorResponse("No such linked user"),
      409: errorResponse("An operator by OPERATOR_EMAILS: change the setting instead"),
    },
  });
/** A name people recognise, not an essay: room for "Grandma Ann" in any script, never markup (views escape it). */
export const DisplayNameForm = z.object({ display_name: z.string().max(60).openapi({ description: "Up to 60 characters; empty clears it (the email is shown again)." }) });
const displayNameRoute = defineRoute({
  method: "put",
  path: "/auth/users/{id}/display-name",
  tags: ["Account"],
  summary: "Set the name a linked user is shown by on the dashboard (a wearer their own, an operator anyone's)",
  security: DATA_SECURITY,
  request: {
    params: z.object({ id: z.string().min(1).max(256).openapi({ param: { name: "id", in: "path" } }) }),
    body: { required: true, content: { "application/json": { schema: DisplayNameForm } } },
  },
  responses: {
    200: jsonResponse(LinkedUser, "The user, with the name"),
    400: errorResponse("Invalid input, or a name with no letter or digit left once invisible characters are removed"),
    401: errorResponse("Not signed in"),
    403: errorResponse("Another user's name without being an operator, or a session without its X-CSRF-Token"),
    404: errorResponse("No such linked user (or not one the caller may see)"),
    409: errorResponse("Another linked user is shown by that name or email"),
  },
});
const promoteRoute = operatorRoute("put");
const demoteRoute = operatorRoute("delete");

function page(c: Context, status: 400 | 403 | 404 | 410 | 502 | 503, title: string, message: string) {
  return c.html(htmlDocument(AuthErrorPage({ title, message })), status);
}

export function createAuthRoutes(deps: AccountServiceDeps & SignInDeps & PrincipalDeps & CsrfDeps) {
  const app = createRouter();
  const accounts = accountService(deps);

  app.openapi(inviteRoute, async (c) => {
    const { secret } = c.req.valid("param");
    const invitation = deps.invitations.find(secret);
    if (!invitation) return page(c, 404, "This invitation is not known here", "Check that the whole link was copied, or ask for a new one.");
    if (invitation.state !== "open") {
      const why = invitation.state === "used" ? "It was already used" : invitation.state === "expired" ? "It has expired" : "It was withdrawn";
      return page(c, 410, "This invitation cannot be used", `${why}. Ask the person who runs this server for a new one.`);
    }
    await setSignedCookie(c, INVITATION_COOKIE, secret, deps.keys.cookieSecret, {
      httpOnly: true,
      sameSite: "Lax",
      secure: isSecureRequest(c, deps.config.publicUrl),
      path: "/auth",
      maxAge: INVITATION_COOKIE_SECONDS,
    });
    return c.redirect("/auth/login", 302);
  });

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
    return c.redirect(oura.client.authorizeUrl(state), 302);
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
    if (!code || !deps.sync) return page(c, 400, "Sign-in could not be completed", "Oura sent no authorization code.");
    const invitation = (await getSignedCookie(c, deps.keys.cookieSecret, INVITATION_COOKIE)) || undefined;
    let userId: string;
    try {
      const admission = await admitAndLink(deps, deps.sync, await deps.sync.client.exchangeCode(code), invitation);
      if (!admission.admitted) return page(c, 403, admission.title, admission.message);
      userId = admission.userId;
    } catch (failure) {
      const detail = failure instanceof OuraApiError ? `Oura answered ${failure.status}: ${failure.oauthError ?? failure.detail}` : "Oura could not be reached.";
      deps.logger.warn("oauth.callback_failed", { status: failure instanceof OuraApiError ? failure.status : 0 });
      return page(c, 502, "Sign-in with Oura failed", detail);
    }
    deleteCookie(c, INVITATION_COOKIE, { path: "/auth" });
    await startSession(c, deps, userId);
    return c.redirect("/dashboard", 302);
  });

  app.openapi(statusRoute, (c) => {
    const principal = c.var.principal;
    return c.json(
      {
        oauth_configured: oauthConfigured(deps.config),
        // The command line's principal never makes an HTTP request; an MCP token opens /mcp alone.
        principal: principal.kind === "cli" || principal.kind === "mcp_token" ? "api" : principal.kind,
        // Guests never get here (the guard refuses them).
        role: principal.isOperator ? ("operator" as const) : ("wearer" as const),
        user_id: principal.userId,
        csrf_token: csrfTokenOf(deps, principal),
        linked_users: accounts.visible(principal),
      },
      200,
    );
  });

  app.openapi(logoutRoute, async (c) => {
    const principal = c.var.principal;
    if (principal) await endSession(c, deps, principal);
    return c.json({ ok: true }, 200);
  });

  app.openapi(promoteRoute, async (c) => c.json(await accounts.setOperator(c.var.principal, c.req.valid("param").id, true), 200));
  app.openapi(demoteRoute, async (c) => c.json(await accounts.setOperator(c.var.principal, c.req.valid("param").id, false), 200));

  app.openapi(displayNameRoute, async (c) => c.json(await accounts.setDisplayName(c.var.principal, c.req.valid("param").id, c.req.valid("json").display_name), 200));

  app.openapi(unlinkRoute, async (c) => c.json(await accounts.unlink(c.var.principal, c.req.valid("param").id, c.req.valid("query").purge === "true"), 200));

  return app;
}
