// The guards a route's declared `security` asks for, made from the declaration alone: the route definition carries
// them (createRoute's `middleware`), and they read what they judge with from the request (see provideGuardDeps).
import type { RouteConfig } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { secretsEqual } from "../auth/constant-time.ts";
import { type CsrfDeps, verifyCsrf } from "../auth/csrf.ts";
import { bearerToken, type PrincipalDeps, readPrincipal } from "../auth/principal.ts";
import type { AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";

/** What the guards judge with: who is asking (principal.ts), the CSRF key, METRICS_TOKEN. */
export type GuardDeps = PrincipalDeps & CsrfDeps;

export const SAFE_METHODS = new Set(["get", "head", "options"]);

/**
 * Puts the guards' dependencies on every request, ahead of every route: route definitions are made once per module,
 * without the app's dependencies. Without it a guard refuses (500), it never lets a request through.
 */
export function provideGuardDeps(deps: GuardDeps): MiddlewareHandler<AppEnv> {
  return async function guardDeps(c, next) {
    c.set("guardDeps", deps);
    return next();
  };
}

function guardDepsOf(c: Context<AppEnv>): GuardDeps {
  const deps = c.var.guardDeps;
  if (!deps) throw new Error("a guarded route was reached without provideGuardDeps ahead of it");
  return deps;
}

/** The guards a route's declaration asks for, in the order they must run: who is asking, then CSRF for changes. */
export function guardsFor(route: Pick<RouteConfig, "method" | "security">): MiddlewareHandler<AppEnv>[] {
  const security = route.security ?? [];
  if (security.length === 0) return [];
  const schemes = new Set(security.flatMap((requirement) => Object.keys(requirement)));
  const anonymousAllowed = security.some((requirement) => Object.keys(requirement).length === 0);
  const principalGuard = anonymousAllowed ? optionalPrincipal : requirePrincipal;
  const guards = [schemes.has("metricsToken") ? metricsTokenOr(principalGuard) : principalGuard];
  // A browser sends cookies by itself: every change a session can make must prove it comes from our own pages.
  if (schemes.has("sessionCookie") && !SAFE_METHODS.has(route.method)) guards.push(csrfGuard);
  return guards;
}

/** Sets c.var.principal, or answers 401 (nobody signed in) or 403 (a Databricks App user with no access yet). */
const requirePrincipal: MiddlewareHandler<AppEnv> = async function principalGuard(c, next) {
  const principal = await readPrincipal(c, guardDepsOf(c));
  if (!principal) throw new AppError(401, "unauthorized", "sign in, or send Authorization: Bearer <API_TOKEN>");
  if (principal.role === "guest") throw new AppError(403, "not_linked", "signed in, but no Oura ring is linked to you here: sign in with Oura, or ask an operator");
  c.set("principal", principal);
  return next();
};

const optionalPrincipal: MiddlewareHandler<AppEnv> = async function optionalPrincipalGuard(c, next) {
  const principal = await readPrincipal(c, guardDepsOf(c)).catch(() => undefined);
  if (principal) c.set("principal", principal);
  return next();
};

/** METRICS_TOKEN is a bearer token of its own: it passes here, and any other credential goes to `otherwise`. */
function metricsTokenOr(otherwise: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  return async function metricsTokenGuard(c, next) {
    const { metricsToken } = guardDepsOf(c).config;
    const presented = bearerToken(c.req.header("authorization"));
    if (presented && metricsToken && secretsEqual(presented, metricsToken)) return next();
    return otherwise(c, next);
  };
}

const csrfGuard: MiddlewareHandler<AppEnv> = async function csrfGuard(c, next) {
  await verifyCsrf(c, guardDepsOf(c));
  return next();
};
