// One night, as the "Last night" view draws it: read from a `sleep` document (the main sleep of its day), with times
// kept in the ring's own offset that night — the wearer's clock, whichever time zone the viewer is in.
import type { Documents } from "../storage/store.ts";

export type Phase = "deep" | "light" | "rem" | "awake";

export interface Night {
  userId: string;
  /** Oura's day of the night (the morning's date), never shifted. */
  day: string;
  bedtimeStart: string;
  bedtimeEnd: string;
  /** The ring's UTC offset that night, e.g. "+01:00". */
  offset: string;
  /** One phase per 5 minutes from bedtimeStart. */
  phases: Phase[];
  /** Per 5 minutes from the series' own start; null where the ring had no reading. */
  heartRate: (number | null)[];
  hrv: (number | null)[];
  seriesStart: string;
  totalSleepSeconds: number | null;
  efficiency: number | null;
  lowestHeartRate: number | null;
  averageHrv: number | null;
  durations: Record<Phase, number | null>;
}

const PHASES: Record<string, Phase> = { "1": "deep", "2": "light", "3": "rem", "4": "awake" };

const numberOr = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : null);
const series = (value: unknown): (number | null)[] => {
  const items = (value as { items?: unknown })?.items;
  return Array.isArray(items) ? items.map(numberOr) : [];
};

export function shiftDay(day: string, by: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + by * 86_400_000).toISOString().slice(0, 10);
}

/** The night of `day` (or the latest one) of a user (or of whoever slept last, for a view of every user). */
export async function loadNight(store: Documents, userId: string | undefined, day?: string): Promise<Night | undefined> {
  const candidates = await store.listDocuments({ data_type: "sleep", user_id: userId, ...(day ? { start_day: day, end_day: day } : {}) }, day ? 20 : 10);
  const sleeps = candidates.filter((d) => d.document && !d.deleted);
  if (sleeps.length === 0) return undefined;
  // The main sleep of the newest day: Oura's long_sleep, else the longest period (naps are short).
  const newestDay = sleeps[0]!.day;
  const ofDay = sleeps.filter((d) => d.day === newestDay);
  const main = ofDay.find((d) => d.document!.type === "long_sleep") ?? ofDay.sort((a, b) => (numberOr(b.document!.total_sleep_duration) ?? 0) - (numberOr(a.document!.total_sleep_duration) ?? 0))[0]!;
  const doc = main.document!;
  const start = typeof doc.bedtime_start === "string" ? doc.bedtime_start : "";
  const end = typeof doc.bedtime_end === "string" ? doc.bedtime_end : "";
  if (Number.isNaN(Date.parse(start)) || Number.isNaN(Date.parse(end))) return undefined;
  const phases = [...String(doc.sleep_phase_5_min ?? "")].map((c) => PHASES[c]).filter((p): p is Phase => p !== undefined);
  const heartRateSeries = doc.heart_rate as { timestamp?: string } | undefined;
  return {
    userId: main.user_id,
    day: main.day ?? newestDay ?? "",
    bedtimeStart: start,
    bedtimeEnd: end,
    offset: /([+-]\d{2}:\d{2})$/.exec(start)?.[1] ?? "+00:00",
    phases,
    heartRate: series(doc.heart_rate),
    hrv: series(doc.hrv),
    seriesStart: typeof heartRateSeries?.timestamp === "string" ? heartRateSeries.timestamp : start,
    totalSleepSeconds: numberOr(doc.total_sleep_duration),
    efficiency: numberOr(doc.efficiency),
    lowestHeartRate: numberOr(doc.lowest_heart_rate),
    averageHrv: numberOr(doc.average_hrv),
    durations: { deep: numberOr(doc.deep_sleep_duration), light: numberOr(doc.light_sleep_duration), rem: numberOr(doc.rem_sleep_duration), awake: numberOr(doc.awake_time) },
  };
}
