// The one router every feature uses: the zod defaultHook, and guards derived from the `security` a route declares, so
// what /openapi.json says about a route and what the server enforces cannot disagree, and no guard can be registered
// where it never runs (a guard added with app.use after its handler is silently skipped).
import { type createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { secretsEqual } from "../auth/constant-time.ts";
import { requireCsrf } from "../auth/csrf.ts";
import { bearerToken, readPrincipal } from "../auth/principal.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError, validationHook } from "../errors.ts";
import { errorResponse } from "../schemas/common.ts";

type RouteConfig = Parameters<typeof createRoute>[0];
type Requirement = Record<string, string[]>;

/**
 * Data routes: the API token, or a browser session (an operator's sees everything, a wearer's only their own Oura
 * user); what each may do is the services' business (src/services/), which ask the principal.
 */
export const DATA_SECURITY: Requirement[] = [{ bearerAuth: [] }, { sessionCookie: [] }];
/** Like a data route, but anonymous callers are let through too (OpenAPI's empty requirement); the handler decides. */
export const OPTIONAL_SESSION_SECURITY: Requirement[] = [{ bearerAuth: [] }, { sessionCookie: [] }, {}];
/** /metrics: also METRICS_TOKEN, which opens nothing else. */
export const METRICS_SECURITY: Requirement[] = [{ metricsToken: [] }, { bearerAuth: [] }, { sessionCookie: [] }];

const SAFE_METHODS = new Set(["get", "head", "options"]);

/** The guards a route's declaration asks for, in the order they must run: who is asking, then CSRF for changes. */
export function guardsFor(route: Pick<RouteConfig, "method" | "security">, deps: AppDeps): MiddlewareHandler<AppEnv>[] {
  const security = route.security ?? [];
  if (security.length === 0) return [];
  const schemes = new Set(security.flatMap((requirement) => Object.keys(requirement)));
  const anonymousAllowed = security.some((requirement) => Object.keys(requirement).length === 0);
  const principalGuard = anonymousAllowed ? optionalPrincipal(deps) : requirePrincipal(deps);
  const guards = [schemes.has("metricsToken") ? metricsTokenOr(principalGuard, deps) : principalGuard];
  // A browser sends cookies by itself: every change a session can make must prove it comes from our own pages.
  if (schemes.has("sessionCookie") && !SAFE_METHODS.has(route.method)) guards.push(requireCsrf(deps));
  return guards;
}

/** Sets c.var.principal, or answers 401 (nobody signed in) or 403 (a Databricks App user with no access yet). */
function requirePrincipal(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function principalGuard(c, next) {
    const principal = await readPrincipal(c, deps);
    if (!principal) throw new AppError(401, "unauthorized", "sign in, or send Authorization: Bearer <API_TOKEN>");
    if (principal.role === "guest") throw new AppError(403, "not_linked", "signed in, but no Oura ring is linked to you here: sign in with Oura, or ask an operator");
    c.set("principal", principal);
    return next();
  };
}

function optionalPrincipal(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function optionalPrincipalGuard(c, next) {
    const principal = await readPrincipal(c, deps).catch(() => undefined);
    if (principal) c.set("principal", principal);
    return next();
  };
}

/** METRICS_TOKEN is a bearer token of its own: it passes here, and any other credential goes to `otherwise`. */
function metricsTokenOr(otherwise: MiddlewareHandler<AppEnv>, deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function metricsTokenGuard(c, next) {
    const presented = bearerToken(c.req.header("authorization"));
    if (presented && deps.config.metricsToken && secretsEqual(presented, deps.config.metricsToken)) return next();
    return otherwise(c, next);
  };
}

/**
 * The refusals every route of a kind can give, whether or not its author remembered to declare them: validation (400,
 * and 415/422 for bodies), a body over the limit (413), the guards (401, 403) and storage that cannot be used (503).
 * A route's own wording wins.
 */
export function withStandardRefusals<R extends RouteConfig>(route: R): R {
  const standard: Record<number, string> = {};
  const unsafe = !SAFE_METHODS.has(route.method);
  if (route.request?.query || route.request?.params) standard[400] = "Invalid query or path parameter";
  if (route.request?.body) Object.assign(standard, { 400: "The body cannot be read", 415: "A body of another media type than declared", 422: "The body does not match its schema" });
  if (unsafe) standard[413] = "A body larger than WEBHOOK_MAX_BYTES";
  if (route.security?.length) {
    if (!route.security.some((requirement) => Object.keys(requirement).length === 0)) {
      standard[401] = "Not signed in: send Authorization: Bearer <API_TOKEN> or a session cookie";
      standard[403] = "Not allowed: an operator's route asked by a wearer, or a change without its X-CSRF-Token";
    }
    standard[429] = "Too many wrong bearer tokens from this address";
    if (unsafe && route.security.some((requirement) => "sessionCookie" in requirement)) standard[403] ??= "A browser session without its X-CSRF-Token";
    standard[503] = "The database cannot be used: right now (storage_unavailable: retry later), or until an operator recovers a damaged file (storage_corrupt)";
  }
  const responses = { ...route.responses };
  for (const [status, description] of Object.entries(standard)) responses[status] ??= errorResponse(description);
  return { ...route, responses };
}

export type Router = OpenAPIHono<AppEnv>;

/** An OpenAPIHono whose `openapi()` attaches the guards each route's `security` declares before its validators. */
export function createRouter(deps: AppDeps): Router {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const register = router.openapi.bind(router);
  router.openapi = ((route: RouteConfig & { middleware?: unknown }, handler: unknown, hook?: unknown) => {
    const declared = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
    return register({ ...withStandardRefusals(route), middleware: [...guardsFor(route, deps), ...declared] } as never, handler as never, hook as never);
  }) as typeof router.openapi;
  return router;
}
