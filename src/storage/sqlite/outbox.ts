// The warehouse outbox, in the same database and the same commits as what it ships. Events: every event after the
// last shipped id, in id order (the event row is its own outbox entry, committed with it; ingest writes nothing more).
// Documents: a key marked by triggers whenever a document row is written, with a version so a change made while a
// batch is in flight is shipped again. Retention never deletes an event after the shipped id (see pruneEvents).
import { documentDayOr } from "../../time/calendar-day.ts";
import type { Database } from "bun:sqlite";
import type { Outbox, OutboxDocument, OutboxEvent, OutboxHeartRate, OutboxStatus, WarehouseDocument, WarehouseEvent } from "../outbox.ts";
import type { SqliteConnection } from "./connection.ts";
import { prepareAppend, prepareDocumentUpsert } from "./event-append.ts";

export const SHIPPED_EVENT_SETTING = "outbox.shipped_event_id";
const FULL_COUNT_EVERY_MS = 60_000;

const markDocument = (row: "new") => `INSERT INTO document_outbox (user_id, data_type, document_id, marked_at)
       VALUES (${row}.user_id, ${row}.data_type, ${row}.document_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
       ON CONFLICT (user_id, data_type, document_id) DO UPDATE SET version = version + 1, marked_at = excluded.marked_at;`;

/**
 * Warehouse mode on: triggers mark document changes, and the first time, everything already stored is queued (a store
 * that ran on SQLite alone ships its history). Off: triggers, marks and the shipped id are dropped, so nothing grows
 * and retention is unbounded by shipping; turning it on again ships everything again (the MERGEs make that harmless).
 */
export function configureOutbox(db: Database, enabled: boolean | undefined): void {
  // A maintenance command (prune, export, token handoff) leaves the server's mode as it is.
  if (enabled === undefined) return;
  db.transaction(() => {
    if (!enabled) {
      db.exec(`DROP TRIGGER IF EXISTS document_outbox_insert; DROP TRIGGER IF EXISTS document_outbox_update; DELETE FROM document_outbox;
               DROP TRIGGER IF EXISTS heartrate_outbox_insert; DELETE FROM heartrate_outbox;`);
      db.query("DELETE FROM settings WHERE key = ?").run(SHIPPED_EVENT_SETTING);
      return;
    }
    db.exec(`CREATE TRIGGER IF NOT EXISTS document_outbox_insert AFTER INSERT ON documents BEGIN ${markDocument("new")} END;
             CREATE TRIGGER IF NOT EXISTS document_outbox_update AFTER UPDATE ON documents BEGIN ${markDocument("new")} END;
             CREATE TRIGGER IF NOT EXISTS heartrate_outbox_insert AFTER INSERT ON heartrate_samples BEGIN
               INSERT OR IGNORE INTO heartrate_outbox (user_id, at_ms) VALUES (new.user_id, new.at_ms);
             END;`);
    const fresh = db.query("INSERT INTO settings (key, value) VALUES (?, '0') ON CONFLICT (key) DO NOTHING").run(SHIPPED_EVENT_SETTING).changes === 1;
    if (fresh) {
      db.exec(`INSERT OR IGNORE INTO document_outbox (user_id, data_type, document_id, marked_at)
               SELECT user_id, data_type, document_id, fetched_at FROM documents;
               INSERT OR IGNORE INTO heartrate_outbox (user_id, at_ms) SELECT user_id, at_ms FROM heartrate_samples`);
    }
  })();
}

interface DocumentOutboxRow {
  user_id: string;
  data_type: string;
  document_id: string;
  day: string | null;
  payload: string | null;
  deleted: number;
  updated_at: string;
  version: number;
}

export class SqliteOutbox implements Outbox {
  constructor(private readonly connection: SqliteConnection) {}

  private get db(): Database {
    return this.connection.database;
  }

