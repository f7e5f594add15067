// One night, as the "Last night" view draws it: read from a `sleep` document (the main sleep of its day), with times
// kept in the ring's own offset that night — the wearer's clock, whichever time zone the viewer is in.
import type { Documents } from "../storage/documents.ts";
import { calendarDayOr, isCalendarDay } from "../time/calendar-day.ts";
import { heartRateOr, instantOr, numberIn } from "./values.ts";

export type Phase = "deep" | "light" | "rem" | "awake";

export interface Night {
  userId: string;
  /** Oura's day of the night (the morning's date), never shifted; null when the document's day is not a calendar day. */
  day: string | null;
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
  /** The day's sleep score (daily_sleep), when stored. */
  score: number | null;
  timeInBedSeconds: number | null;
  latencySeconds: number | null;
  restlessPeriods: number | null;
  /** Breaths per minute (average_breath). */
  averageBreath: number | null;
  averageHeartRate: number | null;
  /** °C from the wearer's usual (the night's readiness, else the day's daily_readiness). */
  temperatureDeviation: number | null;
  /** The day's daily_spo2: average SpO2 (%) and breathing disturbance index. */
  spo2: number | null;
  breathingDisturbanceIndex: number | null;
  /** The day's other sleep periods (naps, rests) beside the main one. */
  otherPeriods: { type: string; start: string; end: string; seconds: number | null }[];
}

const PHASES: Record<string, Phase> = { "1": "deep", "2": "light", "3": "rem", "4": "awake" };
/** A night is drawn over at most this long (a sleep period is under a day): a longer span is a wrong value. */
const LONGEST_NIGHT_MS = 36 * 3_600_000;
/** 5-minute slots in LONGEST_NIGHT_MS: longer phase strings or series are cut there, not drawn by the million. */
const MOST_SLOTS = LONGEST_NIGHT_MS / 300_000;

const numberOr = (value: unknown) => numberIn(value);
const within = (value: unknown, low: number, high: number) => numberIn(value, low, high);
const series = (value: unknown, reading: (v: unknown) => number | null = numberOr): (number | null)[] => {
  const items = (value as { items?: unknown })?.items;
  return Array.isArray(items) ? items.slice(0, MOST_SLOTS).map(reading) : [];
};
/** The UTC offset an instant was written in ("2026-01-17T23:48:31-05:00" → "-05:00"); "+00:00" for "Z" or none. */
export const offsetOfInstant = (instant: string): string => /([+-](?:0\d|1[0-4]):[0-5]\d)$/.exec(instant)?.[1] ?? "+00:00";

/** An instant with its offset, as Oura writes bedtimes; anything else is missing. */
/** `day` (a calendar day) moved by `by` days. */
export function shiftDay(day: string, by: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + by * 86_400_000).toISOString().slice(0, 10);
}

