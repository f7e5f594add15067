// The numbers a wearer follows day by day, and where each sits in an Oura document. The store extracts them when a
// document is written (see migrations 4 and 10), so a chart reads a few numbers per day instead of parsing whole
// documents. Adding a field needs a new migration that inserts it into metric_fields and fills document_values.

export interface DailyMetricField {
  metric: string;
  dataType: string;
  /** JSON path of the value in the document. */
  path: string;
  /** Main-sleep periods only: naps and rests would distort HRV and resting heart rate. */
  mainSleepOnly: boolean;
  /** A value written as text, stored as its 1-based position here (lowest first). */
  levels?: readonly string[];
}

/** The fields migration 4 created (kept as they were: a migration must write the same rows on every database). */
export const FIRST_METRIC_FIELDS: DailyMetricField[] = [
  { metric: "sleep", dataType: "daily_sleep", path: "$.score", mainSleepOnly: false },
  { metric: "readiness", dataType: "daily_readiness", path: "$.score", mainSleepOnly: false },
  { metric: "activity", dataType: "daily_activity", path: "$.score", mainSleepOnly: false },
  { metric: "hrv", dataType: "sleep", path: "$.average_hrv", mainSleepOnly: true },
  { metric: "resting_hr", dataType: "sleep", path: "$.lowest_heart_rate", mainSleepOnly: true },
  { metric: "steps", dataType: "daily_activity", path: "$.steps", mainSleepOnly: false },
];

/** Oura's resilience levels, lowest first (DailyResilienceModel.level). */
export const RESILIENCE_LEVELS = ["limited", "adequate", "solid", "strong", "exceptional"] as const;

export const DAILY_METRIC_FIELDS: DailyMetricField[] = [
  ...FIRST_METRIC_FIELDS,
  { metric: "temperature", dataType: "daily_readiness", path: "$.temperature_deviation", mainSleepOnly: false },
  { metric: "stress_high", dataType: "daily_stress", path: "$.stress_high", mainSleepOnly: false },
  { metric: "recovery_high", dataType: "daily_stress", path: "$.recovery_high", mainSleepOnly: false },
  { metric: "resilience", dataType: "daily_resilience", path: "$.level", mainSleepOnly: false, levels: RESILIENCE_LEVELS },
  { metric: "spo2", dataType: "daily_spo2", path: "$.spo2_percentage.average", mainSleepOnly: false },
  { metric: "breathing_disturbance", dataType: "daily_spo2", path: "$.breathing_disturbance_index", mainSleepOnly: false },
  { metric: "vo2_max", dataType: "vo2_max", path: "$.vo2_max", mainSleepOnly: false },
  { metric: "cardiovascular_age", dataType: "daily_cardiovascular_age", path: "$.vascular_age", mainSleepOnly: false },
];

/** The data types whose arrival changes a daily metric. */
export const DAILY_METRIC_DATA_TYPES = new Set(DAILY_METRIC_FIELDS.map((f) => f.dataType));
