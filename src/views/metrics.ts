// The numbers a person reads on the dashboard: one value per day per metric, extracted when documents are stored.
import { DAILY_METRIC_FIELDS } from "../oura/daily-metrics.ts";
import type { Documents } from "../storage/documents.ts";
import { isCalendarDay } from "../time/calendar-day.ts";
import { PLAUSIBLE_LIMIT } from "./night-data.ts";

export interface MetricDefinition {
  key: string;
  label: string;
  unit: string;
}

const LABELS: Record<string, { label: string; unit: string }> = {
  sleep: { label: "Sleep score", unit: "" },
  readiness: { label: "Readiness", unit: "" },
  activity: { label: "Activity score", unit: "" },
  hrv: { label: "HRV", unit: "ms" },
  resting_hr: { label: "Resting heart rate", unit: "bpm" },
  steps: { label: "Steps", unit: "" },
};

export const METRICS: MetricDefinition[] = DAILY_METRIC_FIELDS.map((f) => ({ key: f.metric, ...(LABELS[f.metric] ?? { label: f.metric, unit: "" }) }));

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

/** One series per metric over the last `days` days; without a user, each day's value is the mean over users. */
export async function loadMetricSeries(store: Documents, userId: string | undefined, days: number, now = Date.now()): Promise<MetricSeries[]> {
  // At least 30 days are read, for the baseline; the series shows `days` of them.
  const rows = await store.dailyMetricValues({ user_id: userId, start_day: dayString(now - (Math.max(days, BASELINE_DAYS) - 1) * 86_400_000) });
  const firstShown = dayString(now - (days - 1) * 86_400_000);
  const firstOfBaseline = dayString(now - (BASELINE_DAYS - 1) * 86_400_000);
  // The wearer's today may be a day ahead of UTC; a later day, or one that is no calendar day, is a wrong value.
  const lastDay = dayString(now + 86_400_000);
  const byMetric = new Map<string, Point[]>();
  for (const { metric, day, value, users } of rows) {
    if (!isCalendarDay(day) || day > lastDay || !Number.isFinite(value) || Math.abs(value) > PLAUSIBLE_LIMIT) continue;
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
