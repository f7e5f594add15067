// The client address of a request handled by Hono on Bun.serve (the peer, or what a trusted proxy vouches for).
import type { SocketAddress } from "bun";
import type { Context } from "hono";
import type { Config } from "../config.ts";
import { clientAddress } from "./client-address.ts";

/** What this needs of the app's environment: the Bun server the request came through (absent under app.request()). */
export interface PeerEnv {
  Bindings: { server?: { requestIP(request: Request): SocketAddress | null } };
}

export function requestAddress<E extends PeerEnv>(c: Context<E>, config: Pick<Config, "trustsProxy">): string {
  return clientAddress(c.env?.server?.requestIP(c.req.raw)?.address, c.req.header("x-forwarded-for"), config.trustsProxy);
}
