// What a live subscriber receives for a committed event: rendered once per format, published to each topic it matches.
// JSON for programs; htmx partials for the dashboard (rendered only when a dashboard is watching).
import type { Event } from "../storage/events.ts";
import { liveMessage } from "../views/feed.tsx";
import { DAILY_METRIC_DATA_TYPES } from "../oura/daily-metrics.ts";
import { type Broadcaster, eventTopic } from "./broadcaster.ts";

/** Types the night view reads: the sleep period, and its day's score, SpO2 and readiness (temperature). */
const NIGHT_DATA_TYPES = new Set(["sleep", "daily_sleep", "daily_spo2", "daily_readiness"]);

/** Types the trends list or mark (workouts, sessions, tags) beside the daily numbers. */
const LISTED_DATA_TYPES = new Set(["workout", "session", "tag", "enhanced_tag"]);

/** Every dashboard socket also joins this topic, so one lookup tells whether any dashboard is open at all. */
export const HTML_ANY = "html:any";

/** `created`: the event was just stored; otherwise it changed (its document was fetched, or the fetch ended). */
export function publishEvent(broadcaster: Broadcaster, event: Event, created = true): void {
  broadcaster.committed.emit(event, created);
  const { user_id: userId, data_type: dataType } = event;
  const scopes = [{}, { dataType }, { userId }, { userId, dataType }];
  // Rendered only when somebody listens: with no live client, ingestion pays nothing for the stream.
  const jsonTopics = scopes.map((scope) => eventTopic(scope)).filter((topic) => broadcaster.hasSubscribers(topic));
  if (jsonTopics.length > 0) {
    const message = JSON.stringify({ type: created ? "event" : "event.updated", event });
    for (const topic of jsonTopics) broadcaster.publish(topic, message);
  }

  if (!broadcaster.hasSubscribers(HTML_ANY)) return;
  const htmlTopics = scopes.map((scope) => eventTopic({ ...scope, html: true })).filter((topic) => broadcaster.hasSubscribers(topic));
  if (htmlTopics.length === 0) return;
  // A document arrived (fetched for a webhook event, or with a poll event): the cards and charts may have changed.
  const refreshPanels = event.fetch_status === "fetched" && (DAILY_METRIC_DATA_TYPES.has(dataType) || LISTED_DATA_TYPES.has(dataType));
  const refreshNight = event.fetch_status === "fetched" && NIGHT_DATA_TYPES.has(dataType);
  const html = liveMessage(event, created, refreshPanels, broadcaster.feedContext, refreshNight);
  for (const topic of htmlTopics) broadcaster.publish(topic, html);
}

/**
 * A backfill's progress, to JSON subscribers of every event and of that user (`{"type":"backfill", "backfill": …}`).
 * The dashboard shows it by polling its progress fragment, so no HTML is rendered here.
 */
export function publishBackfill(broadcaster: Broadcaster, backfill: { user_id: string }): void {
  const topics = [eventTopic({}), eventTopic({ userId: backfill.user_id })].filter((topic) => broadcaster.hasSubscribers(topic));
  if (topics.length === 0) return;
  const message = JSON.stringify({ type: "backfill", backfill });
  for (const topic of topics) broadcaster.publish(topic, message);
}
