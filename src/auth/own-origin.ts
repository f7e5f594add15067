// A browser's request from another site's page (cross-site WebSocket hijacking, DNS rebinding) is refused by its
// Origin: the request's own host, a proxy's forwarded host or PUBLIC_URL's. Programs that send no Origin pass.
import type { Context } from "hono";
import { AppError } from "../errors.ts";

/** Refuses (403 csrf_failed) a request whose Origin is another site's; `what` names it in the message ("a WebSocket"). */
export function requireOwnOrigin(c: Context, publicUrl: string | undefined, what: string): void {
  const origin = c.req.header("origin");
  if (!origin) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new AppError(403, "csrf_failed", `${what}'s Origin cannot be read`);
  }
  const ours = [c.req.header("host"), c.req.header("x-forwarded-host"), publicUrl ? new URL(publicUrl).host : undefined];
  if (!ours.includes(host)) throw new AppError(403, "csrf_failed", `${what} from ${origin} is not from this server's pages`);
}
