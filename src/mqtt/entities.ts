// The entities each linked user's device has in Home Assistant, and how Home Assistant is told to read each: device
// class, state class and unit as its sensor component accepts them (homeassistant/components/sensor/const.py,
// DEVICE_CLASS_UNITS and DEVICE_CLASS_STATE_CLASSES). Numbers without a device class of their own (scores, heart rate,
// SpO2, VO2 max) carry a unit and state class only; timestamps and enums carry no state class (none is allowed).
import { RESILIENCE_LEVELS } from "../oura/daily-metrics.ts";

export interface EntityDefinition {
  /** Stable: part of the unique_id and of the topics. Never rename one (Home Assistant would see a new entity). */
  key: string;
  name: string;
  component: "sensor" | "binary_sensor";
  device_class?: string;
  state_class?: "measurement" | "total" | "total_increasing";
  unit_of_measurement?: string;
  icon?: string;
  /** device_class enum: every state it may take. */
  options?: readonly string[];
  /** Shown under the device's diagnostic entities rather than its sensors. */
  entity_category?: "diagnostic";
}

const score = (key: string, name: string, icon: string): EntityDefinition => ({ key, name, component: "sensor", state_class: "measurement", icon });
const minutes = (key: string, name: string, icon: string): EntityDefinition => ({ key, name, component: "sensor", device_class: "duration", state_class: "measurement", unit_of_measurement: "min", icon });

/** Oura's daily stress summary (PublicDailyStressSummary). */
export const STRESS_SUMMARIES = ["restored", "normal", "stressful"] as const;

export const ENTITIES: readonly EntityDefinition[] = [
  score("sleep_score", "Sleep score", "mdi:sleep"),
  score("readiness_score", "Readiness score", "mdi:battery-heart-variant"),
  score("activity_score", "Activity score", "mdi:run"),
  // Counts of the day so far that start again at 0 each day: total_increasing treats the drop as a new cycle.
  { key: "steps", name: "Steps", component: "sensor", state_class: "total_increasing", unit_of_measurement: "steps", icon: "mdi:shoe-print" },
  { key: "active_calories", name: "Active calories", component: "sensor", device_class: "energy", state_class: "total_increasing", unit_of_measurement: "kcal", icon: "mdi:fire" },
  minutes("total_sleep", "Total sleep", "mdi:bed-clock"),
  minutes("time_in_bed", "Time in bed", "mdi:bed"),
  { key: "sleep_efficiency", name: "Sleep efficiency", component: "sensor", state_class: "measurement", unit_of_measurement: "%", icon: "mdi:percent" },
  { key: "average_hrv", name: "Average HRV", component: "sensor", state_class: "measurement", unit_of_measurement: "ms", icon: "mdi:heart-pulse" },
  { key: "lowest_heart_rate", name: "Lowest heart rate", component: "sensor", state_class: "measurement", unit_of_measurement: "bpm", icon: "mdi:heart" },
  { key: "respiratory_rate", name: "Respiratory rate", component: "sensor", state_class: "measurement", unit_of_measurement: "br/min", icon: "mdi:lungs" },
  // A deviation from the wearer's baseline, not a temperature: temperature_delta (°C, measurement only).
  { key: "temperature_deviation", name: "Temperature deviation", component: "sensor", device_class: "temperature_delta", state_class: "measurement", unit_of_measurement: "°C" },
  { key: "spo2", name: "SpO2", component: "sensor", state_class: "measurement", unit_of_measurement: "%", icon: "mdi:water-percent" },
  { key: "stress_summary", name: "Stress", component: "sensor", device_class: "enum", options: STRESS_SUMMARIES, icon: "mdi:head-heart" },
  { key: "resilience_level", name: "Resilience", component: "sensor", device_class: "enum", options: RESILIENCE_LEVELS, icon: "mdi:shield-half-full" },
  { key: "vo2_max", name: "VO2 max", component: "sensor", state_class: "measurement", unit_of_measurement: "mL/kg/min", icon: "mdi:lungs" },
  { key: "bedtime_start", name: "Bedtime start", component: "sensor", device_class: "timestamp", icon: "mdi:bed-clock" },
  { key: "bedtime_end", name: "Bedtime end", component: "sensor", device_class: "timestamp", icon: "mdi:weather-sunset-up" },
  // The activity's name; its start, end, minutes and calories are attributes.
  { key: "last_workout", name: "Last workout", component: "sensor", icon: "mdi:dumbbell" },
  { key: "needs_sign_in", name: "Needs sign-in", component: "binary_sensor", device_class: "problem", entity_category: "diagnostic" },
];
