// Store on bun:sqlite: the event log and small settings, with group-committed appends.
import type { Database } from "bun:sqlite";
import type { Event, EventFilter } from "../../schemas/event.ts";
import { type AppendResult, type EventPage, type NewEvent, type Store, StorageUnavailableError } from "../store.ts";
import { openDatabase } from "./database.ts";
import { GroupCommitWriter } from "./group-commit.ts";

interface EventRow {
  id: number;
  received_at: string;
  source: Event["source"];
  event_type: Event["event_type"];
  data_type: string;
  object_id: string;
  event_time: string;
  user_id: string;
  notification: string;
  document: string | null;
  fetch_status: string | null;
  fetched_at: string | null;
}

const EVENT_COLUMNS =
  "id, received_at, source, event_type, data_type, object_id, event_time, user_id, notification, document, fetch_status, fetched_at";

function toEvent(row: EventRow): Event {
  return {
    ...row,
    notification: JSON.parse(row.notification),
    document: row.document === null ? null : JSON.parse(row.document),
  };
}

/** WHERE clause and bindings for the filters shared by list and delete. */
function whereClause(filter: EventFilter): { sql: string; params: Record<string, string | number> } {
  const conditions: string[] = [];
  const params: Record<string, string | number> = {};
  if (filter.data_type) {
    conditions.push("data_type = $data_type");
    params.data_type = filter.data_type;
  }
  if (filter.event_type) {
    conditions.push("event_type = $event_type");
    params.event_type = filter.event_type;
  }
  if (filter.user_id) {
    conditions.push("user_id = $user_id");
    params.user_id = filter.user_id;
  }
  if (filter.since) {
    conditions.push("event_time_ms >= $since");
    params.since = Date.parse(filter.since);
  }
  if (filter.until) {
    conditions.push("event_time_ms < $until");
    params.until = Date.parse(filter.until);
  }
  return { sql: conditions.length ? conditions.join(" AND ") : "1", params };
}

export class SqliteStore implements Store {
  readonly #db: Database;
  readonly #writer: GroupCommitWriter<NewEvent, AppendResult>;

  constructor(db: Database) {
    this.#db = db;
    const insert = db.query<EventRow, Record<string, string | number>>(
      `INSERT INTO events (received_at, source, event_type, data_type, object_id, event_time, event_time_ms, user_id, notification)
       VALUES ($received_at, $source, $event_type, $data_type, $object_id, $event_time, $event_time_ms, $user_id, $notification)
       ON CONFLICT DO NOTHING
       RETURNING ${EVENT_COLUMNS}`,
    );
    const existing = db.query<EventRow, Record<string, string | number>>(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE user_id = $user_id AND data_type = $data_type AND object_id = $object_id
         AND event_type = $event_type AND event_time_ms = $event_time_ms`,
    );
    this.#writer = new GroupCommitWriter(db, ({ source, notification, rawNotification }) => {
      const key = {
        user_id: notification.user_id,
        data_type: notification.data_type,
        object_id: notification.object_id,
        event_type: notification.event_type,
        event_time_ms: Date.parse(notification.event_time),
      };
      const inserted = insert.get({
        ...key,
        received_at: new Date().toISOString(),
        source,
        event_time: notification.event_time,
        notification: rawNotification,
      });
      if (inserted) return { event: toEvent(inserted), created: true };
      return { event: toEvent(existing.get(key)!), created: false };
    });
  }

  static open(path: string): SqliteStore {
    return new SqliteStore(openDatabase(path));
  }

  async appendEvent(input: NewEvent): Promise<AppendResult> {
    try {
      return await this.#writer.submit(input);
    } catch (error) {
      throw new StorageUnavailableError(error);
    }
  }

  async getEvent(id: number): Promise<Event | undefined> {
    const row = this.#db.query<EventRow, [number]>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`).get(id);
    return row ? toEvent(row) : undefined;
  }

  async listEvents(filter: EventFilter, page: { limit: number; cursor?: string }): Promise<EventPage> {
    const { sql, params } = whereClause(filter);
    const cursorSql = page.cursor ? " AND id < $cursor" : "";
    const rows = this.#db
      .query<EventRow, Record<string, string | number>>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE ${sql}${cursorSql} ORDER BY id DESC LIMIT $limit`,
      )
      .all({ ...params, ...(page.cursor ? { cursor: Number(page.cursor) } : {}), limit: page.limit + 1 });
    const hasMore = rows.length > page.limit;
    const events = rows.slice(0, page.limit).map(toEvent);
    return { events, nextCursor: hasMore ? String(events[events.length - 1]!.id) : null };
  }

  async deleteEvents(filter: EventFilter): Promise<number> {
    await this.#writer.whenIdle();
    const { sql, params } = whereClause(filter);
    return this.#db.query(`DELETE FROM events WHERE ${sql}`).run(params).changes;
  }

  async countEvents(): Promise<number> {
    return (this.#db.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  }

  async lastEventAt(): Promise<string | null> {
    const row = this.#db.query("SELECT received_at FROM events ORDER BY id DESC LIMIT 1").get() as { received_at: string } | null;
    return row?.received_at ?? null;
  }

  async getSetting(key: string): Promise<string | undefined> {
    const row = this.#db.query("SELECT value FROM settings WHERE key = ?").get(key) as { value: string } | null;
    return row?.value;
  }

  async ensureSetting(key: string, value: string): Promise<string> {
    this.#db.query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING").run(key, value);
    return (await this.getSetting(key))!;
  }

  async ping(): Promise<boolean> {
    try {
      this.#db.query("SELECT 1").get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#writer.whenIdle();
    this.#db.close();
  }
}
