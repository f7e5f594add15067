// Deleting what is older than the retention period, in slices, and handing the space back.

/** Deleting what is older than the retention period, in slices, and handing the space back. */
export interface Retention {
  /**
   * Deletes up to `limit` events received before `beforeIso`, oldest first; returns how many. Events whose fetch is
   * still pending or awaiting a sign-in are kept: that work is not done yet.
   */
  pruneEvents(beforeIso: string, limit: number): Promise<number>;
  /** How many events pruneEvents would delete. */
  countPrunable(beforeIso: string): Promise<number>;
  /** Hands up to `pages` freed pages back to the file system; returns how many free pages remain. */
  reclaimSpace(pages: number): Promise<number>;
}
