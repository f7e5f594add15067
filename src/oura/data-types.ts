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
