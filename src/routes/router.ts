// Routes are defined with defineRoute, which derives each route's guards from the `security` it declares and attaches
// them through createRoute's `middleware`, so what /openapi.json says about a route and what the server enforces
// cannot disagree, and no guard can be registered where it never runs (a guard added with app.use after its handler
// is silently skipped). createRouter is the one OpenAPIHono every feature uses, with the zod defaultHook.
import { createRoute, OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { AppEnv } from "../deps.ts";
import { validationHook } from "../errors.ts";
import { errorResponse } from "../schemas/common.ts";
import { guardsFor, SAFE_METHODS } from "./guards.ts";

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

/**
 * A route definition (createRoute's) with the guards its `security` asks for ahead of any middleware it declares, and
 * the standard refusals among its responses. Guards run before the validators, so nothing is validated for a caller
 * who may not ask.
 */
export function defineRoute<const R extends RouteConfig>(route: R) {
  const declared = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
  return createRoute({ ...withStandardRefusals(route), middleware: [...guardsFor(route), ...declared] });
}

export type Router = OpenAPIHono<AppEnv>;

export function createRouter(): Router {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}
