// The storage itself: reachable, writable, how big, and kept healthy.

/**
 * write_failed: the last commit failed (an I/O error, a read-only file system); disk_full: it failed for want of space;
 * corrupt: the file is damaged (SQLite says so, or the integrity check at start did), which no retry can fix.
 */
export type StorageState = "ok" | "write_failed" | "disk_full" | "corrupt" | "file_removed" | "file_replaced";

/** The volume that holds the database, as statfs sees it. */
export interface DiskSpace {
  /** Bytes this process may still write. */
  free_bytes: number;
  total_bytes: number;
  /** Below this many free bytes the server warns, and keeps its write-ahead log short. */
  low_below_bytes: number;
  low: boolean;
}

export interface StorageHealth {
  state: StorageState;
  /** False while a write would not be kept: the last commit failed, or the file at DATABASE_PATH is not ours. */
  writable: boolean;
  /** What is wrong and what the server does about it, in one sentence; absent when all is well. */
  problem?: string;
  last_commit_at: string | null;
  last_failure_at: string | null;
  /** The volume's free space (null in memory); measured by maintain(), so at most a second old. */
  disk: DiskSpace | null;
  /** Bytes in the write-ahead log file (0 in memory): what a checkpoint hands back. */
  wal_bytes: number;
  /** The integrity check run at start: pending, ok, or failed (then state is corrupt); null when none runs. */
  integrity: { state: "running" | "ok" | "failed"; checked_at: string | null; duration_ms: number | null } | null;
}

/** The storage itself: reachable, writable, how big; kept healthy by maintain(). */
export interface StorageStatus {
  ping(): Promise<boolean>;
  /** Bytes on disk (the database and its log), or null when nothing is kept on disk. */
  sizeBytes(): number | null;
  /** Whether writes are being kept, and if not, why. */
  health(): StorageHealth;
  /** Every second: notices a lost database file or failing writes, and recovers when it can. */
  maintain(): void;
  /**
   * Checks the whole file (PRAGMA quick_check) off the event loop; a damaged file turns the state to corrupt. Run once
   * at start, beside serving. Resolves with the outcome.
   */
  checkIntegrity(): Promise<"ok" | "failed" | "skipped">;
  /** A read found the file damaged (SQLITE_CORRUPT): from now on the state is corrupt and writes are refused. */
  reportCorruption(error: unknown): void;
}
