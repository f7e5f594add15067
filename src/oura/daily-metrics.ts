// The numbers a wearer follows day by day, and where each sits in an Oura document. The store extracts them when a
// document is written (see migration 4), so a chart reads a few numbers per day instead of parsing whole documents.
// Changing this list needs a new migration that rebuilds document_values.

export interface DailyMetricField {
  metric: string;
  dataType: string;
  /** JSON path of the number in the document. */
  path: string;
  /** Main-sleep periods only: naps and rests would distort HRV and resting heart rate. */
  mainSleepOnly: boolean;
}

export const DAILY_METRIC_FIELDS: DailyMetricField[] = [
  { metric: "sleep", dataType: "daily_sleep", path: "$.score", mainSleepOnly: false },
  { metric: "readiness", dataType: "daily_readiness", path: "$.score", mainSleepOnly: false },
  { metric: "activity", dataType: "daily_activity", path: "$.score", mainSleepOnly: false },
  { metric: "hrv", dataType: "sleep", path: "$.average_hrv", mainSleepOnly: true },
  { metric: "resting_hr", dataType: "sleep", path: "$.lowest_heart_rate", mainSleepOnly: true },
  { metric: "steps", dataType: "daily_activity", path: "$.steps", mainSleepOnly: false },
];

/** The data types whose arrival changes a daily metric. */
export const DAILY_METRIC_DATA_TYPES = new Set(DAILY_METRIC_FIELDS.map((f) => f.dataType));
