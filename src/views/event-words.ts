// An event in words, as the feed shows it: "Readiness 78 (+2)", "Slept 7 h 25 min", "Running 32 min · 290 kcal".
// Read from the event's document with the same care as any view (a malformed value is left out, never the row);
// the change is against the wearer's usual (their 30-day median) where the feed knows it.
import type { Event } from "../storage/events.ts";
import { tagName } from "./activities-data.ts";
import { numberIn, secondsBetween, textOr } from "./values.ts";
import { changeText, durationText, formatMetric, grouped, METRICS, type MetricDefinition } from "./metrics.ts";

/** What the feed knows of a user: their name, and their usual value of a daily metric. */
export interface FeedContext {
  nameOf(userId: string): string | undefined;
  usualOf(userId: string, metric: string): number | undefined;
}

export const NO_CONTEXT: FeedContext = { nameOf: () => undefined, usualOf: () => undefined };
type Usual = (metric: string) => number | undefined;

const TYPE_NAMES: Record<string, string> = {
  daily_readiness: "Readiness",
  daily_sleep: "Sleep score",
  daily_activity: "Activity",
  sleep: "Sleep period",
  workout: "Workout",
  session: "Session",
  tag: "Tag",
  enhanced_tag: "Tag",
  daily_stress: "Stress",
  daily_resilience: "Resilience",
  daily_spo2: "SpO2",
  vo2_max: "VO2 max",
  daily_cardiovascular_age: "Cardiovascular age",
  ring_configuration: "Ring",
  sleep_time: "Bedtime guidance",
  rest_mode_period: "Rest mode",
  meal: "Meal",
  heartrate: "Heart rate",
};

/** "Readiness", "Sleep period": a data type as a wearer says it. */
export const typeName = (dataType: string) => TYPE_NAMES[dataType] ?? dataType.replaceAll("_", " ");

const metricOf = (key: string) => METRICS.find((m) => m.key === key)!;
const num = (value: unknown, low = 0, high = 1e7) => numberIn(value, low, high);
const text = (value: unknown) => textOr(value);
const capital = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);
const seconds = secondsBetween;

/** "78 (+2)": a value and, when the usual is known, its change against it. */
function withChange(metric: MetricDefinition, value: number, usual: number | undefined): string {
  const shown = formatMetric(metric, value);
  if (usual === undefined) return shown;
  const change = Math.round((value - usual) * 10) / 10;
  return `${shown} (${changeText(metric, change)})`;
}

const join = (...parts: (string | null | false | undefined)[]) => parts.filter(Boolean).join(" · ");

/** The headline of a stored document, or null when its document says nothing a wearer reads. */
function documentWords(dataType: string, d: Record<string, unknown>, usual: Usual): string | null {
  const scored = (key: string, label: string) => {
    const score = num(d.score, 0, 100);
    return score === null ? null : `${label} ${withChange(metricOf(key), score, usual(key))}`;
  };
  switch (dataType) {
    case "daily_readiness":
      return scored("readiness", "Readiness");
    case "daily_sleep":
      return scored("sleep", "Sleep score");
    case "daily_activity": {
      const steps = num(d.steps);
      return join(scored("activity", "Activity"), steps === null ? null : `${grouped(steps)} steps`) || null;
    }
    case "sleep": {
      const asleep = num(d.total_sleep_duration, 0, 86_400);
      if (asleep === null) return null;
      const main = d.type === undefined || d.type === "long_sleep";
      return main ? `Slept ${durationText(asleep)}` : `${capital(text(d.type)?.replaceAll("_", " ") ?? "nap")} ${durationText(asleep)}`;
    }
    case "workout": {
      const calories = num(d.calories);
      const span = seconds(d.start_datetime, d.end_datetime);
      return join(capital(text(d.label) ?? text(d.activity)?.replaceAll("_", " ") ?? "workout"), span === null ? null : durationText(span), calories === null ? null : `${Math.round(calories)} kcal`, text(d.intensity));
    }
    case "session": {
      const span = seconds(d.start_datetime, d.end_datetime);
      return join(capital(text(d.type)?.replaceAll("_", " ") ?? "session"), span === null ? null : durationText(span), text(d.mood) ? `mood ${text(d.mood)}` : null);
    }
    case "tag": {
      const tags = Array.isArray(d.tags) ? d.tags.map(text).filter((t): t is string => t !== null) : [];
      const words = tags.length > 0 ? tags.map(tagName).join(", ") : text(d.text);
      return words ? `Tag: ${words}` : null;
    }
    case "enhanced_tag": {
      const name = text(d.custom_name) ?? (text(d.tag_type_code) ? tagName(text(d.tag_type_code)!) : null);
      return name ? `Tag: ${name}` : null;
    }
    case "daily_stress": {
      const high = num(d.stress_high, 0, 86_400);
      return join(`Stress: ${text(d.day_summary) ?? "no summary"}`, high === null ? null : `high stress ${durationText(high)}`);
    }
    case "daily_resilience":
      return text(d.level) ? `Resilience: ${text(d.level)}` : null;
    case "daily_spo2": {
      const average = num((d.spo2_percentage as { average?: unknown } | null)?.average, 50, 100);
      const bdi = num(d.breathing_disturbance_index, 0, 1000);
      return join(average === null ? null : `SpO2 ${withChange(metricOf("spo2"), average, usual("spo2"))}`, bdi === null ? null : `breathing disturbance ${bdi}`) || null;
    }
    case "vo2_max": {
      const value = num(d.vo2_max, 1, 120);
      return value === null ? null : `VO2 max ${withChange(metricOf("vo2_max"), value, usual("vo2_max"))}`;
    }
    case "daily_cardiovascular_age": {
      const age = num(d.vascular_age, 1, 150);
      return age === null ? null : `Cardiovascular age ${age} years`;
    }
    case "ring_configuration":
      return join("Ring", text(d.hardware_type), text(d.color)?.replaceAll("_", " "), num(d.size, 1, 20) === null ? null : `size ${d.size}`);
    case "sleep_time":
      return text(d.recommendation) ? `Bedtime guidance: ${text(d.recommendation)!.replaceAll("_", " ")}` : null;
    case "rest_mode_period":
      return text(d.start_day) ? `Rest mode from ${text(d.start_day)}${text(d.end_day) ? ` to ${text(d.end_day)}` : ""}` : null;
    default:
      return null;
  }
}

const WAITING: Record<string, string> = {
  pending: "arriving",
  awaiting_link: "waiting for its wearer to sign in",
  not_fetched: "not fetched (no Oura sign-in configured)",
  failed: "could not be fetched",
  missing: "no longer at Oura",
};

/** The feed's line for an event: what it says, or what became of it. */
export function eventWords(event: Event, usual: Usual = () => undefined): string {
  const name = typeName(event.data_type);
  if (event.event_type === "delete") return `${name} deleted`;
  if (event.document) return documentWords(event.data_type, event.document as Record<string, unknown>, usual) ?? `${name} ${event.event_type === "update" ? "updated" : "received"}`;
  return `${name}: ${WAITING[event.fetch_status ?? ""] ?? "received"}`;
}

/** Where an event came from, as the feed says it: webhook, poll or import. */
export function eventOrigin(event: Event): "webhook" | "poll" | "import" {
  if (event.source === "webhook") return "webhook";
  return (event.notification as { origin?: unknown }).origin === "import" ? "import" : "poll";
}
