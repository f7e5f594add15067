// `oura-streaming prune`: one retention pass now (what the server does every PRUNE_INTERVAL_SECONDS).
import { RetentionPruner } from "../jobs/pruner.ts";
import { createLogger } from "../log.ts";
import { type Command, parse } from "./args.ts";
import { configOrExit, openExistingStorage } from "./config-env.ts";

const usage = `Usage: oura-streaming prune [--dry-run]

Deletes events received more than RETENTION_DAYS days ago from DATABASE_PATH (in batches), keeping events whose
document is still to be fetched, then reclaims the space. Documents are kept.

  --dry-run   only say how many events would be deleted`;

export const pruneCommand: Command = {
  name: "prune",
  summary: "delete events older than RETENTION_DAYS now",
  usage,
  async run(argv) {
    const { values } = parse(argv, { "dry-run": { type: "boolean" } }, usage);
    const config = configOrExit();
    if (config.retentionDays <= 0) {
      console.log("RETENTION_DAYS is 0: retention is off, nothing to prune");
      return 0;
    }
    const storage = await openExistingStorage(config.databasePath);
    if (!storage) return 1;
    try {
      const pruner = new RetentionPruner(storage.retention, config.retentionDays, createLogger("warn"));
      const cutoff = pruner.cutoff();
      if (values["dry-run"]) {
        console.log(`${await storage.retention.countPrunable(cutoff)} events received before ${cutoff} would be deleted`);
        return 0;
      }
      const report = await pruner.tick();
      console.log(`deleted ${report?.deleted ?? 0} events received before ${cutoff}`);
      return 0;
    } finally {
      await storage.close();
    }
  },
};
