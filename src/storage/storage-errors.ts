// Why a storage call failed, in the two ways callers tell apart: try again later, or not at all.

export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super("storage is unavailable", { cause });
    this.name = "StorageUnavailableError";
  }
}

/** The database file is damaged: unlike StorageUnavailableError, no retry can help; an operator must recover the file. */
export class StorageCorruptError extends Error {
  constructor(cause: unknown) {
    super("the database file is damaged", { cause });
    this.name = "StorageCorruptError";
  }
}

/** `unavailable`: the storage cannot be used right now (retry later); `corrupt`: the file is damaged (an operator must recover it). */
export type StorageFailure = "unavailable" | "corrupt";

/** Says whether an error is the storage failing, and how; undefined for anything else (a bug, a constraint). */
export type StorageFailureClassifier = (error: unknown) => StorageFailure | undefined;
