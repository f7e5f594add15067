// The one write on the ingest path: insert a notification unless the same one is already stored.
import type { Database } from "bun:sqlite";

export type AppendRow = {
  /** For create/update; a delete is "deleted" (nothing to fetch). */
  fetch_status: "pending" | "awaiting_link";
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
  // A create/update event is also its own fetch job (fetch_status 'pending', due at once), committed with it.
  const insert = db.query<never, Omit<AppendRow, "fetch_status"> & { fetch_status: string; next_fetch_at_ms: number | null }>(
    `INSERT INTO events (received_at, source, event_type, data_type, object_id, event_time, event_time_ms, user_id, notification,
                         fetch_status, next_fetch_at_ms)
     VALUES ($received_at, $source, $event_type, $data_type, $object_id, $event_time, $event_time_ms, $user_id, $notification,
             $fetch_status, $next_fetch_at_ms)
     ON CONFLICT DO NOTHING`,
  );
  // A delete needs no fetch: the document is marked deleted (a tombstone if it was never fetched).
  const tombstone = db.query<never, { user_id: string; data_type: string; document_id: string; event_id: number; at: string }>(
    `INSERT INTO documents (user_id, data_type, document_id, deleted, event_id, fetched_at)
     VALUES ($user_id, $data_type, $document_id, 1, $event_id, $at)
     ON CONFLICT (user_id, data_type, document_id) DO UPDATE SET deleted = 1, event_id = excluded.event_id, fetched_at = excluded.fetched_at`,
  );
  const existing = db.query<{ id: number }, Pick<AppendRow, "user_id" | "data_type" | "object_id" | "event_type" | "event_time_ms">>(
    `SELECT id FROM events
     WHERE user_id = $user_id AND data_type = $data_type AND object_id = $object_id
       AND event_type = $event_type AND event_time_ms = $event_time_ms`,
  );
  return (row) => {
    const isDelete = row.event_type === "delete";
    const pending = !isDelete && row.fetch_status === "pending";
    const { changes, lastInsertRowid } = insert.run({ ...row, fetch_status: isDelete ? "deleted" : row.fetch_status, next_fetch_at_ms: pending ? 0 : null });
    if (changes > 0) {
      const id = Number(lastInsertRowid);
      if (isDelete) tombstone.run({ user_id: row.user_id, data_type: row.data_type, document_id: row.object_id, event_id: id, at: row.received_at });
      return { id, created: true };
    }
    const { user_id, data_type, object_id, event_type, event_time_ms } = row;
    return { id: existing.get({ user_id, data_type, object_id, event_type, event_time_ms })!.id, created: false };
  };
}
