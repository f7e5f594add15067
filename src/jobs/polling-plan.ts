// What the polling settings amount to, in words and in Oura requests: shown by check-config and at start-up.
import type { Config } from "../config.ts";

/** Requests per user per day: one per type and run (a window of a few days is one page; more when it holds more). */
export function requestsPerUserPerDay(intervalSeconds: number, dataTypes: number): number {
  return Math.ceil(86_400 / intervalSeconds) * dataTypes;
}

export function pollingSummary(config: Config): string {
  const { polling, requestBudget } = config;
  const signIn = Boolean(config.oura.clientId && config.oura.clientSecret);
  const types = polling.dataTypes.length;
  if (polling.enabled) {
    if (!signIn) return "polling: POLLING_ENABLED=true but Oura sign-in is not configured (OURA_CLIENT_ID, OURA_CLIENT_SECRET): nothing can be polled";
    const perUser = requestsPerUserPerDay(polling.intervalSeconds, types);
    const perDayBudget = Math.floor((requestBudget.requests * 86_400) / requestBudget.windowSeconds);
    return `polling: ${types} data types every ${polling.intervalSeconds} s over the last ${polling.lookbackDays} days: about ${perUser.toLocaleString("en-US")} Oura requests per user per day (the budget allows ${perDayBudget.toLocaleString("en-US")} a day, so about ${Math.max(1, Math.floor((perDayBudget * 0.9) / perUser))} users)`;
  }
  if (!signIn) return "polling: off (webhooks only; reconciliation needs Oura sign-in)";
  if (polling.reconcileIntervalHours <= 0) return "polling: off, reconciliation off (RECONCILE_INTERVAL_HOURS=0): a webhook Oura gives up on is lost";
  return `polling: off; reconciliation every ${polling.reconcileIntervalHours} h over the last ${polling.lookbackDays} days repairs missed webhooks (about ${requestsPerUserPerDay(polling.reconcileIntervalHours * 3600, types)} requests per user per day)`;
}
