// The numbers a person reads on the dashboard: one value per day per metric, extracted when documents are stored.
import { DAILY_METRIC_FIELDS } from "../oura/daily-metrics.ts";
import type { Documents } from "../storage/documents.ts";
import { isCalendarDay } from "../time/calendar-day.ts";
import { PLAUSIBLE_LIMIT } from "./values.ts";

/** How a metric's value reads: a number with its unit, a duration (seconds), a signed deviation, or a level by name. */
export type MetricKind = "number" | "duration" | "deviation" | "level";

export interface MetricDefinition {
  key: string;
  label: string;
  unit: string;
  kind: MetricKind;
  /** Level metrics: the names of the values 1, 2, … (lowest first). */
  levels?: readonly string[];
  /** Where the chart sits: the three scores, the body's signals, or the day's load and recovery. */
  group: "scores" | "body" | "day";
}

const DEFINITIONS: Record<string, Omit<MetricDefinition, "key" | "levels">> = {
  sleep: { label: "Sleep score", unit: "", kind: "number", group: "scores" },
  readiness: { label: "Readiness", unit: "", kind: "number", group: "scores" },
  activity: { label: "Activity score", unit: "", kind: "number", group: "scores" },
  hrv: { label: "HRV", unit: "ms", kind: "number", group: "body" },
  resting_hr: { label: "Resting heart rate", unit: "bpm", kind: "number", group: "body" },
  temperature: { label: "Temperature deviation", unit: "°C", kind: "deviation", group: "body" },
  spo2: { label: "SpO2", unit: "%", kind: "number", group: "body" },
  breathing_disturbance: { label: "Breathing disturbance index", unit: "", kind: "number", group: "body" },
  vo2_max: { label: "VO2 max", unit: "ml/kg/min", kind: "number", group: "body" },
  cardiovascular_age: { label: "Cardiovascular age", unit: "years", kind: "number", group: "body" },
  steps: { label: "Steps", unit: "", kind: "number", group: "day" },
  stress_high: { label: "High stress", unit: "", kind: "duration", group: "day" },
  recovery_high: { label: "High recovery", unit: "", kind: "duration", group: "day" },
  resilience: { label: "Resilience", unit: "", kind: "level", group: "day" },
};

export const METRICS: MetricDefinition[] = DAILY_METRIC_FIELDS.map((f) => ({
  key: f.metric,
  ...(DEFINITIONS[f.metric] ?? { label: f.metric, unit: "", kind: "number" as const, group: "day" as const }),
  ...(f.levels ? { levels: f.levels } : {}),
}));

// One formatter, made once: toLocaleString builds a new one per call, which cost milliseconds on a 90-day page.
const ONE_DECIMAL = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
/** "7,412", "36.5": thousands grouped, at most one decimal. */
export const grouped = (value: number) => (Number.isInteger(value) && value > -1000 && value < 1000 ? String(value) : ONE_DECIMAL.format(value));

