// Bearer API_TOKEN guard for the data routes.
import type { MiddlewareHandler } from "hono";
import { AppError } from "../errors.ts";
import { secretsEqual } from "./constant-time.ts";

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/** With no API_TOKEN configured the server only listens on loopback (config refuses otherwise), so routes stay open. */
export function requireApiToken(apiToken: string | undefined): MiddlewareHandler {
  return async function apiTokenGuard(c, next) {
    if (apiToken === undefined) return next();
    const presented = bearerToken(c.req.header("authorization"));
    if (presented === undefined) throw new AppError(401, "unauthorized", "this route needs Authorization: Bearer <API_TOKEN>");
    if (!secretsEqual(presented, apiToken)) throw new AppError(401, "unauthorized", "the bearer token is not valid");
    return next();
  };
}