/** The night of `day` (or the latest one) of a user (or of whoever slept last, for a view of every user). */
export async function loadNight(store: Documents, userId: string | undefined, day?: string): Promise<Night | undefined> {
  const filter = { data_type: "sleep", user_id: userId, ...(day ? { start_day: day, end_day: day } : {}) };
  // Which periods first, by their rows alone (no JSON read); a day that is no calendar day (stored before days were
  // checked) would sort first and hide the real last night.
  const [newest] = (await store.listFields(filter, {}, day ? 20 : 10)).filter((d) => d.day === null || isCalendarDay(d.day));
  if (!newest) return undefined;
  // Then that day's periods of that user, a few fields each (read by SQLite); only the night drawn is parsed whole.
  const ofDay = await store.listFields(
    { data_type: "sleep", user_id: newest.user_id, ...(newest.day === null ? {} : { start_day: newest.day, end_day: newest.day }) },
    { type: "$.type", total: "$.total_sleep_duration", start: "$.bedtime_start", end: "$.bedtime_end" },
    newest.day === null ? 1 : 20,
  );
  if (ofDay.length === 0) return undefined;
  // The main sleep of the newest day: Oura's long_sleep, else the longest period (naps are short).
  const main = ofDay.find((d) => d.type === "long_sleep") ?? ofDay.sort((a, b) => (numberOr(b.total) ?? 0) - (numberOr(a.total) ?? 0))[0]!;
  const doc = (await store.getDocument("sleep", main.document_id, main.user_id))?.document;
  if (!doc) return undefined;
  const start = instantOr(doc.bedtime_start);
  if (start === null) return undefined;
  const phases = [...String(doc.sleep_phase_5_min ?? "").slice(0, MOST_SLOTS)].map((c) => PHASES[c]).filter((p): p is Phase => p !== undefined);
  // An end before the start, or days after it, is a wrong value: the night then ends where its phases do.
  const givenEnd = instantOr(doc.bedtime_end);
  const span = givenEnd === null ? NaN : Date.parse(givenEnd) - Date.parse(start);
  const end = span > 0 && span <= LONGEST_NIGHT_MS ? givenEnd! : new Date(Date.parse(start) + Math.max(1, phases.length) * 300_000).toISOString();
  const seriesStart = instantOr((doc.heart_rate as { timestamp?: unknown } | undefined)?.timestamp);
  const dayOf = async <K extends string>(dataType: string, fields: Record<K, string>) =>
    main.day === null ? undefined : (await store.listFields({ data_type: dataType, user_id: main.user_id, start_day: main.day, end_day: main.day }, fields, 1))[0];
  const [dailySleep, dailySpo2, dailyReadiness] = await Promise.all([
    dayOf("daily_sleep", { score: "$.score" }),
    dayOf("daily_spo2", { average: "$.spo2_percentage.average", bdi: "$.breathing_disturbance_index" }),
    dayOf("daily_readiness", { temperature_deviation: "$.temperature_deviation" }),
  ]);
  const readiness = (doc.readiness ?? null) as Record<string, unknown> | null;
  return {
    userId: main.user_id,
    day: calendarDayOr(main.day),
    bedtimeStart: start,
    bedtimeEnd: end,
    offset: offsetOfInstant(start),
    phases,
    heartRate: series(doc.heart_rate, heartRateOr),
    hrv: series(doc.hrv),
    // A series that starts far from the night is drawn from the night's start (its values stay).
    seriesStart: seriesStart !== null && Math.abs(Date.parse(seriesStart) - Date.parse(start)) <= LONGEST_NIGHT_MS ? seriesStart : start,
    totalSleepSeconds: numberOr(doc.total_sleep_duration),
    efficiency: numberOr(doc.efficiency),
    lowestHeartRate: heartRateOr(doc.lowest_heart_rate),
    averageHrv: numberOr(doc.average_hrv),
    durations: { deep: numberOr(doc.deep_sleep_duration), light: numberOr(doc.light_sleep_duration), rem: numberOr(doc.rem_sleep_duration), awake: numberOr(doc.awake_time) },
    score: within(dailySleep?.score, 0, 100),
    timeInBedSeconds: within(doc.time_in_bed, 0, 86_400),
    latencySeconds: within(doc.latency, 0, 86_400),
    restlessPeriods: within(doc.restless_periods, 0, 10_000),
    averageBreath: within(doc.average_breath, 1, 80),
    averageHeartRate: heartRateOr(doc.average_heart_rate),
    temperatureDeviation: within(readiness?.temperature_deviation, -10, 10) ?? within(dailyReadiness?.temperature_deviation, -10, 10),
    spo2: within(dailySpo2?.average, 50, 100),
    breathingDisturbanceIndex: within(dailySpo2?.bdi, 0, 1000),
    otherPeriods: ofDay
      .filter((d) => d !== main)
      .flatMap((d) => {
        const start = instantOr(d.start);
        const end = instantOr(d.end);
        if (start === null || end === null) return [];
        return [{ type: typeof d.type === "string" && d.type.length <= 40 ? d.type.replaceAll("_", " ") : "sleep", start, end, seconds: within(d.total, 0, 86_400) }];
      }),
  };
}
