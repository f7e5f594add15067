// What each of a user's entities reads now, from their newest documents, through the dashboard's own readers (the
// night, today's scores, values.ts's ranges and Oura's 255 "no heart rate"): the state as Home Assistant takes it
// ("None" for no value: it shows unknown) and attributes that say which Oura day it is from.
import type { AccountSummary } from "../storage/accounts.ts";
import type { Documents } from "../storage/documents.ts";
import { loadNight } from "../views/night-data.ts";
import { loadToday, type Today } from "../views/today-data.ts";
import { instantOr, numberIn, textOr } from "../views/values.ts";
import { toWorkout, WORKOUT_FIELDS } from "../views/activities-data.ts";
import { ENTITIES, STRESS_SUMMARIES } from "./entities.ts";
import { RESILIENCE_LEVELS } from "../oura/daily-metrics.ts";

export interface EntityState {
  state: string;
  attributes: Record<string, unknown>;
}

/** Home Assistant's MQTT entities read this payload as "no value" (unknown). */
export const NO_VALUE = "None";

const value = (state: number | string | null | undefined, day: string | null | undefined, more: Record<string, unknown> = {}): EntityState => ({
  state: state === null || state === undefined ? NO_VALUE : String(state),
  attributes: { day: day ?? null, ...more },
});

const asMinutes = (seconds: number | null) => (seconds === null ? null : Math.round(seconds / 60));
const oneOf = <T extends string>(options: readonly T[], text: string | null) => (text !== null && (options as readonly string[]).includes(text) ? text : null);

async function newestFields<K extends string>(store: Documents, dataType: string, userId: string, fields: Record<K, string>, look = 1) {
  return (await store.listFields({ data_type: dataType, user_id: userId }, fields, look)).filter((row) => row.day !== null);
}

/** The user's ring, for the device block: "Oura Ring gen3" and its firmware, from their newest ring_configuration. */
export async function ringOf(store: Documents, userId: string): Promise<{ model: string; firmware: string | null }> {
  // Ring configurations have no day: the newest set up is the ring worn now (a replaced ring keeps its document).
  const rings = await store.listFields({ data_type: "ring_configuration", user_id: userId }, { hardware: "$.hardware_type", firmware: "$.firmware_version", design: "$.design", color: "$.color", set_up: "$.set_up_at" }, 10);
  const setUpMs = (value: unknown) => Date.parse(instantOr(value) ?? "1970-01-01T00:00:00Z");
  const [ring] = rings.sort((a, b) => setUpMs(b.set_up) - setUpMs(a.set_up));
  const hardware = textOr(ring?.hardware, 40);
  const looks = [textOr(ring?.design, 40), textOr(ring?.color, 40)].filter((t): t is string => t !== null).map((t) => t.replaceAll("_", " "));
  return { model: [`Oura Ring${hardware ? ` ${hardware}` : ""}`, looks.length ? `(${looks.join(", ")})` : ""].filter(Boolean).join(" "), firmware: textOr(ring?.firmware, 40) };
}

/** The first day any reading can have: Home Assistant shows the newest value whatever its age, with its day. */
const EVER = "2010-01-01";

/** Every entity's state for one linked user: the newest value of each, and the Oura day it is from. */
export async function entityStates(store: Documents, account: AccountSummary): Promise<Record<string, EntityState>> {
  const userId = account.user_id;
  const [day, night, activity, vo2, workouts] = await Promise.all([
    loadToday(store, userId, EVER, EVER),
    loadNight(store, userId),
    newestFields(store, "daily_activity", userId, { steps: "$.steps", active_calories: "$.active_calories" }).then((rows) => rows[0]),
    newestFields(store, "vo2_max", userId, { value: "$.vo2_max" }).then((rows) => rows[0]),
    newestFields(store, "workout", userId, WORKOUT_FIELDS, 10),
  ]);
  const scoreOf = (kind: keyof Today["scores"]) => value(day.scores[kind]?.score ?? null, day.scores[kind]?.day);
  // The newest workout: the newest day, then the latest start (several share a day).
  const startMs = (start: string | null) => Date.parse(start ?? "1970-01-01T00:00:00Z");
  const workout = workouts.map(toWorkout).sort((a, b) => b.day.localeCompare(a.day) || startMs(b.startDatetime) - startMs(a.startDatetime))[0];
  const nightDay = night?.day ?? null;
  const states: Record<string, EntityState> = {
    sleep_score: scoreOf("sleep"),
    readiness_score: scoreOf("readiness"),
    activity_score: scoreOf("activity"),
    steps: value(numberIn(activity?.steps, 0, 1e6), activity?.day),
    active_calories: value(numberIn(activity?.active_calories, 0, 1e5), activity?.day),
    total_sleep: value(asMinutes(night?.totalSleepSeconds ?? null), nightDay),
    time_in_bed: value(asMinutes(night?.timeInBedSeconds ?? null), nightDay),
    sleep_efficiency: value(numberIn(night?.efficiency, 0, 100), nightDay),
    average_hrv: value(night?.averageHrv ?? null, nightDay),
    lowest_heart_rate: value(night?.lowestHeartRate ?? null, nightDay),
    respiratory_rate: value(night?.averageBreath ?? null, nightDay),
    temperature_deviation: value(day.temperatureDeviation?.value ?? null, day.temperatureDeviation?.day),
    spo2: value(night?.spo2 ?? null, nightDay),
    stress_summary: value(oneOf(STRESS_SUMMARIES, day.stress?.summary ?? null), day.stress?.day, {
      stress_high_minutes: asMinutes(day.stress?.stressHigh ?? null),
      recovery_high_minutes: asMinutes(day.stress?.recoveryHigh ?? null),
    }),
    resilience_level: value(oneOf(RESILIENCE_LEVELS, day.resilience?.level ?? null), day.resilience?.day),
    vo2_max: value(numberIn(vo2?.value, 1, 120), vo2?.day),
    // ISO 8601 with the ring's own offset, as Home Assistant's timestamp sensors want them (timezone-aware).
    bedtime_start: value(night?.bedtimeStart ?? null, nightDay),
    bedtime_end: value(night?.bedtimeEnd ?? null, nightDay),
    last_workout: workout
      ? value(workout.label ?? workout.activity, workout.day, {
          start: workout.startDatetime,
          minutes: asMinutes(workout.seconds),
          calories: workout.calories,
          distance_m: workout.distance,
          intensity: workout.intensity,
        })
      : value(null, null),
    needs_sign_in: { state: account.needs_reauth ? "ON" : "OFF", attributes: {} },
  };
  return states;
}

/** Keys in catalogue order (what the publisher walks). */
export const ENTITY_KEYS = ENTITIES.map((entity) => entity.key);
