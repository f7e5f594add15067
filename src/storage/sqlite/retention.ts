// Retention on SQLite: old events deleted in slices, never one whose fetch, shipment or webhook delivery is still to come.
import type { Retention } from "../retention.ts";
import type { SqliteConnection } from "./connection.ts";
import { SHIPPED_EVENT_SETTING } from "./outbox.ts";

/** In warehouse mode, events after the shipped id are the outbox: retention must not delete them. */
const NOT_AWAITING_SHIPMENT = `(restored = 1 OR id <= coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = '${SHIPPED_EVENT_SETTING}'), 9223372036854775807))`;
/** An event still queued for outgoing webhooks, or with a delivery to come, is kept (its deliveries go with it otherwise). */
const NOT_AWAITING_HOOKS = `NOT EXISTS (SELECT 1 FROM hook_queue q WHERE q.event_id = events.id)
  AND NOT EXISTS (SELECT 1 FROM hook_deliveries d WHERE d.event_id = events.id AND d.status = 'pending')`;

export class SqliteRetention implements Retention {
  constructor(private readonly connection: SqliteConnection) {}

  async pruneEvents(beforeIso: string, limit: number): Promise<number> {
    return this.connection.write(
      (db) =>
        db
          .query(
            `DELETE FROM events WHERE id IN (
               SELECT id FROM events WHERE received_at < ? AND (fetch_status IS NULL OR fetch_status NOT IN ('pending', 'awaiting_link'))
                 AND ${NOT_AWAITING_SHIPMENT} AND ${NOT_AWAITING_HOOKS}
               ORDER BY id LIMIT ?)`,
          )
          .run(beforeIso, limit).changes,
    );
  }

  async countPrunable(beforeIso: string): Promise<number> {
    return (
      this.connection.database
        .query(`SELECT count(*) AS n FROM events WHERE received_at < ? AND (fetch_status IS NULL OR fetch_status NOT IN ('pending', 'awaiting_link')) AND ${NOT_AWAITING_SHIPMENT} AND ${NOT_AWAITING_HOOKS}`)
        .get(beforeIso) as { n: number }
    ).n;
  }

  async reclaimSpace(pages: number): Promise<number> {
    await this.connection.write((db) => db.query(`PRAGMA incremental_vacuum(${Math.max(1, Math.floor(pages))})`).all());
    return (this.connection.database.query("PRAGMA freelist_count").get() as { freelist_count: number }).freelist_count;
  }
}