/** "1 h 05 min", "40 min". */
export function durationText(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** "+0.12 °C", "−0.30 °C": a temperature deviation, signed. */
export const signedDegrees = (value: number) => `${value > 0 ? "+" : value < 0 ? "−" : "±"}${Math.abs(value).toFixed(2)} °C`;

/** A value as a wearer reads it, with its unit: "7,412", "52 bpm", "+0.3 °C", "1 h 20 min", "solid". */
export function formatMetric(metric: MetricDefinition, value: number): string {
  switch (metric.kind) {
    case "duration":
      return durationText(value);
    case "deviation":
      return metric.unit === "°C" ? signedDegrees(value) : `${value > 0 ? "+" : value < 0 ? "−" : "±"}${Math.abs(value).toFixed(2)}`;
    case "level":
      return metric.levels?.[Math.round(value) - 1] ?? grouped(value);
    default:
      return `${grouped(value)}${metric.unit ? ` ${metric.unit}` : ""}`;
  }
}

/** A chart axis's short label: durations in hours ("2.5 h"), levels by name, numbers without their unit. */
export function axisLabel(metric: MetricDefinition, value: number): string {
  if (metric.kind === "duration") return `${(value / 3600).toFixed(1)} h`;
  if (metric.kind === "level") return formatMetric(metric, value);
  if (metric.kind === "deviation") return formatMetric({ ...metric, unit: "" }, value);
  return grouped(value);
}

/**
 * A change as precisely as it is said: scores whole (a change against a median of an even count, +12.5, is said as
 * Oura says scores, +13), durations to the minute, deviations to 0.01, everything else to 0.1.
 */
export function saidChange(metric: MetricDefinition, change: number): number {
  if (metric.group === "scores") return Math.round(change);
  // The size is rounded, then signed: −3.25 ms is −3.3 ms, as +3.25 is +3.3.
  const to = (step: number) => Math.sign(change) * (Math.round(Math.abs(change) / step) * step) || 0;
  if (metric.kind === "duration") return to(60);
  if (metric.kind === "deviation") return Math.round(to(0.01) * 100) / 100;
  return Math.round(to(0.1) * 10) / 10;
}

/** A change against the wearer's usual, signed and in the metric's terms: "+2", "−0.15 °C", "+25 min". */
export function changeText(metric: MetricDefinition, change: number): string {
  const said = saidChange(metric, change);
  const sign = said > 0 ? "+" : said < 0 ? "−" : "±";
  const size = Math.abs(said);
  if (metric.kind === "duration") return `${sign}${durationText(size)}`;
  if (metric.kind === "deviation") return `${sign}${size.toFixed(2)} ${metric.unit}`;
  if (metric.kind === "level") return `${sign}${grouped(Math.round(size * 10) / 10)} level${size === 1 ? "" : "s"}`;
  const unit = metric.unit === "years" && size === 1 ? "year" : metric.unit;
  return `${sign}${grouped(Math.round(size * 10) / 10)}${unit ? ` ${unit}` : ""}`;
}

export interface Point {
  day: string;
  value: number;
  /** How many users the value is the mean of (1 for one user's dashboard). */
  users: number;
}

export interface MetricSeries {
  metric: MetricDefinition;
  points: Point[];
  latest: Point | undefined;
  /** The median of the last 30 days' values: the person's usual, drawn faintly behind the line. */
  baseline: number | undefined;
}

const BASELINE_DAYS = 30;

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function dayString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The first day of the wearer's usual: the 30 days ending today. */
export const usualStartDay = (now: number) => dayString(now - (BASELINE_DAYS - 1) * 86_400_000);

/** One series per metric over the last `days` days; without a user, each day's value is the mean over users. */
export async function loadMetricSeries(store: Documents, userId: string | undefined, days: number, now = Date.now()): Promise<MetricSeries[]> {
  // At least 30 days are read, for the baseline; the series shows `days` of them.
  const rows = await store.dailyMetricValues({ user_id: userId, start_day: dayString(now - (Math.max(days, BASELINE_DAYS) - 1) * 86_400_000) });
  const firstShown = dayString(now - (days - 1) * 86_400_000);
  const firstOfBaseline = dayString(now - (BASELINE_DAYS - 1) * 86_400_000);
  // The wearer's today may be a day ahead of UTC; a later day, or one that is no calendar day, is a wrong value.
  const lastDay = dayString(now + 86_400_000);
  const byMetric = new Map<string, Point[]>();
  // A handful of days repeat over every metric: each is checked once.
  const checked = new Map<string, boolean>();
  const calendarDay = (day: string) => checked.get(day) ?? (checked.set(day, isCalendarDay(day)), checked.get(day)!);
  for (const { metric, day, value, users } of rows) {
    if (!calendarDay(day) || day > lastDay || !Number.isFinite(value) || Math.abs(value) > PLAUSIBLE_LIMIT) continue;
    const points = byMetric.get(metric) ?? [];
    points.push({ day, value, users });
    byMetric.set(metric, points);
  }
  return METRICS.map((metric) => {
    const all = byMetric.get(metric.key) ?? [];
    const points = all.filter((p) => p.day >= firstShown);
    return { metric, points, latest: points[points.length - 1], baseline: median(all.filter((p) => p.day >= firstOfBaseline).map((p) => p.value)) };
  });
}
