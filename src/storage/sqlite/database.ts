// Opens the SQLite file (WAL) and brings its schema up to date. Durability: see DatabaseFile (commits flushed before they are acknowledged).
import { Database } from "bun:sqlite";
import { accessSync, closeSync, constants, existsSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { MIGRATIONS } from "./migrations.ts";

export const BUSY_TIMEOUT_MS = 5000;
/** Pages of write-ahead log after which a commit checkpoints it (see openDatabase). */
export const WAL_AUTOCHECKPOINT_PAGES = 4000;

/** Settings every connection to the file needs. */
export function applyConnectionPragmas(db: Database): void {
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Every acknowledged webhook must survive power loss; group commit keeps this affordable.
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
}

export function openDatabase(path: string): Database {
  const db = new Database(path, { create: true, strict: true });
  try {
    applyConnectionPragmas(db);
    // Must precede the first table so later retention pruning can hand space back with incremental_vacuum. Set only on
    // a new file: on an existing one the pragma changes nothing and still needs room to say so, so a start on a full
    // disk failed there ("database or disk is full").
    if (isEmpty(db)) db.exec("PRAGMA auto_vacuum = INCREMENTAL");
    db.exec("PRAGMA journal_mode = WAL");
    // Checkpoints run inside a commit, on the event loop: every 4,000 pages (16 MiB of log) instead of SQLite's 1,000
    // measured +8–10% ingest with the same p99 (interleaved A/B, 12 rounds, 10 won), the log's file then staying ≤ 16 MiB.
    db.exec(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    migrate(db);
    return db;
  } catch (error) {
    // A half-opened connection would keep its locks, and a second attempt (see full-disk.ts) would find the file busy.
    db.close();
    throw error;
  }
}

function isEmpty(db: Database): boolean {
  return (db.query("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number }).n === 0;
}

/** Bytes on disk: the database file and its write-ahead log (0 in memory). */
export function databaseBytes(path: string): number {
  if (path === ":memory:") return 0;
  const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
  return size(path) + size(`${path}-wal`);
}

function migrate(db: Database): void {
  const { user_version: current } = db.query("PRAGMA user_version").get() as { user_version: number };
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this build knows (${MIGRATIONS.length}); use a newer oura-streaming`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.exec(`PRAGMA user_version = ${version + 1}`);
    })();
  }
}

/** Why DATABASE_PATH cannot be used, in one sentence naming the path; undefined when it can. */
export function databasePathProblem(path: string): string | undefined {
  if (path === ":memory:") return undefined;
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) return `DATABASE_PATH: the folder ${folder} does not exist; create it, or point DATABASE_PATH elsewhere`;
  if (!statSync(folder).isDirectory()) return `DATABASE_PATH: ${folder} is not a folder`;
  const writable = (target: string) => {
    try {
      accessSync(target, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (existsSync(path) && statSync(path).isDirectory()) return `DATABASE_PATH: ${resolve(path)} is a folder; name a file in it, e.g. ${resolve(path, "oura_streaming.db")}`;
  if (existsSync(path) && !writable(path)) return `DATABASE_PATH: ${resolve(path)} is not writable by this user`;
  if (existsSync(path) && statSync(path).size === 0) return emptyFileProblem(resolve(path));
  if (existsSync(path) && !isSqliteFile(path)) {
    return `DATABASE_PATH: ${resolve(path)} is not a SQLite database: another file is at that path, or the database's first page is damaged (see the README, "Backup and recovery")`;
  }
  // SQLite writes its -wal and -shm files beside the database.
  if (!writable(folder)) return `DATABASE_PATH: the folder ${folder} is not writable by this user (SQLite keeps its log files beside the database)`;
  return undefined;
}

/**
 * A zero-length file is refused, not taken for a fresh start: the server creates its database file itself and writes
 * the schema into it at once, so an empty file where one is expected most likely held the database and lost it (a
 * truncated copy or restore, a full disk, a damaged file system). Starting there would serve an empty database while
 * the data could still be recovered from a backup or the -wal file beside it.
 */
function emptyFileProblem(path: string): string {
  return `DATABASE_PATH: ${path} is an empty file (0 bytes), not a database. If it held the server's database, it was truncated: stop here and restore it (see the README, "Backup and recovery"; keep ${path}-wal if there is one). To start afresh with a new, empty database, remove the empty file and start again`;
}

/** Every SQLite database starts with these 16 bytes. */
function isSqliteFile(path: string): boolean {
  const header = Buffer.alloc(16);
  const fd = openSync(path, "r");
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return header.toString("latin1") === "SQLite format 3\u0000";
}

/** The files a start creates beside the database: removed again when that start fails, so a failed start leaves nothing. */
export function filesCreatedBy(path: string): { removeNew(): void } {
  if (path === ":memory:") return { removeNew() {} };
  const candidates = [path, `${path}-wal`, `${path}-shm`, `${path}.key`];
  const existing = new Set(candidates.filter((file) => existsSync(file)));
  return {
    removeNew() {
      for (const file of candidates) if (!existing.has(file)) rmSync(file, { force: true });
    },
  };
}
