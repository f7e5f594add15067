// Says once, when a document is stored, which of its values could not be read (the view shows them as missing):
// the data type, the document's id and the field — never the value itself (it is health data, or markup).
import type { Logger } from "../log.ts";
import { isCalendarDay } from "../time/calendar-day.ts";

export function reportUnreadableValues(logger: Logger | undefined, dataType: string, document: unknown): void {
  if (!logger || typeof document !== "object" || document === null) return;
  const { id, day } = document as { id?: unknown; day?: unknown };
  if (day !== undefined && day !== null && !isCalendarDay(day)) {
    logger.warn("document.value_unreadable", { data_type: dataType, document_id: typeof id === "string" ? id.slice(0, 128) : null, field: "day", effect: "stored without a day" });
  }
}
