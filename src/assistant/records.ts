// What an assistant reads of one wearer's records: a night, the daily scores, workouts, sessions and tags. Read
// through the dashboard's own readers (views/*-data.ts), with the unit in every field's name and the day in every row.
import type { Documents } from "../storage/documents.ts";
import { type Activities, loadActivities, MOST_LISTED } from "../views/activities-data.ts";
import { loadNight, shiftDay } from "../views/night-data.ts";
import { DATA_TYPE, loadToday, SCORE_FIELDS, type ScoreKind, scoreOfDay } from "../views/today-data.ts";
import { day, dayRange, minutes, ToolError } from "./tool-args.ts";

export const MOST_SCORE_DAYS = 90;
export const MOST_ACTIVITY_DAYS = 90;

const contributorsOf = (kind: ScoreKind, row: Parameters<typeof scoreOfDay>[1]) => Object.fromEntries(scoreOfDay(kind, row).contributors.map((c) => [c.key, c.value]));

/** The night of `night_of` (Oura's day of a night: the morning's date), or the newest one. */
export async function nightOf(store: Documents, userId: string, nightOfDay: string | undefined) {
  if (nightOfDay !== undefined) day(nightOfDay, "day");
  const night = await loadNight(store, userId, nightOfDay);
  if (!night) throw new ToolError(nightOfDay ? `no night recorded for ${nightOfDay} (a night's day is the morning's date)` : "no night recorded yet");
  const daily = night.day === null ? undefined : (await store.listFields({ data_type: "daily_sleep", user_id: userId, start_day: night.day, end_day: night.day }, SCORE_FIELDS, 1))[0];
  return {
    user: userId,
    day: night.day,
    bedtime_start: night.bedtimeStart,
    bedtime_end: night.bedtimeEnd,
    utc_offset: night.offset,
    sleep_score: night.score,
    sleep_score_contributors: daily?.day ? contributorsOf("sleep", { ...daily, day: daily.day }) : null,
    durations_minutes: {
      total_sleep: minutes(night.totalSleepSeconds),
      rem: minutes(night.durations.rem),
      deep: minutes(night.durations.deep),
      light: minutes(night.durations.light),
      awake: minutes(night.durations.awake),
      time_in_bed: minutes(night.timeInBedSeconds),
    },
    latency_minutes: minutes(night.latencySeconds),
    efficiency_percent: night.efficiency,
    lowest_heart_rate_bpm: night.lowestHeartRate,
    average_heart_rate_bpm: night.averageHeartRate,
    average_hrv_ms: night.averageHrv,
    respiratory_rate_breaths_per_minute: night.averageBreath,
    temperature_deviation_celsius: night.temperatureDeviation,
    spo2_average_percent: night.spo2,
    breathing_disturbance_index: night.breathingDisturbanceIndex,
    other_periods: night.otherPeriods.map((p) => ({ type: p.type, start: p.start, end: p.end, total_sleep_minutes: minutes(p.seconds) })),
  };
}

type ScoreOfDay = { score: number | null; contributors: Record<string, number | null> };

/** Readiness, sleep and activity scores (0–100) and their contributors (0–100), day by day. */
export async function dailyScores(store: Documents, userId: string, startDate: string, endDate: string) {
  const range = dayRange(startDate, endDate, MOST_SCORE_DAYS);
  const days = new Map<string, Partial<Record<ScoreKind, ScoreOfDay>>>();
  for (const kind of ["readiness", "sleep", "activity"] as const) {
    const rows = await store.listFields({ data_type: DATA_TYPE[kind], user_id: userId, start_day: range.start, end_day: range.end }, SCORE_FIELDS, range.days * 2);
    for (const row of rows) {
      if (row.day === null) continue;
      const scores = days.get(row.day) ?? {};
      const score = scoreOfDay(kind, { ...row, day: row.day });
      scores[kind] ??= { score: score.score, contributors: Object.fromEntries(score.contributors.map((c) => [c.key, c.value])) };
      days.set(row.day, scores);
    }
  }
  if (days.size === 0) throw new ToolError(`no daily scores recorded from ${range.start} to ${range.end}`);
  return {
    user: userId,
    start_date: range.start,
    end_date: range.end,
    unit: "scores and contributors are 0–100; null where Oura sent none",
    days: [...days].sort(([a], [b]) => (a < b ? -1 : 1)).map(([d, scores]) => ({ day: d, readiness: scores.readiness ?? null, sleep: scores.sleep ?? null, activity: scores.activity ?? null })),
    // Said, not left for the assistant to notice: the days of the range the ring recorded no score for.
    days_without_scores: Array.from({ length: range.days }, (_, i) => shiftDay(range.start, i)).filter((d) => !days.has(d)),
  };
}

