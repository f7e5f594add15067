// Routes that talk to Oura as the app need the client credentials; without them: a 503 that says what to set.
import type { AppDeps, OuraSync } from "../deps.ts";
import { AppError } from "../errors.ts";

export function requireOura(deps: Pick<AppDeps, "sync">, what = "use Oura"): OuraSync {
  if (!deps.sync) throw new AppError(503, "oura_not_configured", `set OURA_CLIENT_ID and OURA_CLIENT_SECRET to ${what}`);
  return deps.sync;
}
