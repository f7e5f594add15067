// Composition root: reads the environment, starts the server, and shuts down cleanly on SIGTERM/SIGINT.
import { loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { startServer } from "./server.ts";
import { VERSION } from "./version.ts";

const result = loadConfig(process.env);
if (!result.ok) {
  console.error(`oura-streaming: invalid configuration\n${result.errors.map((e) => `  ${e}`).join("\n")}`);
  process.exit(1);
}
const config = result.config;
const logger = createLogger(config.logLevel);

let running;
try {
  running = await startServer(config, logger);
} catch (error) {
  console.error(`oura-streaming: could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
logger.info("server.listening", { url: running.url.href, version: VERSION, database: config.databasePath, auth: config.apiToken ? "api_token" : "none (loopback only)" });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info("server.stopping", { signal });
  await running!.stop();
  logger.info("server.stopped");
  await logger.drain();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
