// The numbers a person reads on the dashboard, taken from stored documents: one value per day per metric.
import type { Documents, StoredDocument } from "../storage/store.ts";

export interface MetricDefinition {
  key: string;
  label: string;
  unit: string;
  dataType: string;
  read: (document: Record<string, unknown>) => number | undefined;
}

const num = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/** Main-sleep periods only: naps and rests would distort HRV and resting heart rate. */
const mainSleep = (document: Record<string, unknown>) => document.type === undefined || document.type === "long_sleep";

export const METRICS: MetricDefinition[] = [
  { key: "sleep", label: "Sleep score", unit: "", dataType: "daily_sleep", read: (d) => num(d.score) },
  { key: "readiness", label: "Readiness", unit: "", dataType: "daily_readiness", read: (d) => num(d.score) },
  { key: "activity", label: "Activity score", unit: "", dataType: "daily_activity", read: (d) => num(d.score) },
  { key: "hrv", label: "HRV", unit: "ms", dataType: "sleep", read: (d) => (mainSleep(d) ? num(d.average_hrv) : undefined) },
  { key: "resting_hr", label: "Resting heart rate", unit: "bpm", dataType: "sleep", read: (d) => (mainSleep(d) ? num(d.lowest_heart_rate) : undefined) },
  { key: "steps", label: "Steps", unit: "", dataType: "daily_activity", read: (d) => num(d.steps) },
];

/** The data types whose arrival changes a card or a chart. */
export const METRIC_DATA_TYPES = new Set(METRICS.map((m) => m.dataType));

export interface Point {
  day: string;
  value: number;
}

export interface MetricSeries {
  metric: MetricDefinition;
  points: Point[];
  latest: Point | undefined;
}

export function dayString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** One series per metric over the last `days` days (the last value of a day wins). */
export async function loadMetricSeries(store: Documents, userId: string | undefined, days: number, now = Date.now()): Promise<MetricSeries[]> {
  const startDay = dayString(now - (days - 1) * 86_400_000);
  const byType = new Map<string, StoredDocument[]>();
  for (const dataType of METRIC_DATA_TYPES) {
    byType.set(dataType, await store.listDocuments({ data_type: dataType, user_id: userId, start_day: startDay }, 1000));
  }
  return METRICS.map((metric) => {
    const perDay = new Map<string, number>();
    for (const stored of byType.get(metric.dataType) ?? []) {
      if (stored.deleted || !stored.document || !stored.day) continue;
      const value = metric.read(stored.document);
      if (value !== undefined && !perDay.has(stored.day)) perDay.set(stored.day, value);
    }
    const points = [...perDay].map(([day, value]) => ({ day, value })).sort((a, b) => a.day.localeCompare(b.day));
    return { metric, points, latest: points[points.length - 1] };
  });
}
