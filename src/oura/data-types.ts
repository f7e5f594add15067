// The webhook data types Oura documents (OpenAPI 1.37). Subscriptions are made for each; notifications of other,
// newer types are still accepted and stored.
export const WEBHOOK_DATA_TYPES = [
  "tag",
  "enhanced_tag",
  "workout",
  "session",
  "sleep",
  "daily_sleep",
  "daily_readiness",
  "daily_activity",
  "daily_spo2",
  "sleep_time",
  "rest_mode_period",
  "ring_configuration",
  "daily_stress",
  "daily_cardiovascular_age",
  "daily_resilience",
  "vo2_max",
  "meal",
] as const;

export const WEBHOOK_EVENT_TYPES = ["create", "update", "delete"] as const;

/**
 * List routes of documents filtered by the wearer's local days: `start_date`/`end_date` (sleep, workout, session and
 * tag included — an earlier poller sent them date-times and got nothing).
 */
export const DATED_DOCUMENT_TYPES = [
  "daily_activity",
  "daily_cardiovascular_age",
  "daily_readiness",
  "daily_resilience",
  "daily_sleep",
  "daily_spo2",
  "daily_stress",
  "enhanced_tag",
  "rest_mode_period",
  "session",
  "sleep",
  "sleep_time",
  "tag",
  "vo2_max",
  "workout",
] as const;

/** List routes of documents without a date filter. */
export const UNDATED_DOCUMENT_TYPES = ["ring_configuration"] as const;

/** Time series: samples, not documents; `start_datetime`/`end_datetime`. */
export const TIME_SERIES_TYPES = ["heartrate"] as const;

export const POLLABLE_DATA_TYPES = [...DATED_DOCUMENT_TYPES, ...UNDATED_DOCUMENT_TYPES, ...TIME_SERIES_TYPES] as const;

export type ListFamily = "dated" | "undated" | "time_series";

export function listFamily(dataType: string): ListFamily {
  if ((TIME_SERIES_TYPES as readonly string[]).includes(dataType)) return "time_series";
  if ((UNDATED_DOCUMENT_TYPES as readonly string[]).includes(dataType)) return "undated";
  return "dated";
}
