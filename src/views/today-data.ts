// "Today" as a wearer reads it in the morning: the newest sleep, readiness and activity scores with each score's
// contributors, and the day's stress and resilience, read from the newest documents of each type (within a week).
import type { Documents, StoredDocument } from "../storage/documents.ts";
import { shiftDay } from "./night-data.ts";

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

const DATA_TYPE: Record<ScoreKind, string> = { sleep: "daily_sleep", readiness: "daily_readiness", activity: "daily_activity" };

/** A value a view may show: a finite number in range, else missing (a malformed value costs that value only). */
const numberIn = (value: unknown, low: number, high: number) => (typeof value === "number" && Number.isFinite(value) && value >= low && value <= high ? value : null);
const textOr = (value: unknown) => (typeof value === "string" && value.length > 0 && value.length <= 40 ? value : null);

async function newest(store: Documents, dataType: string, userId: string, since: string): Promise<StoredDocument | undefined> {
  const [document] = (await store.listDocuments({ data_type: dataType, user_id: userId, start_day: since }, 3)).filter((d) => d.document && !d.deleted && d.day);
  return document;
}

export function scoreOfDay(kind: ScoreKind, stored: StoredDocument): ScoreOfDay {
  const document = stored.document!;
  const contributors = (document.contributors ?? {}) as Record<string, unknown>;
  return {
    kind,
    day: stored.day!,
    score: numberIn(document.score, 0, 100),
    contributors: CONTRIBUTORS[kind].map(([key, label]) => ({ key, label, value: numberIn(contributors[key], 0, 100) })),
  };
}

/** One wearer's today: the newest of each document type, no older than a week (an older score is not "today"). */
export async function loadToday(store: Documents, userId: string, today: string): Promise<Today> {
  const since = shiftDay(today, -6);
  const [sleep, readiness, activity, stress, resilience] = await Promise.all([
    newest(store, DATA_TYPE.sleep, userId, since),
    newest(store, DATA_TYPE.readiness, userId, since),
    newest(store, DATA_TYPE.activity, userId, since),
    newest(store, "daily_stress", userId, since),
    newest(store, "daily_resilience", userId, since),
  ]);
  const result: Today = { scores: {} };
  if (sleep) result.scores.sleep = scoreOfDay("sleep", sleep);
  if (readiness) {
    result.scores.readiness = scoreOfDay("readiness", readiness);
    const deviation = numberIn(readiness.document!.temperature_deviation, -10, 10);
    if (deviation !== null) result.temperatureDeviation = { day: readiness.day!, value: deviation };
  }
  if (activity) result.scores.activity = scoreOfDay("activity", activity);
  if (stress) {
    const d = stress.document!;
    result.stress = { day: stress.day!, summary: textOr(d.day_summary), stressHigh: numberIn(d.stress_high, 0, 86_400), recoveryHigh: numberIn(d.recovery_high, 0, 86_400) };
  }
  if (resilience) result.resilience = { day: resilience.day!, level: textOr(resilience.document!.level) };
  return result;
}
