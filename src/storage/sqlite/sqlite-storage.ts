// Opens the database file and builds every storage role on it: one connection, one group-committing writer, shared by
// all the repositories (the accounts, sessions and invitations too, through `connection`).
import type { Logger } from "../../log.ts";
import type { Storage } from "../storage.ts";
import { SqliteBackfills } from "./backfill-store.ts";
import { GroupCommitConnection, type SqliteConnection } from "./connection.ts";
import { DatabaseFile, isCorruption, isStorageFailure } from "./database-file.ts";
import { SqliteDocuments } from "./document-store.ts";
import { SqliteEventLog } from "./event-log.ts";
import { SqliteFetchQueue } from "./fetch-queue.ts";
import { SqliteHookStore } from "./hook-store.ts";
import { SqliteMcpTokenStore } from "./mcp-token-store.ts";
import { configureOutbox, SqliteOutbox } from "./outbox.ts";
import { SqlitePollStore } from "./poll-store.ts";
import { SqliteRetention } from "./retention.ts";
import { SqliteSettings } from "./settings-store.ts";
import { SqliteStorageStatus } from "./storage-status.ts";
import type { Clock } from "../../time/clock.ts";

export interface SqliteStorage extends Storage {
  /**
   * The shared connection and writer, for the other SQLite repositories (AccountStore, SessionStore, InvitationStore):
   * the one seam through which anything outside these repositories reaches the database.
   */
  connection: SqliteConnection;
}

/** `outbox`: true in warehouse mode (what is written is also queued for shipping, see outbox.ts), false with sqlite; unset leaves it. */
/** `now`: the time written into received_at, fetched_at, the polls' and imports' times (default the system's clock). */
export async function openSqliteStorage(path: string, logger?: Logger, options: { outbox?: boolean; now?: Clock } = {}): Promise<SqliteStorage> {
  const file = new DatabaseFile(path, logger);
  // Per connection: a database file recreated under the server gets its triggers again.
  const outbox = file.prepared((db) => configureOutbox(db, options.outbox));
  try {
    outbox();
  } catch (error) {
    // A start on a full volume: the server starts all the same, refusing writes until maintain() has made room,
    // written a probe and set the triggers (they are set before any write is taken again).
    if (!isStorageFailure(error) || isCorruption(error)) throw error;
    file.recordWriteFailure(error);
  }
  const connection = new GroupCommitConnection(file);
  return {
    connection,
    events: new SqliteEventLog(connection, options.now),
    fetchQueue: new SqliteFetchQueue(connection, options.now),
    documents: new SqliteDocuments(connection),
    retention: new SqliteRetention(connection),
    settings: new SqliteSettings(connection),
    status: new SqliteStorageStatus(file, outbox),
    polls: new SqlitePollStore(connection, options.now),
    backfills: new SqliteBackfills(connection, options.now),
    outbox: new SqliteOutbox(connection),
    hooks: new SqliteHookStore(connection, options.now),
    mcpTokens: new SqliteMcpTokenStore(connection, options.now),
    close: () => connection.close(),
  };
}
