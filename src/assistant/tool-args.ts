// What an assistant's arguments mean, checked once: days, ranges with their longest span, instants, metrics. Each
// refusal is a ToolError whose message says what to send instead (the assistant reads it and asks again).
import { isCalendarDay } from "../time/calendar-day.ts";
import { METRICS, type MetricDefinition } from "../views/metrics.ts";
import { shiftDay } from "../views/night-data.ts";

/** A refusal an assistant can act on: answered as a tool result with isError, never a transport failure. */
export class ToolError extends Error {}

export const DAY_MS = 86_400_000;

export function day(value: string, name: string): string {
  if (!isCalendarDay(value)) throw new ToolError(`${name} must be a calendar day as YYYY-MM-DD, not "${value}"`);
  return value;
}

/** Days from `start` to `end`, both included; refused when reversed or longer than `most` days. */
export function dayRange(start: string, end: string, most: number): { start: string; end: string; days: number } {
  day(start, "start_date");
  day(end, "end_date");
  const days = (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS + 1;
  if (days < 1) throw new ToolError(`end_date ${end} is before start_date ${start}`);
  if (days > most) throw new ToolError(`the range is ${days} days long: at most ${most} days (e.g. start_date ${shiftDay(end, -(most - 1))} to end_date ${end})`);
  return { start, end, days };
}

/** A count of days ending today, 1 to `most`. */
export function dayCount(value: number | undefined, fallback: number, most: number): number {
  const days = value ?? fallback;
  if (!Number.isInteger(days) || days < 1) throw new ToolError(`days must be a whole number from 1 to ${most}`);
  if (days > most) throw new ToolError(`days is ${days}: at most ${most}`);
  return days;
}

/**
 * An instant with its offset (2026-01-18T06:00:00-05:00), or a day in the wearer's offset — its start, or its end
 * (the next midnight) when `endOfDay`, so a day given as both start and end is that whole day; the offset in minutes beside it.
 */
export function instant(value: string, name: string, wearerOffsetMinutes = 0, endOfDay = false): { ms: number; offsetMinutes: number } {
  if (isCalendarDay(value)) return { ms: Date.parse(`${value}T00:00:00Z`) - wearerOffsetMinutes * 60_000 + (endOfDay ? DAY_MS : 0), offsetMinutes: wearerOffsetMinutes };
  const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-](\d{2}):(\d{2}))$/.exec(value);
  const ms = match ? Date.parse(value) : NaN;
  if (!match || !Number.isFinite(ms)) throw new ToolError(`${name} must be an ISO 8601 date-time with its offset (2026-01-18T06:00:00-05:00) or a day (YYYY-MM-DD), not "${value}"`);
  const offsetMinutes = match[1] === "Z" ? 0 : (match[1]!.startsWith("-") ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
  return { ms, offsetMinutes };
}

/** "+05:30" as minutes (330); anything else 0. */
export function offsetMinutesOf(offset: string | undefined): number {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset ?? "");
  return match ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

/** `ms` written in the wearer's offset: "2026-01-18T06:05:00-05:00". */
export function isoWithOffset(ms: number, offsetMinutes: number): string {
  // "+00:00", not "Z", as Oura writes a time at UTC.
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const size = Math.abs(offsetMinutes);
  return `${local}${offsetMinutes < 0 ? "-" : "+"}${String(Math.floor(size / 60)).padStart(2, "0")}:${String(size % 60).padStart(2, "0")}`;
}

/** Names assistants reach for, as Oura's documents call them, for the catalogue's keys. */
const METRIC_ALIASES: Record<string, string> = {
  average_hrv: "hrv",
  lowest_heart_rate: "resting_hr",
  sleep_score: "sleep",
  readiness_score: "readiness",
  activity_score: "activity",
  temperature_deviation: "temperature",
};

export function metric(value: string): MetricDefinition {
  const key = value.trim().toLowerCase();
  const found = METRICS.find((m) => m.key === (METRIC_ALIASES[key] ?? key));
  if (!found) throw new ToolError(`unknown metric "${value}": one of ${METRICS.map((m) => m.key).join(", ")}`);
  return found;
}

/** The unit an answer states for a metric's values. */
export function unitOf(metric: MetricDefinition): string {
  if (metric.kind === "duration") return "seconds";
  if (metric.kind === "level") return `level 1–${metric.levels?.length ?? 5} (${metric.levels?.join(", ")})`;
  if (metric.group === "scores") return "score 0–100";
  if (metric.key === "steps") return "steps";
  if (metric.key === "breathing_disturbance") return "events per hour";
  return metric.unit;
}

/** Seconds as minutes with one decimal, or null. */
export const minutes = (seconds: number | null | undefined) => (seconds === null || seconds === undefined ? null : Math.round(seconds / 6) / 10);

export const mean = (values: number[]) => (values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100);