/** Workouts, sessions and tags from `startDate` to `endDate`, newest first, at most MOST_LISTED of each kind. */
export async function activities(store: Documents, userId: string, startDate: string, endDate: string) {
  const range = dayRange(startDate, endDate, MOST_ACTIVITY_DAYS);
  const found: Activities = await loadActivities(store, userId, range.start, range.end);
  return {
    user: userId,
    start_date: range.start,
    end_date: range.end,
    workouts: found.workouts.slice(0, MOST_LISTED).map((w) => ({
      day: w.day,
      activity: w.activity,
      label: w.label,
      start: w.startDatetime,
      duration_minutes: minutes(w.seconds),
      calories_kcal: w.calories,
      distance_meters: w.distance,
      intensity: w.intensity,
    })),
    sessions: found.sessions.slice(0, MOST_LISTED).map((s) => ({ day: s.day, type: s.type, start: s.startDatetime, duration_minutes: minutes(s.seconds), mood: s.mood })),
    tags: found.tags.map((t) => ({ day: t.day, tag: t.label })),
    truncated: earlierPage(found, range.start, range.end),
  };
}

/**
 * When a list was cut at its newest MOST_LISTED: which, and the range to ask for next (through the oldest day listed,
 * which is listed again, as it may hold more); false when nothing was left out.
 */
function earlierPage(found: Activities, startDate: string, endDate: string) {
  const cut = { workouts: found.workouts.length > MOST_LISTED, sessions: found.sessions.length > MOST_LISTED };
  if (!cut.workouts && !cut.sessions) return false;
  const oldestListed = [cut.workouts ? found.workouts[MOST_LISTED - 1]?.day : undefined, cut.sessions ? found.sessions[MOST_LISTED - 1]?.day : undefined]
    .filter((d): d is string => typeof d === "string")
    .sort()[0];
  // More than MOST_LISTED on the range's last day: a narrower range of days cannot reach the rest, so none is offered.
  if (!oldestListed || oldestListed === endDate) return { ...cut, listed: `the newest ${MOST_LISTED} of each`, earlier: null, note: `more than ${MOST_LISTED} on ${endDate}: the rest of that day cannot be listed` };
  return { ...cut, listed: `the newest ${MOST_LISTED} of each`, earlier: { start_date: startDate, end_date: oldestListed } };
}

/** The newest day's summary, as the dashboard's "Today" reads it: each score of the last week with its contributors. */
export async function todaySummary(store: Documents, userId: string, today: string) {
  const found = await loadToday(store, userId, today);
  const score = (kind: ScoreKind) => {
    const s = found.scores[kind];
    return s ? { day: s.day, score: s.score, contributors: Object.fromEntries(s.contributors.map((c) => [c.key, c.value])) } : null;
  };
  return {
    user: userId,
    today,
    unit: "scores and contributors are 0–100; stress and recovery in minutes; temperature deviation in °C from the wearer's baseline",
    readiness: score("readiness"),
    sleep: score("sleep"),
    activity: score("activity"),
    stress: found.stress ? { day: found.stress.day, summary: found.stress.summary, stress_high_minutes: minutes(found.stress.stressHigh), recovery_high_minutes: minutes(found.stress.recoveryHigh) } : null,
    resilience: found.resilience ?? null,
    temperature_deviation_celsius: found.temperatureDeviation ?? null,
  };
}
