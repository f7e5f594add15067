// A database file holding `rows` fetched events received at `receivedAt`, written directly (fast) for the benchmarks.
import { Database } from "bun:sqlite";
import { openDatabase } from "../src/storage/sqlite/database.ts";

export function fillEvents(dbPath: string, rows: number, receivedAt: string, prefix = "e"): void {
  openDatabase(dbPath).close();
  const db = new Database(dbPath);
  const insert = db.query(
    "INSERT INTO events (received_at, source, event_type, data_type, object_id, event_time, event_time_ms, user_id, notification, fetch_status) VALUES (?, 'webhook', 'create', 'sleep', ?, ?, ?, 'U', ?, 'fetched')",
  );
  const body = JSON.stringify({ event_type: "create", data_type: "sleep", object_id: "x", event_time: receivedAt, user_id: "U", pad: "p".repeat(200) });
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(receivedAt, `${prefix}-${i}`, receivedAt, Date.parse(receivedAt) + i, body);
  })();
  db.close();
}