  #shippedThrough(): number {
    const row = this.db.query<{ value: string }, [string]>("SELECT value FROM settings WHERE key = ?").get(SHIPPED_EVENT_SETTING);
    return row ? Number(row.value) : 0;
  }

  pendingEvents(limit: number): OutboxEvent[] {
    return this.db
      .query<OutboxEvent, [number, number]>(
        `SELECT id, received_at, source, event_type, data_type, object_id, event_time, event_time_ms, user_id, notification, document
         FROM events WHERE id > ? AND restored = 0 ORDER BY id LIMIT ?`,
      )
      .all(this.#shippedThrough(), limit);
  }

  async markEventsShipped(throughId: number): Promise<void> {
    // Never backwards: two shippers (there is one, but a restore also moves the head) cannot un-ship anything.
    await this.connection.write((db) =>
      db.query("UPDATE settings SET value = ? WHERE key = ? AND CAST(value AS INTEGER) < ?").run(String(throughId), SHIPPED_EVENT_SETTING, throughId),
    );
  }

  pendingDocuments(limit: number): OutboxDocument[] {
    return this.db
      .query<DocumentOutboxRow, [number]>(
        `SELECT o.user_id, o.data_type, o.document_id, d.day, d.payload, coalesce(d.deleted, 1) AS deleted,
                coalesce(d.fetched_at, o.marked_at) AS updated_at, o.version
         FROM document_outbox o LEFT JOIN documents d USING (user_id, data_type, document_id)
         LIMIT ?`,
      )
      .all(limit)
      .map((row) => ({ ...row, deleted: row.deleted === 1 }));
  }

  async markDocumentsShipped(documents: Pick<OutboxDocument, "user_id" | "data_type" | "document_id" | "version">[]): Promise<void> {
    await this.connection.write((db) => {
      const remove = db.query("DELETE FROM document_outbox WHERE user_id = ? AND data_type = ? AND document_id = ? AND version = ?");
      for (const d of documents) remove.run(d.user_id, d.data_type, d.document_id, d.version);
    });
  }

  async receiveFromWarehouse(documents: WarehouseDocument[], events: WarehouseEvent[]): Promise<{ events: number; documents: number }> {
    // Restored rows are not pending: the carried-forward count starts again.
    this.#counted = undefined;
    return this.connection.write((db) => {
      const upsert = prepareDocumentUpsert(db);
      const tombstone = db.query(
        `INSERT INTO documents (user_id, data_type, document_id, day, deleted, fetched_at) VALUES (?, ?, ?, ?, 1, ?)
         ON CONFLICT (user_id, data_type, document_id) DO NOTHING`,
      );
      const marked = db.query<{ n: number }, [string, string, string]>("SELECT count(*) AS n FROM document_outbox WHERE user_id = ? AND data_type = ? AND document_id = ?");
      const unmark = db.query("DELETE FROM document_outbox WHERE user_id = ? AND data_type = ? AND document_id = ?");
      for (const d of documents) {
        // What the warehouse sent back is there already: only a change made here meanwhile is shipped.
        const wasMarked = marked.get(d.user_id, d.data_type, d.document_id)!.n > 0;
        if (d.deleted || d.payload === null) tombstone.run(d.user_id, d.data_type, d.document_id, d.day, d.updated_at);
        // event_id 0: a version this server received itself (a real event id) is never overwritten by the restore.
        else upsert.run({ user_id: d.user_id, data_type: d.data_type, document_id: d.document_id, day: d.day, payload: d.payload, event_id: 0, at: d.updated_at });
        if (!wasMarked) unmark.run(d.user_id, d.data_type, d.document_id);
      }
      const append = prepareAppend(db);
      const markRestored = db.query(
        `UPDATE events SET restored = 1,
           fetch_error = CASE WHEN fetch_status = 'missing' THEN 'read back from the warehouse without its document' ELSE fetch_error END
         WHERE id = ?`,
      );
      const knownDocument = db.query<{ payload: string | null; day: string | null }, [string, string, string]>(
        "SELECT payload, day FROM documents WHERE user_id = ? AND data_type = ? AND document_id = ? AND deleted = 0",
      );
      let created = 0;
      for (const e of events) {
        const known = e.document === null && e.event_type !== "delete" ? knownDocument.get(e.user_id, e.data_type, e.object_id) : undefined;
        const document = e.event_type === "delete" ? null : (e.document ?? known?.payload ?? null);
        const outcome = append({
          // Without a document in Delta the fetch is not replayed (it may have ended in a 404 long ago): a poll or a
          // backfill brings the document back if Oura has it.
          fetch_status: e.event_type === "delete" ? "deleted" : document !== null ? "fetched" : "missing",
          document,
          day: known?.day ?? dayOf(document),
          received_at: e.received_at,
          source: e.source,
          event_type: e.event_type,
          data_type: e.data_type,
          object_id: e.object_id,
          event_time: e.event_time,
          event_time_ms: Date.parse(e.event_time),
          user_id: e.user_id,
          notification: e.payload,
        });
        if (!outcome.created) continue;
        markRestored.run(outcome.id);
        created++;
      }
      return { events: created, documents: documents.length };
    });
  }

  pendingHeartRate(limit: number): OutboxHeartRate[] {
    return this.db
      .query<OutboxHeartRate, [number]>(
        `SELECT o.user_id, o.at_ms, h.bpm, h.source FROM heartrate_outbox o JOIN heartrate_samples h USING (user_id, at_ms) LIMIT ?`,
      )
      .all(limit);
  }

  async markHeartRateShipped(samples: Pick<OutboxHeartRate, "user_id" | "at_ms">[]): Promise<void> {
    await this.connection.write((db) => {
      const remove = db.query("DELETE FROM heartrate_outbox WHERE user_id = ? AND at_ms = ?");
      for (const sample of samples) remove.run(sample.user_id, sample.at_ms);
    });
  }

  /** Unshipped events counted once, then kept up to date by counting only the ids that entered or left the window. */
  #counted: { through: number; last: number; n: number; atMs: number } | undefined;

  /**
   * Events after the shipped id. Counting them all costs ~90 ms at a million (a warehouse down for a few hours), and
   * /health, /metrics and the dashboard ask every few seconds: so the count is carried forward from the last one,
   * adding the ids that arrived and taking away those shipped meanwhile (both small ranges). Deletions made elsewhere
   * (DELETE /events) are caught by a full count once a minute.
   */
  #pendingEventCount(through: number): number {
    const last = this.db.query<{ last: number | null }, []>("SELECT max(id) AS last FROM events").get()?.last ?? 0;
    const range = this.db.query<{ n: number }, [number, number]>("SELECT count(*) AS n FROM events WHERE id > ? AND id <= ? AND restored = 0");
    const count = (after: number, upTo: number) => (upTo > after ? range.get(after, upTo)!.n : 0);
    const cached = this.#counted;
    const now = Date.now();
    const carried = cached !== undefined && through >= cached.through && last >= cached.last && now - cached.atMs < FULL_COUNT_EVERY_MS;
    const n = carried ? cached.n - count(cached.through, Math.min(through, cached.last)) + count(Math.max(cached.last, through), last) : count(through, last);
    this.#counted = { through, last, n, atMs: carried ? cached.atMs : now };
    return n;
  }

  outboxStatus(): OutboxStatus {
    const through = this.#shippedThrough();
    const events = this.#pendingEventCount(through);
    const oldestEvent =
      this.db.query<{ received_at: string }, [number]>("SELECT received_at FROM events WHERE id > ? AND restored = 0 ORDER BY id LIMIT 1").get(through)?.received_at ?? null;
    const documents = this.db.query<{ n: number; oldest: string | null }, []>("SELECT count(*) AS n, min(marked_at) AS oldest FROM document_outbox").get() ?? { n: 0, oldest: null };
    const oldest = [oldestEvent, documents.oldest].filter((at): at is string => at !== null).sort()[0] ?? null;
    const heartRate = (this.db.query<{ n: number }, []>("SELECT count(*) AS n FROM heartrate_outbox").get() ?? { n: 0 }).n;
    return { events, documents: documents.n, heart_rate: heartRate, oldest_pending_at: oldest, shipped_through_event_id: through };
  }
}

function dayOf(document: string | null): string | null {
  if (document === null) return null;
  try {
    return documentDayOr(JSON.parse(document) as { day?: unknown; start_day?: unknown });
  } catch {
    return null;
  }
}
