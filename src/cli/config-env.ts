// Configuration and database for the commands: explain what is wrong rather than fail obscurely.
import { existsSync } from "node:fs";
import { type Config, loadConfig } from "../config.ts";
import { openSqliteStorage, type SqliteStorage } from "../storage/sqlite/sqlite-storage.ts";

export function configOrExit(env: Record<string, string | undefined> = process.env): Config {
  const result = loadConfig(env);
  if (result.ok) return result.config;
  console.error(`oura-streaming: invalid configuration\n${result.errors.map((e) => `  ${e}`).join("\n")}`);
  process.exit(1);
}

/** Opens the configured database for a maintenance command; never creates one by accident. */
export async function openExistingStorage(databasePath: string): Promise<SqliteStorage | undefined> {
  if (databasePath !== ":memory:" && !existsSync(databasePath)) {
    console.error(`oura-streaming: no database at ${databasePath} (set DATABASE_PATH to the server's database)`);
    return undefined;
  }
  return openSqliteStorage(databasePath);
}
