// What the database file does about a full volume: hand the write-ahead log's space back, keep the log short while
// space is tight, and open for reading where SQLite cannot even create its shared-memory file.
import { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { BUSY_TIMEOUT_MS, WAL_AUTOCHECKPOINT_PAGES } from "./database.ts";
import type { DiskWatch } from "./disk-space.ts";
import { isStorageFailure } from "./failures.ts";
import { MIGRATIONS } from "./migrations.ts";

/** While free space is tight the log is checkpointed every 256 pages (1 MiB at 4 KiB a page) instead of 4,000. */
const SHORT_LOG_PAGES = 256;
/** …and cut back to 1 MiB whenever it starts over, instead of keeping the largest size it reached. */
const SHORT_LOG_BYTES = 2 ** 20;

/**
 * Copies the whole log into the database and truncates the log to 0 bytes, handing its space back to the volume.
 * False when a reader still needs the log (try again later) or the volume has no room for the checkpoint itself.
 */
export function truncateLog(db: Database): boolean {
  // Called on the event loop: never wait for another connection's reader here.
  db.exec("PRAGMA busy_timeout = 0");
  try {
    return (db.query("PRAGMA wal_checkpoint(TRUNCATE)").get() as { busy: number }).busy === 0;
  } catch (error) {
    if (!isStorageFailure(error)) throw error;
    return false;
  } finally {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/**
 * The write-ahead log's size, kept short while the volume is tight (under 64 MiB free, see disk-space.ts): checkpointed
 * every 256 pages instead of 4,000 and cut back to 1 MiB when it starts over, and a longer one truncated. On a small
 * volume the log, not the data, was what filled it (a 4 MiB volume held a 4 KiB database and a 4.06 MiB log).
 */
export class LogSpace {
  #short = false;

  constructor(
    private readonly path: string,
    private readonly disk: DiskWatch,
  ) {}

  bytes(): number {
    return this.path === ":memory:" ? 0 : (statSync(`${this.path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  }

  /** A new connection starts with the usual log settings. */
  opened(): void {
    this.#short = false;
  }

  /** After each measure of the disk: the short log while space is tight, the usual one (see database.ts) otherwise. */
  keepShort(db: Database): void {
    const tight = this.disk.tight;
    if (tight !== this.#short) {
      this.#short = tight;
      db.exec(`PRAGMA wal_autocheckpoint = ${tight ? SHORT_LOG_PAGES : WAL_AUTOCHECKPOINT_PAGES}`);
      db.exec(`PRAGMA journal_size_limit = ${tight ? SHORT_LOG_BYTES : -1}`);
    }
    if (tight && this.bytes() > SHORT_LOG_BYTES) truncateLog(db);
  }
}

/**
 * A connection that needs no "-shm" file: in exclusive locking mode SQLite keeps the log's index in this process's
 * memory. What a start can still open when the volume is too full for SQLite to create that file (after a clean stop
 * removed it); it reads the log too, so nothing committed is missed. Used for reading only, and only until the file
 * can be opened as usual: meanwhile no other process (export, sqlite3) can open the database.
 */
export function openWithoutSharedMemory(path: string): Database {
  const db = new Database(path, { readwrite: true, create: false, strict: true });
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    const { user_version: version } = db.query("PRAGMA user_version").get() as { user_version: number };
    if (version !== MIGRATIONS.length) {
      throw new Error(
        `DATABASE_PATH: ${resolve(path)} needs its schema brought up to date (version ${version} of ${MIGRATIONS.length}), and its volume is too full to do it: make room and start again`,
      );
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
