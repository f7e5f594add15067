// Rows as SQLite returns them, mapped to the domain types, and the WHERE clauses the filters become.
import type { Database } from "bun:sqlite";
import { instantMs } from "../../time/instant.ts";
import type { Event, EventFilter } from "../events.ts";
import type { DocumentFilter, StoredDocument } from "../documents.ts";

export interface EventRow {
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
  fetch_status: Event["fetch_status"];
  fetch_error: string | null;
  fetched_at: string | null;
}

export const EVENT_COLUMNS =
  "id, received_at, source, event_type, data_type, object_id, event_time, user_id, notification, document, fetch_status, fetch_error, fetched_at";

export interface DocumentRow {
  user_id: string;
  data_type: string;
  document_id: string;
  day: string | null;
  payload: string | null;
  deleted: number;
  event_id: number | null;
  fetched_at: string;
  content_hash?: string | null;
}

export function toDocument({ payload, deleted, content_hash: _, ...row }: DocumentRow): StoredDocument {
  return { ...row, deleted: deleted === 1, document: payload === null ? null : JSON.parse(payload) };
}

export function documentWhere(filter: DocumentFilter): { where: string; params: Record<string, string> } {
  const conditions: string[] = [];
  const params: Record<string, string> = {};
  for (const [key, column, op] of [
    ["data_type", "data_type", "="],
    ["user_id", "user_id", "="],
    ["start_day", "day", ">="],
    ["end_day", "day", "<="],
  ] as const) {
    const value = filter[key];
    if (value !== undefined) {
      conditions.push(`${column} ${op} $${key}`);
      params[key] = value;
    }
  }
  return { where: conditions.length ? conditions.join(" AND ") : "1", params };
}

/** One event by id, as stored now. */
export function readEvent(db: Database, id: number): Event | undefined {
  const row = db.query<EventRow, [number]>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`).get(id);
  return row ? toEvent(row) : undefined;
}

export function toEvent(row: EventRow): Event {
  return {
    ...row,
    notification: JSON.parse(row.notification),
    document: row.document === null ? null : JSON.parse(row.document),
  };
}

const EVENT_TYPE_CONDITION: Record<NonNullable<EventFilter["event_type"]>, string> = {
  create: "event_type = 'create'",
  update: "event_type = 'update'",
  delete: "event_type = 'delete'",
};

/** WHERE clause and bindings for the filters shared by list and delete. */
export function whereClause(filter: EventFilter, userTerm = "user_id = $user_id"): { sql: string; params: Record<string, string | number> } {
  const conditions: string[] = [];
  const params: Record<string, string | number> = {};
  if (filter.data_type) {
    conditions.push("data_type = $data_type");
    params.data_type = filter.data_type;
  }
  if (filter.event_type) {
    // Written out, not bound: only a literal lets SQLite use the partial index of deletes.
    conditions.push(EVENT_TYPE_CONDITION[filter.event_type]);
  }
  if (filter.user_id) {
    conditions.push(userTerm);
    params.user_id = filter.user_id;
  }
  if (filter.object_id) {
    conditions.push("object_id = $object_id");
    params.object_id = filter.object_id;
  }
  if (filter.since) {
    conditions.push("event_time_ms >= $since");
    params.since = instantMs(filter.since);
  }
  if (filter.until) {
    conditions.push("event_time_ms < $until");
    params.until = instantMs(filter.until);
  }
  return { sql: conditions.length ? conditions.join(" AND ") : "1", params };
}
