// The open database file and whether writes to it are really kept: notices when DATABASE_PATH no longer leads to the
// file this process has open (removed or replaced under the running server), when commits fail (disk full) and when
// the file is damaged, refuses writes while that lasts, and recovers on its own when it can.
import { constants, type Database, type Statement } from "bun:sqlite";
import { closeSync, fdatasync, fsyncSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { LogFields, Logger } from "../../log.ts";
import { StorageCorruptError, StorageUnavailableError } from "../storage-errors.ts";
import type { StorageHealth, StorageState } from "../storage-status.ts";
import { openDatabase } from "./database.ts";
import { DiskWatch, type DiskWatchOptions } from "./disk-space.ts";
import { isCorruption, isNoSpace, isStorageFailure, problemOf, RECOVERY_ADVICE, storageRefusal } from "./failures.ts";
import { LogSpace, openWithoutSharedMemory, truncateLog } from "./full-disk.ts";
import type { Settled } from "./group-commit.ts";
import { IntegrityCheck } from "./integrity.ts";

export { isCorruption, isStorageFailure } from "./failures.ts";

const RESTORE_DELAY_MS = 1000;

/**
 * A piece of write work: runs inside the writer's transaction and returns what its caller awaits. It may run twice
 * (again, after a rollback, when a batch-mate throws), so it touches nothing but the database.
 */
export type Work<R = unknown> = (db: Database) => R;

type Identity = { dev: number; ino: number };

function identityOf(path: string): Identity | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats ? { dev: stats.dev, ino: stats.ino } : undefined;
}

const sameFile = (a: Identity | undefined, b: Identity | undefined) => a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;

export interface DatabaseFileOptions {
  disk?: DiskWatchOptions;
}

export class DatabaseFile {
  #db: Database;
  #file: Identity | undefined;
  #wal: Identity | undefined;
  #state: StorageState = "ok";
  readonly #disk: DiskWatch;
  readonly #log: LogSpace;
  /** Started on a full volume through a connection that only reads (see #openAtStart). */
  #readOnly = false;
  #checkWhenWritable = false;
  /** What SQLite or quick_check said about the damage (state corrupt). */
  #damage = "";
  readonly #integrity: IntegrityCheck;
  /** Epoch milliseconds: kept as numbers, formatted only when /health asks (commits are the hot path). */
  #lastCommitAt = 0;
  #lastFailureAt = 0;
  #detachedAtMs = 0;
  /** The write-ahead log, opened once, flushed after commits (see flushLog). */
  #logFd: number | undefined;

  constructor(
    readonly path: string,
    private readonly logger?: Logger,
    options: DatabaseFileOptions = {},
  ) {
    this.#disk = new DiskWatch(path, logger, options.disk);
    this.#log = new LogSpace(path, this.#disk);
    this.#integrity = new IntegrityCheck(path, (detail) => this.reportCorruption(detail), logger);
    this.#db = this.#openAtStart();
    this.#learnIdentity();
    this.#disk.measure();
    if (!this.#readOnly && this.#disk.tight) {
      // A start on a nearly full volume: one tiny write tells at once whether writes are kept. If not, the server still
      // starts and serves what it has, /health says why writes are refused, and maintain() takes them up again.
      this.#log.keepShort(this.#db);
      this.#probeWrite();
    }
  }

