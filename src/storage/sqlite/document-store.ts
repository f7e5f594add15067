// Documents on SQLite: the latest version per user, data type and id, listed, paged for exports, and summed per day.
import type { DailyMetricValue, DocumentFields, DocumentFilter, DocumentPage, Documents, StoredDocument } from "../documents.ts";
import type { Statement } from "bun:sqlite";
import type { SqliteConnection } from "./connection.ts";
import { readDocumentPage } from "./document-pages.ts";
import { type DocumentRow, documentWhere, toDocument } from "./rows.ts";

export class SqliteDocuments implements Documents {
  constructor(private readonly connection: SqliteConnection) {}

  async listDocuments(filter: DocumentFilter, limit: number): Promise<StoredDocument[]> {
    const { where, params } = documentWhere(filter);
    return this.connection.database
      .query<DocumentRow, Record<string, string | number>>(`SELECT * FROM documents WHERE ${where} ORDER BY day DESC, fetched_at DESC LIMIT $limit`)
      .all({ ...params, limit })
      .map(toDocument);
  }

  async pageDocuments(filter: DocumentFilter, page: { limit: number; cursor?: string }): Promise<DocumentPage> {
    return readDocumentPage(this.connection.database, filter, page);
  }

  async listFields<K extends string>(filter: DocumentFilter, fields: Record<K, string>, limit: number): Promise<DocumentFields<K>[]> {
    const { where, params } = documentWhere(filter);
    const names = Object.keys(fields) as K[];
    // Paths are bound as parameters and names are checked: nothing from a caller is spliced into the SQL as text.
    for (const name of names) if (!/^[a-z_]+$/.test(name)) throw new Error(`not a field name: ${name}`);
    // One json_extract of every path: SQLite parses each payload once (a path per column parsed a night's 20 KiB once
    // per field) and answers a JSON array — two paths at least, so it is always an array.
    const bound = names.length === 1 ? [...names, "$none"] : names;
    const paths = names.length === 0 ? {} : Object.fromEntries(bound.map((name, i) => [`path${i}`, fields[name as K] ?? "$.__none"]));
    const extract = names.length === 0 ? "NULL" : `json_extract(payload, ${bound.map((_, i) => `$path${i}`).join(", ")})`;
    const read = (valid: string) =>
      this.#statement<{ user_id: string; document_id: string; day: string | null; fields: string | null }>(
        `SELECT user_id, document_id, day, ${extract} AS fields FROM documents WHERE ${where} AND deleted = 0 ${valid} ORDER BY day DESC, fetched_at DESC LIMIT $limit`,
      )
        .all({ ...params, ...paths, limit })
        .map(({ fields: extracted, ...row }) => {
          const values = extracted === null ? [] : (JSON.parse(extracted) as unknown[]);
          return Object.assign(row, Object.fromEntries(names.map((name, i) => [name, values[i] ?? null]))) as DocumentFields<K>;
        });
    try {
      return read("");
    } catch (error) {
      // Payloads are written as JSON by this server; one that is not (a damaged file) is skipped, not the read. Checking
      // every payload first would parse each twice, series and all.
      if (!(error instanceof Error && /malformed JSON/i.test(error.message))) throw error;
      return read("AND json_valid(payload)");
    }
  }

  async getDocument(dataType: string, documentId: string, userId?: string): Promise<StoredDocument | undefined> {
    const db = this.connection.database;
    const row = userId
      ? db.query<DocumentRow, [string, string, string]>("SELECT * FROM documents WHERE data_type = ? AND document_id = ? AND user_id = ?").get(dataType, documentId, userId)
      : db.query<DocumentRow, [string, string]>("SELECT * FROM documents WHERE data_type = ? AND document_id = ? ORDER BY fetched_at DESC").get(dataType, documentId);
    return row ? toDocument(row) : undefined;
  }

  changeCount(userId?: string): number {
    const db = this.connection.database;
    if (userId === undefined) return db.query<{ n: number }, []>("SELECT total(n) AS n FROM document_changes").get()?.n ?? 0;
    return db.query<{ n: number }, [string]>("SELECT n FROM document_changes WHERE user_id = ?").get(userId)?.n ?? 0;
  }

  // A page asks for a dozen shapes of field lists; each is prepared once per connection (bun:sqlite's own cache of
  // query() statements missed here under a page's mix: preparing was a tenth of a dashboard's render).
  #statements = new WeakMap<object, Map<string, Statement>>();
  #statement<T>(sql: string): Statement<T, [Record<string, string | number>]> {
    const db = this.connection.database;
    let prepared = this.#statements.get(db);
    if (!prepared) this.#statements.set(db, (prepared = new Map()));
    let statement = prepared.get(sql);
    if (!statement) prepared.set(sql, (statement = db.prepare(sql)));
    return statement as Statement<T, [Record<string, string | number>]>;
  }

  usualValue(userId: string, metric: string, startDay: string): number | undefined {
    const values = this.connection.database
      .query<{ value: number }, [string, string, string]>("SELECT value FROM document_values WHERE user_id = ? AND metric = ? AND day >= ? ORDER BY value")
      .all(userId, metric, startDay)
      .map((row) => row.value);
    if (values.length === 0) return undefined;
    const middle = Math.floor(values.length / 2);
    return values.length % 2 ? values[middle] : (values[middle - 1]! + values[middle]!) / 2;
  }

  async dailyMetricValues(query: { user_id?: string; start_day: string }): Promise<DailyMetricValue[]> {
    const db = this.connection.database;
    if (query.user_id === undefined) {
      return db
        .query<DailyMetricValue, { start_day: string }>(
          `SELECT metric, day, total / n AS value, n AS users FROM metric_days WHERE day >= $start_day AND n > 0 ORDER BY metric, day`,
        )
        .all({ start_day: query.start_day });
    }
    // A user has one document per day of each metric's type (two main sleeps in one day, rare, are averaged).
    return db
      .query<DailyMetricValue, { start_day: string; user_id: string }>(
        `SELECT metric, day, avg(value) AS value, 1 AS users FROM document_values
         WHERE user_id = $user_id AND metric IN (SELECT metric FROM metric_fields) AND day >= $start_day
         GROUP BY metric, day ORDER BY metric, day`,
      )
      .all({ start_day: query.start_day, user_id: query.user_id });
  }
}
