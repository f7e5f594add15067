// "Today" as a wearer reads it in the morning: the newest sleep, readiness and activity scores with each score's
// contributors, and the day's stress and resilience, read from the newest documents of each type (within a week).
import type { DocumentFields, Documents } from "../storage/documents.ts";
import { shiftDay } from "./night-data.ts";
import { numberIn, textOr } from "./values.ts";

export type ScoreKind = "sleep" | "readiness" | "activity";

export interface Contributor {
  key: string;
  label: string;
  /** 0–100, or null when Oura sent none that day. */
  value: number | null;
}

export interface ScoreOfDay {
  kind: ScoreKind;
  day: string;
  score: number | null;
  contributors: Contributor[];
}

export interface Today {
  scores: Partial<Record<ScoreKind, ScoreOfDay>>;
  stress?: { day: string; summary: string | null; stressHigh: number | null; recoveryHigh: number | null };
  resilience?: { day: string; level: string | null };
  /** daily_readiness's temperature_deviation (°C against the wearer's own baseline). */
  temperatureDeviation?: { day: string; value: number };
}

/** Each score's contributors as Oura names them (DailySleepModel, DailyReadinessModel, DailyActivityModel contributors). */
const CONTRIBUTORS: Record<ScoreKind, [string, string][]> = {
  readiness: [
    ["previous_night", "Previous night"],
    ["sleep_balance", "Sleep balance"],
    ["sleep_regularity", "Sleep regularity"],
    ["previous_day_activity", "Previous day activity"],
    ["activity_balance", "Activity balance"],
    ["resting_heart_rate", "Resting heart rate"],
    ["hrv_balance", "HRV balance"],
    ["recovery_index", "Recovery index"],
    ["body_temperature", "Body temperature"],
  ],
  sleep: [
    ["total_sleep", "Total sleep"],
    ["efficiency", "Efficiency"],
    ["restfulness", "Restfulness"],
    ["rem_sleep", "REM sleep"],
    ["deep_sleep", "Deep sleep"],
    ["latency", "Latency"],
    ["timing", "Timing"],
  ],
  activity: [
    ["stay_active", "Stay active"],
    ["move_every_hour", "Move every hour"],
    ["meet_daily_targets", "Meet daily targets"],
    ["training_frequency", "Training frequency"],
    ["training_volume", "Training volume"],
    ["recovery_time", "Recovery time"],
  ],
};

export const DATA_TYPE: Record<ScoreKind, string> = { sleep: "daily_sleep", readiness: "daily_readiness", activity: "daily_activity" };

export const SCORE_FIELDS = { score: "$.score", contributors: "$.contributors", temperature_deviation: "$.temperature_deviation" };
type ScoreRow = DocumentFields<keyof typeof SCORE_FIELDS>;

/** The newest document of a type since `since`, only the fields asked for (a day's activity has 1,440 MET values not read here). */
async function newest<K extends string>(store: Documents, dataType: string, userId: string, since: string, fields: Record<K, string>, look = 1) {
  const rows = (await store.listFields({ data_type: dataType, user_id: userId, start_day: since }, fields, look)).filter((d) => d.day !== null);
  // A day Oura wrote with no reading at all (every field null) is no news: the newest day that has one.
  const row = rows.find((d) => (Object.keys(fields) as K[]).some((key) => d[key] !== null)) ?? rows[0];
  return row as (DocumentFields<K> & { day: string }) | undefined;
}

const objectOr = (value: unknown): Record<string, unknown> => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

export function scoreOfDay(kind: ScoreKind, row: ScoreRow & { day: string }): ScoreOfDay {
  const contributors = objectOr(row.contributors);
  return {
    kind,
    day: row.day,
    score: numberIn(row.score, 0, 100),
    contributors: CONTRIBUTORS[kind].map(([key, label]) => ({ key, label, value: numberIn(contributors[key], 0, 100) })),
  };
}

/**
 * One wearer's today: the newest of each document type, no older than a week (an older score is not "today"), or
 * since `since` (Home Assistant keeps the newest value whatever its age, its day beside it).
 */
export async function loadToday(store: Documents, userId: string, today: string, since = shiftDay(today, -6)): Promise<Today> {
  const [sleep, readiness, activity, stress, resilience] = await Promise.all([
    newest(store, DATA_TYPE.sleep, userId, since, SCORE_FIELDS),
    newest(store, DATA_TYPE.readiness, userId, since, SCORE_FIELDS),
    newest(store, DATA_TYPE.activity, userId, since, SCORE_FIELDS),
    // Oura writes a stress day without readings now and then: the newest of a few that has one.
    newest(store, "daily_stress", userId, since, { summary: "$.day_summary", stress_high: "$.stress_high", recovery_high: "$.recovery_high" }, 4),
    newest(store, "daily_resilience", userId, since, { level: "$.level" }),
  ]);
  const result: Today = { scores: {} };
  if (sleep) result.scores.sleep = scoreOfDay("sleep", sleep);
  if (readiness) {
    result.scores.readiness = scoreOfDay("readiness", readiness);
    const deviation = numberIn(readiness.temperature_deviation, -10, 10);
    if (deviation !== null) result.temperatureDeviation = { day: readiness.day, value: deviation };
  }
  if (activity) result.scores.activity = scoreOfDay("activity", activity);
  if (stress) result.stress = { day: stress.day, summary: textOr(stress.summary), stressHigh: numberIn(stress.stress_high, 0, 86_400), recoveryHigh: numberIn(stress.recovery_high, 0, 86_400) };
  if (resilience) result.resilience = { day: resilience.day, level: textOr(resilience.level) };
  return result;
}
