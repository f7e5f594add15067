// `oura-streaming serve`: the server, until SIGTERM/SIGINT (stop accepting, finish in-flight requests, close, exit 0).
import { oauthConfigured } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { createLogger } from "../log.ts";
import { startServer } from "../server.ts";
import { pollingSummary } from "../jobs/polling-plan.ts";
import { VERSION } from "../version.ts";
import { type Command, parse } from "./args.ts";
import { configOrExit } from "./config-env.ts";

/** Sign-in with Oura is on, but no one is linked, listed or able to invite: the first person needs one of those. */
function nobodyCanRunIt(deps: AppDeps): boolean {
  const { config } = deps;
  if (!oauthConfigured(config) || config.apiToken || config.databricksApp) return false;
  if (config.access.operatorEmails.length > 0 || config.access.allowedEmails.length > 0) return false;
  return !deps.accounts.hasAny() && !deps.invitations.list(1).some((invitation) => invitation.state === "open");
}

const usage = `Usage: oura-streaming [serve]

Starts the server. Configuration comes from the environment (and .env); see README or \`oura-streaming check-config\`.`;

export const serveCommand: Command = {
  name: "serve",
  summary: "run the server (the default command)",
  usage,
  async run(argv) {
    parse(argv, {}, usage);
    const config = configOrExit();
    const logger = createLogger(config.logLevel);
    let running;
    try {
      running = await startServer(config, logger);
    } catch (error) {
      // The reason is the last thing printed: the log lines written until then go first.
      await logger.drain();
      console.error(`oura-streaming: could not start: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    const auth =
      [config.apiToken ? "api_token" : "", oauthConfigured({ ...config }) ? "oura_sign_in" : "", config.databricksApp ? "databricks_app_users" : ""].filter(Boolean).join("+") ||
      "none (loopback only)";
    const storage = config.warehouse ? `warehouse (SQLite outbox → ${config.warehouse.tables.events.quoted})` : "sqlite";
    const dashboard = new URL("/dashboard", config.publicUrl ?? running.url).href;
    logger.info("server.listening", { url: running.url.href, dashboard, version: VERSION, database: config.databasePath, storage, auth });
    logger.info("server.polling", { plan: pollingSummary(config) });
    if (nobodyCanRunIt(running.deps)) {
      logger.warn("access.no_operator", {
        effect: "nobody can sign in yet: Oura sign-in admits only invited people and listed emails",
        fix: "set OPERATOR_EMAILS to your Oura account's email, or API_TOKEN, or run `oura-streaming invite` and open the link",
      });
    }
    const stopped = Promise.withResolvers<number>();
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info("server.stopping", { signal });
      await running.stop();
      logger.info("server.stopped");
      await logger.drain();
      stopped.resolve(0);
    };
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
    process.on("SIGINT", () => void shutdown("SIGINT"));
    return stopped.promise;
  },
};
