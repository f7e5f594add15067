// Where appends are committed. This thread's connection, synchronously: measured against a writer worker thread
// (bench/ingest.ts, 2 cores) the worker gained no throughput and doubled the p99 commit latency (6.1 vs 3.1 ms),
// because every batch paid two thread hops on a busy core. The fsync still blocks the loop for ~0.5 ms per batch.
import type { Database } from "bun:sqlite";
import { type AppendOutcome, type AppendRow, prepareAppend } from "./event-append.ts";
import { type BatchExecutor, runBatch } from "./group-commit.ts";

export type AppendExecutor = BatchExecutor<AppendRow, AppendOutcome>;

export function inThreadExecutor(db: Database): AppendExecutor {
  const append = prepareAppend(db);
  return {
    execute: async (rows) => runBatch(db, append, rows),
    close: async () => {},
  };
}
