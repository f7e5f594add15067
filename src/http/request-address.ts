// The client address of a request handled by Hono on Bun.serve (the peer, or what a trusted proxy vouches for).
import type { Context } from "hono";
import type { Config } from "../config.ts";
import type { AppEnv } from "../deps.ts";
import { clientAddress } from "./client-address.ts";

export function requestAddress(c: Context<AppEnv>, config: Pick<Config, "trustsProxy">): string {
  return clientAddress(c.env?.server?.requestIP(c.req.raw)?.address, c.req.header("x-forwarded-for"), config.trustsProxy);
}
