// Documents read a page at a time for exports: each page is one short read that resumes after the previous page's last
// document (a keyset cursor), so nothing stays open between pages. A statement left open while a slow client reads
// pins the log: it can be neither checkpointed nor truncated, and grows with every commit meanwhile.
import type { Database } from "bun:sqlite";
import type { DocumentFilter, DocumentPage } from "../documents.ts";
import { type DocumentRow, toDocument } from "./rows.ts";

/** A document's place in the export's order: newest day first, then data type, user and row, all descending. */
interface DocumentKey {
  day: string | null;
  data_type: string;
  user_id: string;
  position: number;
}

type PageRow = DocumentRow & { position: number };

const ORDER = "data_type DESC, user_id DESC, rowid DESC";

/**
 * One page of the documents `filter` matches, after `cursor` (the previous page's `nextCursor`). Documents with a day
 * come first, walked down the documents_export index (migration 9) from the cursor; those without one (tombstones of
 * documents never fetched) last, as a NULL day sorts — they are read apart because a NULL never compares in a row value.
 */
export function readDocumentPage(db: Database, filter: DocumentFilter, page: { limit: number; cursor?: string }): DocumentPage {
  const after = page.cursor === undefined ? undefined : decodeKey(page.cursor);
  const wanted = page.limit + 1;
  const rows = after?.day === null ? [] : dated(db, filter, after, wanted);
  if (rows.length < wanted) rows.push(...undated(db, filter, after?.day === null ? after : undefined, wanted - rows.length));
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
  return {
    documents: rows.slice(0, page.limit).map(({ position: _, ...row }) => toDocument(row)),
    nextCursor: last ? encodeKey({ day: last.day, data_type: last.data_type, user_id: last.user_id, position: last.position }) : null,
  };
}

function dated(db: Database, filter: DocumentFilter, after: DocumentKey | undefined, limit: number): PageRow[] {
  const { where, params } = filterTerms(filter);
  const seek = after ? "(day, data_type, user_id, rowid) < ($after_day, $after_type, $after_user, $after_position)" : "day IS NOT NULL";
  return db
    .query<PageRow, Record<string, string | number>>(`SELECT rowid AS position, * FROM documents WHERE ${where} AND ${seek} ORDER BY day DESC, ${ORDER} LIMIT $limit`)
    .all({ ...params, ...(after ? afterParams(after) : {}), limit });
}

function undated(db: Database, filter: DocumentFilter, after: DocumentKey | undefined, limit: number): PageRow[] {
  const { where, params } = filterTerms(filter);
  const seek = after ? " AND (data_type, user_id, rowid) < ($after_type, $after_user, $after_position)" : "";
  return db
    .query<PageRow, Record<string, string | number>>(`SELECT rowid AS position, * FROM documents WHERE ${where} AND day IS NULL${seek} ORDER BY ${ORDER} LIMIT $limit`)
    .all({ ...params, ...(after ? afterParams(after) : {}), limit });
}

function afterParams(after: DocumentKey): Record<string, string | number> {
  return { ...(after.day === null ? {} : { after_day: after.day }), after_type: after.data_type, after_user: after.user_id, after_position: after.position };
}

/**
 * The filters as a WHERE clause. The unary plus keeps SQLite off the per-type and per-user indexes: found through
 * them, every page would sort all the matching documents again; the export index holds both columns, so a filter is
 * checked there without reading the row.
 */
function filterTerms(filter: DocumentFilter): { where: string; params: Record<string, string> } {
  const conditions: string[] = [];
  const params: Record<string, string> = {};
  for (const [key, term] of [
    ["data_type", "+data_type = $data_type"],
    ["user_id", "+user_id = $user_id"],
    ["start_day", "day >= $start_day"],
    ["end_day", "day <= $end_day"],
  ] as const) {
    const value = filter[key];
    if (value !== undefined) {
      conditions.push(term);
      params[key] = value;
    }
  }
  return { where: conditions.length ? conditions.join(" AND ") : "1", params };
}

const encodeKey = (key: DocumentKey) => Buffer.from(JSON.stringify([key.day, key.data_type, key.user_id, key.position])).toString("base64url");

function decodeKey(cursor: string): DocumentKey {
  const [day, data_type, user_id, position] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as [string | null, string, string, number];
  return { day, data_type, user_id, position };
}
