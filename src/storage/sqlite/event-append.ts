// The one write on the ingest path: insert a notification unless the same one is already stored.
// Shared by the in-thread writer and the writer worker, so both behave identically.
import type { Database } from "bun:sqlite";

export type AppendRow = {
  received_at: string;
  source: "webhook" | "poll";
  event_type: "create" | "update" | "delete";
  data_type: string;
  object_id: string;
  event_time: string;
  event_time_ms: number;
  user_id: string;
  notification: string;
};

/** `id` of the new row, or of the row already stored for the same notification. */
export type AppendOutcome = { id: number; created: boolean };

export function prepareAppend(db: Database): (row: AppendRow) => AppendOutcome {
  // No RETURNING: the caller already has every bound value, so the new row need not be read back inside the commit.
  const insert = db.query<never, AppendRow>(
    `INSERT INTO events (received_at, source, event_type, data_type, object_id, event_time, event_time_ms, user_id, notification)
     VALUES ($received_at, $source, $event_type, $data_type, $object_id, $event_time, $event_time_ms, $user_id, $notification)
     ON CONFLICT DO NOTHING`,
  );
  const existing = db.query<{ id: number }, Pick<AppendRow, "user_id" | "data_type" | "object_id" | "event_type" | "event_time_ms">>(
    `SELECT id FROM events
     WHERE user_id = $user_id AND data_type = $data_type AND object_id = $object_id
       AND event_type = $event_type AND event_time_ms = $event_time_ms`,
  );
  return (row) => {
    const { changes, lastInsertRowid } = insert.run(row);
    if (changes > 0) return { id: Number(lastInsertRowid), created: true };
    const { user_id, data_type, object_id, event_type, event_time_ms } = row;
    return { id: existing.get({ user_id, data_type, object_id, event_type, event_time_ms })!.id, created: false };
  };
}
