// The one write on the ingest path: insert an event unless the same one is already stored, and the document with it
// when it came along (a polled document needs no fetch).
import type { Database } from "bun:sqlite";

/** Stores a document version, unless a newer event's version is already stored (latest version wins). */
export function prepareDocumentUpsert(db: Database) {
  return db.query<never, { user_id: string; data_type: string; document_id: string; day: string | null; payload: string; event_id: number; at: string }>(
    `INSERT INTO documents (user_id, data_type, document_id, day, payload, deleted, event_id, fetched_at)
     VALUES ($user_id, $data_type, $document_id, $day, $payload, 0, $event_id, $at)
     ON CONFLICT (user_id, data_type, document_id) DO UPDATE SET day = excluded.day, payload = excluded.payload,
       deleted = 0, event_id = excluded.event_id, fetched_at = excluded.fetched_at
     WHERE documents.event_id IS NULL OR documents.event_id <= excluded.event_id`,
  );
}

export type AppendRow = {
  /** For create/update: "fetched" when the document came with the event; a delete is "deleted" (nothing to fetch). */
  fetch_status: "pending" | "awaiting_link" | "fetched";
  /** The document as JSON, when it came with the event; its `day`. */
  document: string | null;
  day: string | null;
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
  const insert = db.query<never, Omit<AppendRow, "fetch_status" | "day"> & { fetch_status: string; next_fetch_at_ms: number | null; fetched_at: string | null }>(
    `INSERT INTO events (received_at, source, event_type, data_type, object_id, event_time, event_time_ms, user_id, notification,
                         document, fetch_status, fetched_at, next_fetch_at_ms)
     VALUES ($received_at, $source, $event_type, $data_type, $object_id, $event_time, $event_time_ms, $user_id, $notification,
             $document, $fetch_status, $fetched_at, $next_fetch_at_ms)
     ON CONFLICT DO NOTHING`,
  );
  const upsertDocument = prepareDocumentUpsert(db);
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
    const withDocument = !isDelete && row.document !== null;
    const { day: _, ...columns } = row;
    const { changes, lastInsertRowid } = insert.run({
      ...columns,
      document: withDocument ? row.document : null,
      fetch_status: isDelete ? "deleted" : withDocument ? "fetched" : row.fetch_status,
      fetched_at: withDocument ? row.received_at : null,
      next_fetch_at_ms: pending && !withDocument ? 0 : null,
    });
    if (changes > 0) {
      const id = Number(lastInsertRowid);
      if (isDelete) tombstone.run({ user_id: row.user_id, data_type: row.data_type, document_id: row.object_id, event_id: id, at: row.received_at });
      else if (withDocument) upsertDocument.run({ user_id: row.user_id, data_type: row.data_type, document_id: row.object_id, day: row.day, payload: row.document!, event_id: id, at: row.received_at });
      return { id, created: true };
    }
    const { user_id, data_type, object_id, event_type, event_time_ms } = row;
    return { id: existing.get({ user_id, data_type, object_id, event_type, event_time_ms })!.id, created: false };
  };
}
