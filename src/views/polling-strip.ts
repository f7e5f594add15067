// The status strip's "Polling" entry: mode, last success, how many (user, type) pairs are failing.
import type { PollState } from "../storage/polls.ts";

export interface PollingStrip {
  mode: "poll" | "reconcile" | "off";
  lastSuccessAt: string | null;
  failing: { user_id: string; data_type: string; last_error: string | null }[];
}

/** A pair is failing when its last run failed (its error is newer than its last success). */
export function isFailing(state: PollState): boolean {
  return state.last_error_at !== null && (state.last_success_at === null || state.last_error_at > state.last_success_at);
}

export function pollingStrip(mode: PollingStrip["mode"], states: PollState[]): PollingStrip {
  const lastSuccessAt = states.reduce<string | null>((latest, s) => (s.last_success_at && (!latest || s.last_success_at > latest) ? s.last_success_at : latest), null);
  const failing = states.filter(isFailing).map(({ user_id, data_type, last_error }) => ({ user_id, data_type, last_error }));
  return { mode, lastSuccessAt, failing };
}
