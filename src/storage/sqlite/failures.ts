// What kind of failure an error from SQLite or the file system is: a temporary one of the storage (retry), a damaged
// file (no retry helps), or a full volume.
import { StorageCorruptError, type StorageFailureClassifier, StorageUnavailableError } from "../storage-errors.ts";
import type { StorageState } from "../storage-status.ts";

/** SQLite result codes that mean "the storage failed", as opposed to a constraint or a bug in a statement. */
const STORAGE_FAILURE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PERM|NOMEM|BUSY|LOCKED)/;
/** Of those, the ones that mean the file itself is damaged. */
const CORRUPTION = /^SQLITE_(CORRUPT|NOTADB)/;

const codeOf = (error: unknown) => (error as { code?: unknown } | null | undefined)?.code;

export function isStorageFailure(error: unknown): boolean {
  if (error instanceof StorageUnavailableError || error instanceof StorageCorruptError) return true;
  const code = codeOf(error);
  return typeof code === "string" && STORAGE_FAILURE.test(code);
}

/** The file itself is damaged (SQLITE_CORRUPT, SQLITE_NOTADB): unlike the other storage failures, retrying cannot help. */
export function isCorruption(error: unknown): boolean {
  if (error instanceof StorageCorruptError) return true;
  const code = codeOf(error);
  return typeof code === "string" && CORRUPTION.test(code);
}

/** The seam the HTTP layer is given: SQLite's and the file system's codes, told as storage-neutral kinds. */
export const classifyStorageFailure: StorageFailureClassifier = (error) => (isCorruption(error) ? "corrupt" : isStorageFailure(error) ? "unavailable" : undefined);

/** The write failed for want of space: SQLite's SQLITE_FULL, or the file system's ENOSPC or EDQUOT on a flush. */
export function isNoSpace(error: unknown): boolean {
  const code = codeOf(error instanceof StorageUnavailableError ? error.cause : error);
  return typeof code === "string" && /^(SQLITE_FULL|ENOSPC$|EDQUOT$)/.test(code);
}

/** What to do about a damaged file, for the log, /health and a refused start. */
export const RECOVERY_ADVICE =
  'stop the server, copy the database file with its -wal and -shm aside, then recover it (sqlite3 damaged.db ".recover" | sqlite3 recovered.db) or restore a backup: see the README, "Backup and recovery"';

/** The refusal a caller gets when the storage failed under its write: StorageCorruptError when no retry can help. */
export function storageRefusal(error: unknown): StorageUnavailableError | StorageCorruptError {
  if (error instanceof StorageUnavailableError || error instanceof StorageCorruptError) return error;
  return isCorruption(error) ? new StorageCorruptError(error) : new StorageUnavailableError(error);
}

const PROBLEMS: Record<Exclude<StorageState, "ok" | "corrupt">, string> = {
  write_failed: "the last commit failed (an I/O error, or a read-only file system?); writes are retried every second",
  disk_full:
    "the volume holding the database is full: writes are refused (webhooks answer 503 and Oura retries them), reads still work; every second the server checkpoints and truncates its write-ahead log and tries a write, and takes writes again by itself once there is room",
  file_removed: "the database file was removed under the running server; it is being restored from the open connection",
  file_replaced:
    "DATABASE_PATH now leads to another file than the one this server opened; move that file away to let the server restore its own there, or restart to use it",
};

/** What is wrong and what the server does about it, in one sentence, for /health; `damage`: what SQLite said (corrupt). */
export function problemOf(state: Exclude<StorageState, "ok">, damage = ""): string {
  if (state !== "corrupt") return PROBLEMS[state];
  return `the database file is damaged (${damage}): retrying cannot fix it, so writes are refused (503 storage_corrupt) and reads that reach the damaged pages fail; ${RECOVERY_ADVICE}`;
}