  /**
   * The connection's commits write the log without waiting for the disk (synchronous=NORMAL, which still syncs around
   * checkpoints); flushLog() then makes them durable off the event loop, before anyone is told they are kept. Together
   * that is what synchronous=FULL promises, without holding the event loop for each fsync.
   */
  #open(): Database {
    let db: Database;
    try {
      db = openDatabase(this.path);
    } catch (error) {
      if (!isCorruption(error)) throw error;
      throw new Error(`DATABASE_PATH: ${resolve(this.path)} is damaged and cannot be opened (${error instanceof Error ? error.message : String(error)}): ${RECOVERY_ADVICE}`);
    }
    if (this.path !== ":memory:") db.exec("PRAGMA synchronous = NORMAL");
    this.#log.opened();
    return db;
  }

  /** Every commit so far is on disk once this resolves; a refusal from the disk rejects with StorageUnavailableError. */
  flushLog(): Promise<void> {
    if (this.path === ":memory:") return Promise.resolve();
    return new Promise((resolve, reject) => {
      let fd: number;
      try {
        fd = this.#logFd ??= openSync(`${this.path}-wal`, "r");
      } catch (error) {
        return reject(new StorageUnavailableError(error));
      }
      fdatasync(fd, (error) => {
        if (!error) return resolve();
        this.recordWriteFailure(error);
        reject(new StorageUnavailableError(error));
      });
    });
  }

  /** The current connection. It changes when the file is restored: never keep it, ask again. */
  get db(): Database {
    return this.#db;
  }

  /** A value built from the connection (prepared statements), rebuilt whenever the connection changes. */
  prepared<T>(build: (db: Database) => T): () => T {
    let builtFor: Database | undefined;
    let value: T;
    return () => {
      if (builtFor !== this.#db) {
        value = build(this.#db);
        builtFor = this.#db;
      }
      return value;
    };
  }

  health(): StorageHealth {
    // Looked at afresh: a health check must not report a file that vanished since the last commit or check.
    if (this.#state === "ok") this.#pathLeadsHere();
    const state = this.#state;
    return {
      state,
      writable: state === "ok",
      ...(state === "ok" ? {} : { problem: problemOf(state, this.#damage) }),
      last_commit_at: this.#lastCommitAt ? new Date(this.#lastCommitAt).toISOString() : null,
      last_failure_at: this.#lastFailureAt ? new Date(this.#lastFailureAt).toISOString() : null,
      disk: this.#disk.last,
      wal_bytes: this.#log.bytes(),
      integrity: this.#integrity.status,
    };
  }

  /** Throws when a write now could not be kept: the path leads elsewhere, or the file is damaged. */
  #assertAttached(): void {
    if (this.#state === "file_removed" || this.#state === "file_replaced") throw new StorageUnavailableError(problemOf(this.#state));
    if (this.#state === "corrupt") throw new StorageCorruptError(this.#damage);
    if (this.#readOnly) throw new StorageUnavailableError(problemOf("disk_full"));
  }

  /**
   * A group-commit batch: every piece of work in one transaction (one fsync). If a piece throws, the transaction is
   * rolled back and the batch run again with each piece inside its own savepoint, so that piece undoes only its own
   * changes and fails only its own caller (savepoints cost ~3 µs a piece, paid only then). A storage failure (disk full,
   * I/O error) fails the whole batch, and so does a commit into a file that is no longer at DATABASE_PATH.
   */
  commitBatch(works: Work[]): Settled<unknown>[] {
    let results: Settled<unknown>[];
    try {
      this.#assertAttached();
      try {
        results = this.#db.transaction(() => works.map((work): Settled<unknown> => ({ ok: true, value: work(this.#db) })))();
      } catch (error) {
        if (isStorageFailure(error)) throw error;
        const savepoints = this.#savepoints();
        results = this.#db.transaction(() => works.map((work) => this.#inSavepoint(work, savepoints)))();
      }
    } catch (error) {
      return this.#refuseAll(works, error);
    }
    if (results.some((result) => result.ok)) {
      try {
        this.#confirmCommit();
      } catch (error) {
        return this.#refuseAll(works, error);
      }
    }
    return results;
  }

  readonly #savepoints = this.prepared((db) => ({
    begin: db.query("SAVEPOINT work"),
    release: db.query("RELEASE work"),
    undo: db.query("ROLLBACK TO work"),
  }));

  #inSavepoint(work: Work, savepoints: { begin: Statement; release: Statement; undo: Statement }): Settled<unknown> {
    savepoints.begin.run();
    try {
      const value = work(this.#db);
      savepoints.release.run();
      return { ok: true, value };
    } catch (error) {
      savepoints.undo.run();
      savepoints.release.run();
      // The storage itself failed: the transaction cannot be trusted, the whole batch is refused.
      if (isStorageFailure(error)) throw error;
      return { ok: false, error };
    }
  }

  /** The transaction itself failed (an item's own error never gets here): nothing in the batch is kept. */
  #refuseAll<R>(items: unknown[], error: unknown): Settled<R>[] {
    if (!(error instanceof StorageUnavailableError || error instanceof StorageCorruptError)) this.recordWriteFailure(error);
    const refusal = storageRefusal(error);
    return items.map(() => ({ ok: false as const, error: refusal }));
  }

  /**
   * After a commit: the write counts only if DATABASE_PATH still leads to the file it went to. Throws
   * StorageUnavailableError otherwise, so nothing is acknowledged that a restart would not find.
   */
  #confirmCommit(): void {
    if (!this.#pathLeadsHere()) throw new StorageUnavailableError(problemOf(this.#state as "file_removed"));
    this.#lastCommitAt = Date.now();
    if (this.#state === "write_failed" || this.#state === "disk_full") this.#setState("ok", { wal_bytes: this.#log.bytes() });
  }

  /**
   * A write failed (a commit, a flush, or one made outside the writer, such as the outbox's triggers at start):
   * disk_full for want of space (the log is truncated at once, if the volume lets it), corrupt for a damaged file,
   * write_failed otherwise.
   */
  recordWriteFailure(error: unknown): void {
    this.#lastFailureAt = Date.now();
    if (isCorruption(error)) return this.reportCorruption(error);
    if (this.#state !== "ok" && this.#state !== "write_failed" && this.#state !== "disk_full") return;
    const state = isNoSpace(error) ? "disk_full" : "write_failed";
    const cause = error instanceof StorageUnavailableError ? error.cause : error;
    const entering = state !== this.#state;
    this.#setState(state, { error: (cause as { code?: string } | null)?.code ?? (cause instanceof Error ? cause.message : String(cause)) });
    // The log's space back at once if the volume lets a checkpoint through; maintain() tries again every second.
    if (entering && state === "disk_full") truncateLog(this.#db);
  }

  /** The file is damaged (SQLite said so to a read, or quick_check did): writes are refused from now on. */
  reportCorruption(error: unknown): void {
    this.#lastFailureAt = Date.now();
    const cause = error instanceof StorageCorruptError && error.cause !== undefined ? error.cause : error;
    const detail = typeof cause === "string" ? cause : cause instanceof Error ? cause.message : String(cause);
    if (this.#state !== "corrupt") {
      this.#damage = detail;
      return this.#setState("corrupt", { detail, advice: RECOVERY_ADVICE });
    }
    // A read found the damage first: quick_check's findings say more about where it is.
    if (detail.startsWith("quick_check:") && !this.#damage.startsWith("quick_check:")) {
      this.#damage = detail;
      this.logger?.error("storage.integrity_failed", { path: this.path, detail, advice: RECOVERY_ADVICE });
    }
  }

  /**
   * PRAGMA quick_check of the whole file in a worker thread (see integrity.ts), beside serving; a damaged file turns
   * the state to corrupt. Joins a check already running; "skipped" in memory or when the check could not run.
   */
  checkIntegrity(): Promise<"ok" | "failed" | "skipped"> {
    // The read-only connection of a full volume locks others out, the check's too: it runs once that connection goes.
    if (this.#readOnly) {
      this.#checkWhenWritable = true;
      return Promise.resolve("skipped");
    }
    return this.#integrity.run();
  }

  /**
   * Runs every second: notices a removed or replaced file even without traffic, restores a removed file from the open
   * connection (nothing committed is lost, not even what was written after the removal), and probes whether writes
   * work again after a failure.
   */
  maintain(): void {
    if (this.path === ":memory:") return;
    this.#disk.measure();
    if (this.#state === "corrupt") return;
    if (this.#state === "ok") {
      if (this.#pathLeadsHere()) this.#log.keepShort(this.#db);
      return;
    }
    if (this.#state === "write_failed" || this.#state === "disk_full") {
      if (this.#readOnly && !this.#reopenWritable()) return;
      // The log first: after a full disk it may hold megabytes that a checkpoint hands back as soon as there is room.
      truncateLog(this.#db);
      return this.#probeWrite();
    }
    if (this.#state === "file_replaced" && !identityOf(this.path)) this.#setState("file_removed");
    // A second of refusals first: the loss shows in /health, and a file someone is moving back in has time to land.
    if (this.#state === "file_removed" && Date.now() - this.#detachedAtMs >= RESTORE_DELAY_MS) this.#restore();
  }

  close(): void {
    this.#integrity.cancel();
    this.#closeLog();
    this.#db.close();
  }

  #closeLog(): void {
    if (this.#logFd !== undefined) closeSync(this.#logFd);
    this.#logFd = undefined;
  }

  #pathLeadsHere(): boolean {
    if (this.path === ":memory:") return true;
    if (this.#state === "file_removed" || this.#state === "file_replaced") return false;
    const file = identityOf(this.path);
    if (!sameFile(file, this.#file)) {
      this.#setState(file ? "file_replaced" : "file_removed");
      return false;
    }
    const wal = identityOf(`${this.path}-wal`);
    // The log appears with the first write after opening; learn it then. A log that vanished or changed afterwards
    // means commits now go to a file nobody will read.
    if (this.#wal === undefined) this.#wal = wal;
    else if (!sameFile(wal, this.#wal)) {
      this.#setState("file_removed");
      return false;
    }
    return true;
  }

  #probeWrite(): void {
    try {
      this.#db.run("INSERT INTO settings (key, value) VALUES ('storage.last_probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [new Date().toISOString()]);
      this.#confirmCommit();
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      this.recordWriteFailure(error);
    }
  }

  /**
   * The first open. On a volume too full for SQLite to create its "-shm" file, the server still starts: it reads
   * through a connection that needs none, refuses writes (disk_full), and maintain() opens the file as usual once
   * there is room.
   */
  #openAtStart(): Database {
    try {
      return this.#open();
    } catch (error) {
      if (!isStorageFailure(error) || isCorruption(error) || !this.#disk.measure() || !this.#disk.tight) throw error;
      const db = openWithoutSharedMemory(this.path);
      this.#readOnly = true;
      this.#lastFailureAt = Date.now();
      const detail = "started read-only: the volume is too full to open the database for writing";
      this.#setState("disk_full", { error: (error as { code?: string }).code ?? String(error), detail });
      return db;
    }
  }

  /** Leaves the read-only connection of a start on a full volume for a usual one; false while that cannot be opened yet. */
  #reopenWritable(): boolean {
    // SQLite needs 32 KiB for "-shm" before anything: no use closing the connection that works before there is that much.
    if ((this.#disk.last?.free_bytes ?? 0) < 64 * 1024) return false;
    this.#closeLog();
    this.#db.close();
    try {
      this.#db = this.#open();
    } catch (error) {
      this.#db = openWithoutSharedMemory(this.path);
      if (!isStorageFailure(error)) throw error;
      return false;
    }
    this.#readOnly = false;
    this.#learnIdentity();
    if (this.#checkWhenWritable) void this.checkIntegrity();
    return true;
  }

  /**
   * Writes what the open connection sees (every commit, those made after the removal included) to a new file, makes it
   * durable, moves it to DATABASE_PATH and switches to it. When only the log was removed, the file is still ours: the
   * log's frames are checkpointed into it before reopening.
   */
  #restore(): void {
    const current = identityOf(this.path);
    if (current && !sameFile(current, this.#file)) return this.#setState("file_replaced");
    try {
      if (current) {
        // Only the log (or the shared memory) went: the file is still ours, and the log's frames go into it first.
        this.#db.run("PRAGMA wal_checkpoint(TRUNCATE)");
        this.#closeDetached();
      } else {
        const staging = `${this.path}.restoring`;
        rmSync(staging, { force: true });
        this.#db.run("VACUUM INTO ?", [staging]);
        syncFile(staging);
        this.#closeDetached();
        renameSync(staging, this.path);
        syncFile(dirname(this.path));
      }
      this.#db = this.#open();
      this.#learnIdentity();
      this.logger?.warn("storage.restored", { path: this.path });
      this.#setState("ok");
    } catch (error) {
      this.#lastFailureAt = Date.now();
      this.logger?.debug("storage.restore_failed", { error: error instanceof Error ? error.message : String(error) });
    }
  }

  /**
   * Closes the connection to the lost file and clears "<path>-wal" and "<path>-shm": whatever is left there belongs to
   * the lost file (its content is already in what is restored), and a new connection would replay that log onto the
   * restored file and corrupt it. SQLite would delete them by name on close only sometimes, so it is told not to and
   * they are removed here, while no connection has them open.
   */
  #closeDetached(): void {
    this.#db.fileControl(constants.SQLITE_FCNTL_PERSIST_WAL, 1);
    this.#closeLog();
    this.#db.close();
    rmSync(`${this.path}-wal`, { force: true });
    rmSync(`${this.path}-shm`, { force: true });
  }

  #learnIdentity(): void {
    if (this.path === ":memory:") return;
    this.#file = identityOf(this.path);
    this.#wal = identityOf(`${this.path}-wal`);
  }

  #setState(state: StorageState, fields: LogFields = {}): void {
    if (state === this.#state) return;
    if ((state === "file_removed" || state === "file_replaced") && this.#state !== "file_removed" && this.#state !== "file_replaced") this.#detachedAtMs = Date.now();
    this.#state = state;
    if (state === "ok") return this.logger?.info("storage.writable", { path: this.path, ...fields });
    const effect =
      state === "corrupt"
        ? "writes answer 503 storage_corrupt and reads of the damaged pages fail until the file is recovered: neither retrying nor restarting repairs it"
        : "webhooks answer 503 until this is resolved";
    this.logger?.error(`storage.${state}`, { path: this.path, ...fields, effect, ...(state === "disk_full" ? { free_bytes: this.#disk.measure()?.free_bytes } : {}) });
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
