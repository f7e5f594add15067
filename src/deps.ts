// What the HTTP layer is given by the composition root (tests build the same thing with their own parts).
import type { Server } from "bun";
import type { Config } from "./config.ts";
import type { Logger } from "./log.ts";
import type { SignatureVerifier } from "./oura/signature.ts";
import type { Broadcaster } from "./realtime/broadcaster.ts";
import type { NewEvent, Store } from "./storage/store.ts";

export interface AppDeps {
  config: Config;
  store: Store;
  broadcaster: Broadcaster;
  logger: Logger;
  /** Absent when no webhook secret is configured: deliveries are then refused (fail closed). */
  verifier: SignatureVerifier | undefined;
  verificationToken: string;
  version: string;
  startedAt: number;
  /** Current time in milliseconds; injected so tests can move the clock. */
  now: () => number;
}

export interface AppEnv {
  Bindings: { server?: Server<WebSocketData> };
  Variables: { delivery: Pick<NewEvent, "notification" | "rawNotification" | "receivedNotification"> };
}

export interface WebSocketData {
  topic: string;
}
