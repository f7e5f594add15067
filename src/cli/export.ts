// `oura-streaming export`: events or documents from the database to stdout, as NDJSON or CSV.
import { type ExportFormat, type ExportKind, exportLines } from "../export/export.ts";
import { instantMs } from "../time/instant.ts";
import { type Command, parse, UsageError } from "./args.ts";
import { configOrExit, openExistingStorage } from "./config-env.ts";

const usage = `Usage: oura-streaming export [events|documents] [--format ndjson|csv] [--since DATE] [--data-type TYPE] [--user-id ID]

Streams stored events (default) or fetched documents from DATABASE_PATH to stdout, newest first.

  --format ndjson|csv   output format (default ndjson)
  --since DATE          events whose event_time is at or after DATE; documents whose day is at or after DATE
  --data-type TYPE      only this data type
  --user-id ID          only this Oura user`;

export const exportCommand: Command = {
  name: "export",
  summary: "stream events or documents as NDJSON or CSV to stdout",
  usage,
  async run(argv) {
    const { values, positionals } = parse(argv, { format: { type: "string" }, since: { type: "string" }, "data-type": { type: "string" }, "user-id": { type: "string" } }, usage, true);
    const kind = (positionals[0] ?? "events") as ExportKind;
    if (positionals.length > 1 || !["events", "documents"].includes(kind)) throw new UsageError(`expected "events" or "documents", got ${positionals.join(" ")}`, usage);
    const format = (values.format ?? "ndjson") as ExportFormat;
    if (!["ndjson", "csv"].includes(format)) throw new UsageError(`--format must be ndjson or csv, not ${format}`, usage);
    if (values.since !== undefined && Number.isNaN(instantMs(values.since))) throw new UsageError(`--since is not a date: ${values.since}`, usage);
    const config = configOrExit();
    const storage = await openExistingStorage(config.databasePath);
    if (!storage) return 1;
    try {
      const out = Bun.stdout.writer();
      let lines = 0;
      for await (const line of exportLines(storage, { kind, format, since: values.since, dataType: values["data-type"], userId: values["user-id"] })) {
        out.write(line);
        if (++lines % 256 === 0) await out.flush();
      }
      await out.flush();
    } catch (error) {
      // The reader went away (`| head`): that is the reader's choice, not a failure.
      if ((error as { code?: string }).code !== "EPIPE") throw error;
    } finally {
      await storage.close();
    }
    return 0;
  },
};
