// Opens the SQLite file (WAL) and brings its schema up to date. Durability: see DatabaseFile (commits flushed before they are acknowledged).
import { Database } from "bun:sqlite";
import { existsSync, statSync } from "node:fs";
import { MIGRATIONS } from "./migrations.ts";

/** Settings every connection to the file needs. */
export function applyConnectionPragmas(db: Database): void {
  db.exec("PRAGMA busy_timeout = 5000");
  // Every acknowledged webhook must survive power loss; group commit keeps this affordable.
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
}

export function openDatabase(path: string): Database {
  const db = new Database(path, { create: true, strict: true });
  applyConnectionPragmas(db);
  // Must precede the first table so later retention pruning can hand space back with incremental_vacuum.
  db.exec("PRAGMA auto_vacuum = INCREMENTAL");
  db.exec("PRAGMA journal_mode = WAL");
  // Checkpoints run inside a commit, on the event loop: every 4,000 pages (16 MiB of log) instead of SQLite's 1,000
  // measured +8–10% ingest with the same p99 (interleaved A/B, 12 rounds, 10 won), the log's file then staying ≤ 16 MiB.
  db.exec("PRAGMA wal_autocheckpoint = 4000");
  migrate(db);
  return db;
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
