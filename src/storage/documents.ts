// The latest version of each document, per user, data type and id, and the reads over them.

export interface StoredDocument {
  user_id: string;
  data_type: string;
  document_id: string;
  day: string | null;
  deleted: boolean;
  event_id: number | null;
  fetched_at: string;
  document: Record<string, unknown> | null;
}

export type DocumentFields<K extends string> = { user_id: string; document_id: string; day: string | null } & Record<K, unknown>;

export interface DocumentPage {
  documents: StoredDocument[];
  nextCursor: string | null;
}

export interface DocumentFilter {
  data_type?: string;
  user_id?: string;
  start_day?: string;
  end_day?: string;
}

/** The latest version of each document, per user, data type and id. */
export interface Documents {
  listDocuments(filter: DocumentFilter, limit: number): Promise<StoredDocument[]>;
  /**
   * A page of matching documents for an export, newest day first, after `cursor` (the previous page's `nextCursor`).
   * Each page is its own short read: nothing stays open between pages, however slowly the export is consumed.
   */
  pageDocuments(filter: DocumentFilter, page: { limit: number; cursor?: string }): Promise<DocumentPage>;
  getDocument(dataType: string, documentId: string, userId?: string): Promise<StoredDocument | undefined>;
  /**
   * Only some fields of the matching documents (newest day first, deleted ones left out): `fields` maps a name to a
   * JSON path, read by SQLite, so a view that needs a workout's activity does not parse its heart-rate series. A
   * missing field is null; an object or a list comes parsed.
   */
  listFields<K extends string>(filter: DocumentFilter, fields: Record<K, string>, limit: number): Promise<DocumentFields<K>[]>;
  /**
   * The daily metrics (oura/daily-metrics.ts) from `start_day` on, one row per metric and day: the mean of that day's
   * values (of one user, or over every user when none is given) and how many values that is (one per user and day,
   * but for a second main sleep in one day).
   */
  dailyMetricValues(query: { user_id?: string; start_day: string }): Promise<DailyMetricValue[]>;
  /**
   * A user's usual value of a daily metric: the median of their values from `startDay` on. Synchronous (one indexed
   * read of about 30 rows): the live feed calls it while publishing a committed event.
   */
  usualValue(userId: string, metric: string, startDay: string): number | undefined;
  /**
   * A number that moves whenever one of the user's documents changes — or, without a user, any document, linked user
   * or shown name — by whichever process: what a drawing of that view depends on.
   */
  changeCount(userId?: string): number;
}

export interface DailyMetricValue {
  metric: string;
  day: string;
  value: number;
  users: number;
}
