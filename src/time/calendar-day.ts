// Oura's days ("2026-12-07": the wearer's own date, never shifted by a time zone). A document's `day` is input: a
// value that is not a real calendar day (a typo, 9999-99-99, markup) costs that value — it is stored and shown as
// missing — never a page, a chart, a fetch or a warehouse row.

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not one, though Date.parse rolls it over to March). */
export function isCalendarDay(value: unknown): value is string {
  if (typeof value !== "string" || !DAY.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

/** The value when it is a calendar day, else null. */
export const calendarDayOr = (value: unknown): string | null => (isCalendarDay(value) ? value : null);

/** A document's day: its `day`, or for an enhanced tag (which has none) the day it starts, `start_day`; else null. */
export const documentDayOr = (document: { day?: unknown; start_day?: unknown } | null | undefined): string | null =>
  calendarDayOr(document?.day) ?? calendarDayOr(document?.start_day);
