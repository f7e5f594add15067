// `oura-streaming token handoff --user ID`: moves a user's Oura sign-in to another server (a Databricks App) without
// a refresh token that two servers both rotate — one of them would find it spent. Prints the refresh token (the new
// server's OURA_INITIAL_REFRESH_TOKEN) and marks the account handed off here, so this server never uses it again.
import { loadServerKeys } from "../auth/keys.ts";
import { createTokenCipher } from "../auth/token-cipher.ts";
import { createWarehouseMode } from "../databricks/warehouse-mode.ts";
import { createLogger } from "../log.ts";
import { Metrics } from "../metrics.ts";
import type { Accounts } from "../storage/accounts.ts";
import { AccountStore } from "../storage/sqlite/account-store.ts";
import { acquireServerLock, DatabaseInUseError, describeHolder } from "../storage/sqlite/server-lock.ts";
import { type Command, parse, UsageError } from "./args.ts";
import { configOrExit, openExistingStorage } from "./config-env.ts";

const usage = `Usage: oura-streaming token handoff --user ID

Prints the Oura refresh token of user ID on standard output, for another server's OURA_INITIAL_REFRESH_TOKEN, and
marks the account "handed off" here (shown in /auth/status): this server stops using and refreshing it, because Oura's
refresh tokens are single-use and two servers sharing one would lock each other out. Stop the server first: while one
runs on DATABASE_PATH (a refresh it makes at the same moment would spend the printed token) the command refuses, naming
it. Sign in here again to take the user back.

  --user ID   the Oura user id (see /auth/status)`;

export const tokenCommand: Command = {
  name: "token",
  summary: "hand a user's refresh token to another server (token handoff --user ID)",
  usage,
  async run(argv) {
    const { values, positionals } = parse(argv, { user: { type: "string" } }, usage, true);
    if (positionals.length !== 1 || positionals[0] !== "handoff") throw new UsageError(`expected "handoff", got ${positionals.length ? `"${positionals.join(" ")}"` : "nothing"}`, usage);
    if (!values.user) throw new UsageError("--user is required", usage);
    const config = configOrExit();
    const storage = await openExistingStorage(config.databasePath);
    if (!storage) return 1;
    // Held until the end, so that no server starts on the database (and refreshes the token) while it is handed off.
    let lock;
    try {
      lock = acquireServerLock(config.databasePath, { purpose: "token handoff" });
    } catch (error) {
      await storage.close();
      if (!(error instanceof DatabaseInUseError)) throw error;
      console.error(`oura-streaming token handoff: ${error.databasePath} is in use by ${describeHolder(error.holder)}; stop it first (a refresh it makes meanwhile would spend the token printed here), then run this again`);
      return 1;
    }
    const logger = createLogger("warn");
    const keys = await loadServerKeys(config.appSecretKey, config.databasePath, logger);
    const local = new AccountStore(storage.connection, createTokenCipher(keys.tokenKey));
    // In warehouse mode the mark must reach Delta too, or a redeploy would read the token back and use it.
    const warehouse = config.warehouse
      ? createWarehouseMode({ config: config.warehouse, retentionDays: config.retentionDays, events: storage.events, fetchQueue: storage.fetchQueue, settings: storage.settings, outbox: storage.outbox, localAccounts: local, logger, metrics: new Metrics() })
      : undefined;
    const accounts: Accounts = warehouse?.accounts ?? local;
    try {
      const account = accounts.list(values.user)[0];
      if (!account) {
        console.error(`oura-streaming token handoff: no Oura user ${values.user} is linked in ${config.databasePath}`);
        return 1;
      }
      if (account.handed_off_at) {
        console.error(`oura-streaming token handoff: ${values.user} was already handed off at ${account.handed_off_at}; its token here is no longer valid`);
        return 1;
      }
      const refreshToken = await accounts.handOff(values.user);
      if (!refreshToken) {
        console.error(`oura-streaming token handoff: ${values.user} has no usable refresh token (${account.reauth_reason ?? "it changed while reading; try again with the server stopped"})`);
        return 1;
      }
      console.log(refreshToken);
      console.error(`${values.user} is handed off: set the line above as OURA_INITIAL_REFRESH_TOKEN of the other server (a secret), once. This server no longer uses it.`);
      return 0;
    } finally {
      await warehouse?.stop();
      await storage.close();
      lock?.release();
    }
  },
};
