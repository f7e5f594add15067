// Where appends are committed: on a writer worker for a database file, in this thread for ":memory:"
// (a private in-memory database cannot be shared between connections, and it has no fsync to hide).
import type { Database } from "bun:sqlite";
import { type AppendOutcome, type AppendRow, prepareAppend } from "./event-append.ts";
import { type BatchExecutor, runBatch, type Settled } from "./group-commit.ts";

export type AppendExecutor = BatchExecutor<AppendRow, AppendOutcome>;

export function inThreadExecutor(db: Database): AppendExecutor {
  const append = prepareAppend(db);
  return {
    execute: async (rows) => runBatch(db, append, rows),
    close: async () => {},
  };
}

type WriterReply =
  | { type: "opened" }
  | { type: "open-failed"; error: string }
  | { type: "appended"; batch: number; results: Settled<AppendOutcome>[] }
  | { type: "closed" };

export async function workerExecutor(path: string): Promise<AppendExecutor> {
  const worker = new Worker(new URL("./writer-worker.ts", import.meta.url));
  const waiting = new Map<number, (results: Settled<AppendOutcome>[]) => void>();
  let nextBatch = 0;
  let onLifecycle: ((reply: WriterReply) => void) | undefined;
  let failure: Error | undefined;

  worker.onmessage = (message: MessageEvent<WriterReply>) => {
    const reply = message.data;
    if (reply.type === "appended") {
      waiting.get(reply.batch)?.(reply.results);
      waiting.delete(reply.batch);
    } else {
      onLifecycle?.(reply);
    }
  };
  worker.onerror = (event) => {
    failure = new Error(`database writer stopped: ${event.message}`);
    for (const settle of waiting.values()) settle([]);
    waiting.clear();
  };

  const lifecycle = (request: object) =>
    new Promise<WriterReply>((resolve) => {
      onLifecycle = resolve;
      worker.postMessage(request);
    });

  const opened = await lifecycle({ type: "open", path });
  if (opened.type === "open-failed") {
    worker.terminate();
    throw new Error(`could not open the database writer: ${opened.error}`);
  }

  return {
    execute(rows) {
      if (failure) return Promise.reject(failure);
      const batch = nextBatch++;
      return new Promise((resolve, reject) => {
        waiting.set(batch, (results) => (results.length === rows.length ? resolve(results) : reject(failure)));
        worker.postMessage({ type: "append", batch, rows });
      });
    },
    async close() {
      if (!failure) await lifecycle({ type: "close" });
      worker.terminate();
    },
  };
}
