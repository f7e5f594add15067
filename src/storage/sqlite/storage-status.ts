// The database file's state as the server reports and keeps it: reachable, writable, how big, damaged or not.
import type { StorageHealth, StorageStatus } from "../storage-status.ts";
import { databaseBytes } from "./database.ts";
import { type DatabaseFile, isStorageFailure } from "./database-file.ts";

export class SqliteStorageStatus implements StorageStatus {
  constructor(
    private readonly file: DatabaseFile,
    /** Sets the outbox's triggers for the mode (outbox.ts); run again on each maintain(), as a recreated file has none. */
    private readonly configureOutbox: () => void,
  ) {}

  async ping(): Promise<boolean> {
    try {
      this.file.db.query("SELECT 1").get();
      return true;
    } catch {
      return false;
    }
  }

  sizeBytes(): number | null {
    return this.file.path === ":memory:" ? null : databaseBytes(this.file.path);
  }

  health(): StorageHealth {
    return this.file.health();
  }

  maintain(): void {
    this.file.maintain();
    try {
      this.configureOutbox();
    } catch (error) {
      // The file is unusable right now; maintain() says so through health() and tries again in a second.
      if (isStorageFailure(error)) this.file.recordWriteFailure(error);
    }
  }

  checkIntegrity(): Promise<"ok" | "failed" | "skipped"> {
    return this.file.checkIntegrity();
  }

  reportCorruption(error: unknown): void {
    this.file.reportCorruption(error);
  }
}
