// Writer thread: owns the connection that commits appends, so the fsync of one batch overlaps with the main
// thread verifying and parsing the next requests instead of blocking the event loop.
import { Database } from "bun:sqlite";
import { type AppendRow, prepareAppend } from "./event-append.ts";
import { runBatch } from "./group-commit.ts";
import { applyConnectionPragmas } from "./database.ts";

declare const self: Worker;

export type WriterRequest = { type: "open"; path: string } | { type: "append"; batch: number; rows: AppendRow[] } | { type: "close" };

let db: Database | undefined;
let append: ((row: AppendRow) => ReturnType<ReturnType<typeof prepareAppend>>) | undefined;

self.onmessage = (message: MessageEvent<WriterRequest>) => {
  const request = message.data;
  if (request.type === "open") {
    try {
      db = new Database(request.path, { strict: true });
      applyConnectionPragmas(db);
      append = prepareAppend(db);
      postMessage({ type: "opened" });
    } catch (error) {
      postMessage({ type: "open-failed", error: error instanceof Error ? error.message : String(error) });
    }
  } else if (request.type === "append") {
    postMessage({ type: "appended", batch: request.batch, results: runBatch(db!, append!, request.rows) });
  } else if (request.type === "close") {
    db?.close();
    postMessage({ type: "closed" });
  }
};
