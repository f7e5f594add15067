// Bulk writes cut into short commits, so deleting or re-queuing a million rows never holds the event loop for long.
import type { Database } from "bun:sqlite";
import type { SqliteConnection } from "./connection.ts";

/** Rows one bulk write touches at most: a few milliseconds of the event loop. */
export const BULK_SLICE = 2000;

/**
 * Repeats a bulk write, BULK_SLICE rows a commit, until a slice touches fewer: deleting or re-queuing a million rows
 * must not hold the event loop for one huge transaction. Returns the rows touched in all.
 */
export async function inSlices(connection: SqliteConnection, slice: (db: Database, rows: number) => number): Promise<number> {
  let total = 0;
  for (;;) {
    const touched = await connection.write((db) => slice(db, BULK_SLICE));
    total += touched;
    if (touched < BULK_SLICE) return total;
  }
}
