// Events or documents as NDJSON or CSV, produced page by page so an export of any size streams in constant memory and
// holds no read open in the database while a slow client takes its time.
import type { Event } from "../storage/events.ts";
import type { Documents, StoredDocument } from "../storage/documents.ts";
import type { EventLog } from "../storage/event-log.ts";

export type ExportFormat = "ndjson" | "csv";
export type ExportKind = "events" | "documents";

export interface ExportOptions {
  kind: ExportKind;
  format: ExportFormat;
  /** Events: event_time at or after; documents: day at or after. ISO date or date-time. */
  since?: string;
  dataType?: string;
  userId?: string;
}

const EVENT_COLUMNS = ["id", "received_at", "source", "event_type", "data_type", "object_id", "event_time", "user_id", "fetch_status", "fetch_error", "fetched_at", "notification", "document"] as const;
const DOCUMENT_COLUMNS = ["user_id", "data_type", "document_id", "day", "deleted", "event_id", "fetched_at", "document"] as const;
const PAGE = 500;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  // Text is untrusted: one a spreadsheet would run as a formula gets a leading ' inside quotes (OWASP, CSV injection).
  if (/^[=+\-@\t\r]/.test(text)) return `"'${text.replaceAll('"', '""')}"`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvRow = (record: Record<string, unknown>, columns: readonly string[]) => columns.map((c) => csvCell(record[c])).join(",") + "\r\n";

async function* eventRecords(log: EventLog, options: ExportOptions): AsyncGenerator<Event> {
  let cursor: string | undefined;
  do {
    const page = await log.listEvents({ data_type: options.dataType, user_id: options.userId, since: options.since }, { limit: PAGE, cursor });
    yield* page.events;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

async function* documentRecords(documents: Documents, options: ExportOptions): AsyncGenerator<StoredDocument> {
  let cursor: string | undefined;
  do {
    const page = await documents.pageDocuments({ data_type: options.dataType, user_id: options.userId, start_day: options.since?.slice(0, 10) }, { limit: PAGE, cursor });
    yield* page.documents;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** The export as text chunks (one record per chunk; CSV starts with its header). */
export async function* exportLines(from: { events: EventLog; documents: Documents }, options: ExportOptions): AsyncGenerator<string> {
  const columns = options.kind === "events" ? EVENT_COLUMNS : DOCUMENT_COLUMNS;
  if (options.format === "csv") yield columns.join(",") + "\r\n";
  const records = options.kind === "events" ? eventRecords(from.events, options) : documentRecords(from.documents, options);
  for await (const record of records) {
    yield options.format === "csv" ? csvRow(record as unknown as Record<string, unknown>, columns) : JSON.stringify(record) + "\n";
  }
}

export const exportContentType = (format: ExportFormat) => (format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson");
