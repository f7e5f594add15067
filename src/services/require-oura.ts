// Routes that talk to Oura as the app need the client credentials; without them: a 503 that says what to set.
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import type { OuraClient } from "../oura/client.ts";

export function requireOura(deps: Pick<AppDeps, "oura">, what = "use Oura"): OuraClient {
  if (!deps.oura) throw new AppError(503, "oura_not_configured", `set OURA_CLIENT_ID and OURA_CLIENT_SECRET to ${what}`);
  return deps.oura;
}
