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
   * The daily metrics (oura/daily-metrics.ts) from `start_day` on, one row per metric and day: the mean of that day's
   * values (of one user, or over every user when none is given) and how many values that is (one per user and day,
   * but for a second main sleep in one day).
   */
  dailyMetricValues(query: { user_id?: string; start_day: string }): Promise<DailyMetricValue[]>;
  /**
   * A user's usual value of each daily metric: the median of their values from `start_day` on. Synchronous (one
   * indexed read): the live feed calls it while publishing a committed event.
   */
  usualValues(userId: string, startDay: string): ReadonlyMap<string, number>;
}

export interface DailyMetricValue {
  metric: string;
  day: string;
  value: number;
  users: number;
}
