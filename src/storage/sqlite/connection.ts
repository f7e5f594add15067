// What the SQLite repositories share: the connection to read from, and the one writer to write through.
import type { Database } from "bun:sqlite";
import type { Work } from "./database-file.ts";

export interface SqliteConnection {
  /** Asked for on every read: a restored database file means a new connection. */
  readonly database: Database;
  /** Joins the next group commit; settles once that commit is durable. */
  write<R>(work: Work<R>): Promise<R>;
}
