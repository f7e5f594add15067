// Wires config to storage, crypto, the app and Bun.serve; returns a handle that shuts everything down in order.
import type { Server } from "bun";
import { createApp } from "./app.ts";
import type { Config } from "./config.ts";
import type { AppDeps, WebSocketData } from "./deps.ts";
import type { Logger } from "./log.ts";
import { createSignatureVerifier } from "./oura/signature.ts";
import { createBunBroadcaster } from "./realtime/broadcaster.ts";
import { createWebSocketHandler } from "./routes/realtime.ts";
import { SqliteStore } from "./storage/sqlite/sqlite-store.ts";
import type { Store } from "./storage/store.ts";
import { VERSION } from "./version.ts";

export interface RunningServer {
  server: Server<WebSocketData>;
  url: URL;
  store: Store;
  /** Stops accepting, lets in-flight requests finish, then closes the database. */
  stop(): Promise<void>;
}

const VERIFICATION_TOKEN_SETTING = "oura.verification_token";

async function resolveVerificationToken(config: Config, store: Store, logger: Logger): Promise<string> {
  if (config.oura.verificationToken) return config.oura.verificationToken;
  const existing = await store.getSetting(VERIFICATION_TOKEN_SETTING);
  if (existing) return existing;
  const generated = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
  logger.info("webhook.verification_token_generated", { stored_in: "database settings" });
  return store.ensureSetting(VERIFICATION_TOKEN_SETTING, generated);
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const store = await SqliteStore.open(config.databasePath);
  let server: Server<WebSocketData> | undefined;
  const deps: AppDeps = {
    config,
    store,
    logger,
    broadcaster: createBunBroadcaster(() => server),
    verifier: config.oura.webhookSecret ? await createSignatureVerifier(config.oura.webhookSecret) : undefined,
    verificationToken: await resolveVerificationToken(config, store, logger),
    version: VERSION,
    startedAt: Date.now(),
    now: Date.now,
  };
  if (!deps.verifier) logger.warn("webhook.secret_missing", { effect: "POST /webhooks answers 503 until OURA_CLIENT_SECRET is set" });

  const app = createApp(deps);
  try {
    server = Bun.serve<WebSocketData>({
      hostname: config.host,
      port: config.port,
      fetch: (request, bunServer) => app.fetch(request, { server: bunServer }),
      websocket: createWebSocketHandler(deps),
      // Headroom over the webhook limit so our own handler, not Bun, answers oversize bodies with a JSON 413.
      maxRequestBodySize: config.webhookMaxBytes + 64 * 1024,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const running = server;

  return {
    server: running,
    url: running.url,
    store,
    async stop() {
      await running.stop(false);
      await store.close();
    },
  };
}
