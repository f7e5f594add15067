// The numbers a person reads on the dashboard: one value per day per metric, extracted when documents are stored.
import { DAILY_METRIC_FIELDS } from "../oura/daily-metrics.ts";
import type { Documents } from "../storage/store.ts";

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
}

export function dayString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** One series per metric over the last `days` days; without a user, each day's value is the mean over users. */
export async function loadMetricSeries(store: Documents, userId: string | undefined, days: number, now = Date.now()): Promise<MetricSeries[]> {
  const rows = await store.dailyMetricValues({ user_id: userId, start_day: dayString(now - (days - 1) * 86_400_000) });
  const byMetric = new Map<string, Point[]>();
  for (const { metric, day, value, users } of rows) {
    const points = byMetric.get(metric) ?? [];
    points.push({ day, value, users });
    byMetric.set(metric, points);
  }
  return METRICS.map((metric) => {
    const points = byMetric.get(metric.key) ?? [];
    return { metric, points, latest: points[points.length - 1] };
  });
}
