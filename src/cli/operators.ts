// `oura-streaming operators`: lists linked users with their role, and promotes or demotes one, from the command line.
import { CLI_PRINCIPAL } from "../auth/principal.ts";
import { loadServerKeys } from "../auth/keys.ts";
import { createTokenCipher } from "../auth/token-cipher.ts";
import { createLogger } from "../log.ts";
import { accountService } from "../services/accounts.ts";
import { AccountStore } from "../storage/sqlite/account-store.ts";
import { SessionStore } from "../storage/sqlite/session-store.ts";
import { AppError } from "../errors.ts";
import { type Command, parse, UsageError } from "./args.ts";
import { configOrExit, openExistingStorage } from "./config-env.ts";

const usage = `Usage: oura-streaming operators [list]
       oura-streaming operators promote USER
       oura-streaming operators demote USER

Operators run the server: every user's data, subscriptions, invitations. A linked Oura user becomes one when promoted
here (or on the dashboard), or when their Oura account email is in OPERATOR_EMAILS. USER is an Oura user id or the
account's email. Runs beside a live server.`;

export const operatorsCommand: Command = {
  name: "operators",
  summary: "list linked users and their roles; promote or demote one (operators promote USER)",
  usage,
  async run(argv) {
    const { positionals } = parse(argv, {}, usage, true);
    const [action = "list", who, ...extra] = positionals;
    if (!["list", "promote", "demote"].includes(action) || extra.length > 0 || (action !== "list" && !who) || (action === "list" && who)) {
      throw new UsageError(`expected "list", "promote USER" or "demote USER", got "${positionals.join(" ")}"`, usage);
    }
    const config = configOrExit();
    const storage = await openExistingStorage(config.databasePath);
    if (!storage) return 1;
    try {
      const logger = createLogger("warn");
      const keys = await loadServerKeys(config.appSecretKey, config.databasePath, logger);
      const accounts = new AccountStore(storage.connection, createTokenCipher(keys.tokenKey));
      const service = accountService({ accounts, sessions: new SessionStore(storage.connection), mcpTokens: storage.mcpTokens, events: storage.events, hooks: { store: storage.hooks, endpointsChanged: () => {} }, sync: undefined, logger, config, now: Date.now });
      const all = service.visible(CLI_PRINCIPAL);
      if (action === "list") {
        if (all.length === 0) console.log("no Oura user is linked yet (invite someone: oura-streaming invite)");
        for (const a of all) console.log(`${a.user_id}  ${a.role.padEnd(8)}  ${a.email ?? "(no email)"}`);
        return 0;
      }
      const wanted = who!.toLowerCase();
      const account = all.find((a) => a.user_id === who || a.email === wanted);
      if (!account) {
        console.error(`oura-streaming operators: no linked user ${who} (see operators list)`);
        return 1;
      }
      try {
        const changed = await service.setOperator(CLI_PRINCIPAL, account.user_id, action === "promote");
        console.log(`${changed.user_id}  ${changed.role}  ${changed.email ?? ""}`);
        return 0;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        console.error(`oura-streaming operators: ${error.message}`);
        return 1;
      }
    } finally {
      await storage.close();
    }
  },
};
