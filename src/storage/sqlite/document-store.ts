// Documents on SQLite: the latest version per user, data type and id, listed, paged for exports, and summed per day.
import type { DailyMetricValue, DocumentFilter, DocumentPage, Documents, StoredDocument } from "../documents.ts";
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

  async getDocument(dataType: string, documentId: string, userId?: string): Promise<StoredDocument | undefined> {
    const db = this.connection.database;
    const row = userId
      ? db.query<DocumentRow, [string, string, string]>("SELECT * FROM documents WHERE data_type = ? AND document_id = ? AND user_id = ?").get(dataType, documentId, userId)
      : db.query<DocumentRow, [string, string]>("SELECT * FROM documents WHERE data_type = ? AND document_id = ? ORDER BY fetched_at DESC").get(dataType, documentId);
    return row ? toDocument(row) : undefined;
  }

  usualValues(userId: string, startDay: string): ReadonlyMap<string, number> {
    const rows = this.connection.database
      .query<{ metric: string; value: number }, [string, string]>(
        `SELECT metric, value FROM document_values WHERE user_id = ? AND metric IN (SELECT metric FROM metric_fields) AND day >= ? ORDER BY metric, value`,
      )
      .all(userId, startDay);
    const usual = new Map<string, number>();
    for (let from = 0; from < rows.length; ) {
      let to = from;
      while (to < rows.length && rows[to]!.metric === rows[from]!.metric) to++;
      const middle = from + Math.floor((to - from) / 2);
      usual.set(rows[from]!.metric, (to - from) % 2 ? rows[middle]!.value : (rows[middle - 1]!.value + rows[middle]!.value) / 2);
      from = to;
    }
    return usual;
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
