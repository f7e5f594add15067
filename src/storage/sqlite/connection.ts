// What the SQLite repositories share: the connection to read from, and the one writer to write through.
import type { Database } from "bun:sqlite";
import { StorageCorruptError, StorageUnavailableError } from "../storage-errors.ts";
import { type DatabaseFile, isCorruption, isStorageFailure, type Work } from "./database-file.ts";
import { GroupCommitWriter } from "./group-commit.ts";

export interface SqliteConnection {
  /** Asked for on every read: a restored database file means a new connection. */
  readonly database: Database;
  /** Joins the next group commit; settles once that commit is durable. */
  write<R>(work: Work<R>): Promise<R>;
  /** A value built from the connection (prepared statements), rebuilt whenever the connection changes. */
  prepared<T>(build: (db: Database) => T): () => T;
}

/** The database file behind one group-committing writer: every repository of a store shares one of these. */
export class GroupCommitConnection implements SqliteConnection {
  readonly #file: DatabaseFile;
  readonly #writer: GroupCommitWriter<Work, unknown>;

  constructor(file: DatabaseFile) {
    this.#file = file;
    this.#writer = new GroupCommitWriter(
      (works) => file.commitBatch(works),
      () => file.flushLog(),
    );
  }

  get database(): Database {
    return this.#file.db;
  }

  /**
   * The one way to write: `work` joins the next group commit (one transaction and one fsync for everything submitted
   * meanwhile) and the promise settles once that commit is durable. A failing piece fails only its own caller.
   */
  async write<R>(work: Work<R>): Promise<R> {
    try {
      return (await this.#writer.submit(work)) as R;
    } catch (error) {
      if (error instanceof StorageUnavailableError || error instanceof StorageCorruptError || !isStorageFailure(error)) throw error;
      throw isCorruption(error) ? new StorageCorruptError(error) : new StorageUnavailableError(error);
    }
  }

  prepared<T>(build: (db: Database) => T): () => T {
    return this.#file.prepared(build);
  }

  /** Waits for the writes in flight, then closes the file. */
  async close(): Promise<void> {
    await this.#writer.whenIdle();
    this.#file.close();
  }
}
