// The one write on the ingest path: insert an event unless the same one is already stored, and the document with it
// when it came along (a polled document needs no fetch).
import type { Database } from "bun:sqlite";
import { contentHash } from "../content-hash.ts";
import type { Event, EventColumns, FetchStatus } from "../events.ts";

/** Stores a document version, unless a newer event's version is already stored (latest version wins). */
export function prepareDocumentUpsert(db: Database) {
  const upsert = db.query<never, DocumentVersion & { content_hash: string }>(
    `INSERT INTO documents (user_id, data_type, document_id, day, payload, deleted, event_id, fetched_at, content_hash)
     VALUES ($user_id, $data_type, $document_id, $day, $payload, 0, $event_id, $at, $content_hash)
     ON CONFLICT (user_id, data_type, document_id) DO UPDATE SET day = excluded.day, payload = excluded.payload,
       deleted = 0, event_id = excluded.event_id, fetched_at = excluded.fetched_at, content_hash = excluded.content_hash
     WHERE documents.event_id IS NULL OR documents.event_id <= excluded.event_id`,
  );
  return { run: (version: DocumentVersion) => upsert.run({ ...version, content_hash: contentHash(version.payload) }) };
}

export type DocumentVersion = {
  user_id: string;
  data_type: string;
  document_id: string;
  day: string | null;
  payload: string;
  event_id: number;
  at: string;
};

export type AppendRow = {
  /** "pending" makes the event its own fetch job, due at once; "fetched" when the document came with it. */
  fetch_status: Exclude<FetchStatus, "failed">;
  /** The document as JSON, when it came with the event (never for a delete); its `day`. */
  document: string | null;
  day: string | null;
  event_time_ms: number;
  notification: string;
} & EventColumns;

/** `id` of the new row, or of the row already stored for the same notification. */
export type AppendOutcome = { id: number; created: boolean };

export function prepareAppend(db: Database): (row: AppendRow) => AppendOutcome {
  // No RETURNING: the caller already has every bound value, so the new row need not be read back inside the commit.
  // A create/update event is also its own fetch job (fetch_status 'pending', due at once), committed with it.
  const insert = db.query<never, Omit<AppendRow, "day"> & { next_fetch_at_ms: number | null; fetched_at: string | null }>(
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
    const { day, ...columns } = row;
    const { changes, lastInsertRowid } = insert.run({
      ...columns,
      fetched_at: row.fetch_status === "fetched" ? row.received_at : null,
      next_fetch_at_ms: row.fetch_status === "pending" ? 0 : null,
    });
    if (changes > 0) {
      const id = Number(lastInsertRowid);
      const document = { user_id: row.user_id, data_type: row.data_type, document_id: row.object_id, event_id: id, at: row.received_at };
      if (row.fetch_status === "deleted") tombstone.run(document);
      else if (row.document !== null) upsertDocument.run({ ...document, day, payload: row.document });
      return { id, created: true };
    }
    const { user_id, data_type, object_id, event_type, event_time_ms } = row;
    return { id: existing.get({ user_id, data_type, object_id, event_type, event_time_ms })!.id, created: false };
  };
}

/** The event just appended, built from what was bound (nothing read back inside the commit). */
export function appendedEvent(id: number, row: AppendRow, received: Record<string, unknown>, stored: Record<string, unknown> | undefined): Event {
  return {
    id,
    received_at: row.received_at,
    source: row.source,
    event_type: row.event_type,
    data_type: row.data_type,
    object_id: row.object_id,
    event_time: row.event_time,
    user_id: row.user_id,
    notification: received,
    document: stored ?? null,
    fetch_status: row.fetch_status,
    fetch_error: null,
    fetched_at: stored ? row.received_at : null,
  };
}
