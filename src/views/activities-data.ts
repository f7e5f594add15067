// Workouts, sessions and tags over the days a dashboard shows, read from their documents as Oura writes them
// (WorkoutModel, SessionModel, TagModel, EnhancedTagModel); a malformed value is left out, never the list.
import type { DocumentFields, Documents } from "../storage/documents.ts";
import { instantOr, numberIn, secondsBetween, textOr } from "./values.ts";

export interface Workout {
  id: string;
  userId: string;
  day: string;
  activity: string;
  startDatetime: string | null;
  seconds: number | null;
  calories: number | null;
  distance: number | null;
  intensity: string | null;
  label: string | null;
}

export interface Session {
  id: string;
  userId: string;
  day: string;
  type: string;
  startDatetime: string | null;
  seconds: number | null;
  mood: string | null;
}

export interface TagMark {
  userId: string;
  day: string;
  label: string;
}

export interface Activities {
  workouts: Workout[];
  sessions: Session[];
  tags: TagMark[];
}

/** Workouts and sessions listed: the newest this many (a page for a person to read, not a table of a family's months). */
export const MOST_LISTED = 30;
/** Tags marked on the charts: enough for 90 days of a wearer who tags a lot. */
const MOST_TAGS = 300;

const text = (value: unknown) => textOr(value);
const number = (value: unknown) => numberIn(value, 0, 1e7);
/** Oura's codes run words together in places ("tag_sleep_latemeal"). */
const TAG_WORDS: Record<string, string> = { latemeal: "late meal", lateworkout: "late workout", sleepaid: "sleep aid", bluelight: "blue light", earlymeal: "early meal" };
/** "tag_sleep_latemeal" → "late meal", "tag_generic_caffeine" → "caffeine" (Oura's codes for its own tags); other text as it is. */
export function tagName(code: string): string {
  const bare = code.replace(/^tag_[a-z]+_/, "");
  return TAG_WORDS[bare] ?? bare.replaceAll("_", " ");
}

export const WORKOUT_FIELDS = { activity: "$.activity", label: "$.label", start: "$.start_datetime", end: "$.end_datetime", calories: "$.calories", distance: "$.distance", intensity: "$.intensity" };
const SESSION_FIELDS = { type: "$.type", start: "$.start_datetime", end: "$.end_datetime", mood: "$.mood" };
const TAG_FIELDS = { tags: "$.tags", text: "$.text" };
const ENHANCED_TAG_FIELDS = { code: "$.tag_type_code", custom: "$.custom_name" };

/** A workout document's fields (read by WORKOUT_FIELDS, its day known) as the views show them. */
export function toWorkout(d: DocumentFields<keyof typeof WORKOUT_FIELDS>): Workout {
  const start = instantOr(d.start);
  return {
    id: d.document_id,
    userId: d.user_id,
    day: d.day!,
    activity: text(d.activity)?.replaceAll("_", " ") ?? "workout",
    startDatetime: start,
    seconds: secondsBetween(start, d.end),
    calories: number(d.calories),
    distance: number(d.distance),
    intensity: text(d.intensity),
    label: text(d.label),
  };
}

function toSession(d: DocumentFields<keyof typeof SESSION_FIELDS>): Session {
  const start = instantOr(d.start);
  return { id: d.document_id, userId: d.user_id, day: d.day!, type: text(d.type)?.replaceAll("_", " ") ?? "session", startDatetime: start, seconds: secondsBetween(start, d.end), mood: text(d.mood) };
}

/** An old-style tag's labels: its `tags`, else its text. */
function tagLabels(d: DocumentFields<keyof typeof TAG_FIELDS>): TagMark[] {
  let labels = Array.isArray(d.tags) ? d.tags.map(text).filter((t): t is string => t !== null) : [];
  if (labels.length === 0 && text(d.text)) labels = [text(d.text)!];
  return labels.map((label) => ({ userId: d.user_id, day: d.day!, label: tagName(label) }));
}

function enhancedTag(d: DocumentFields<keyof typeof ENHANCED_TAG_FIELDS>): TagMark[] {
  const label = text(d.custom) ?? (text(d.code) ? tagName(text(d.code)!) : null);
  return label ? [{ userId: d.user_id, day: d.day!, label }] : [];
}

type DayRange = { start_day: string; end_day?: string };
const dated = <T extends { day: string | null }>(rows: T[]) => rows.filter((row): row is T & { day: string } => row.day !== null);

/** One wearer's tags (both kinds) in a range of days, newest first: at most `most` documents of each kind. */
export async function loadTags(store: Documents, userId: string, days: DayRange, most = MOST_TAGS): Promise<TagMark[]> {
  const [tags, enhanced] = await Promise.all([
    store.listFields({ data_type: "tag", user_id: userId, ...days }, TAG_FIELDS, most).then(dated),
    store.listFields({ data_type: "enhanced_tag", user_id: userId, ...days }, ENHANCED_TAG_FIELDS, most).then(dated),
  ]);
  return [...enhanced.flatMap(enhancedTag), ...tags.flatMap(tagLabels)].sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : 0));
}

/**
 * Read field by field in SQLite: a 90-day list of a family's workouts and sessions parses none of their series. From
 * `startDay` on (to `endDay` when given).
 */
export async function loadActivities(store: Documents, userId: string | undefined, startDay: string, endDay?: string): Promise<Activities> {
  const days: DayRange = { start_day: startDay, ...(endDay ? { end_day: endDay } : {}) };
  const [workouts, sessions, tags] = await Promise.all([
    store.listFields({ data_type: "workout", user_id: userId, ...days }, WORKOUT_FIELDS, MOST_LISTED + 1).then(dated),
    store.listFields({ data_type: "session", user_id: userId, ...days }, SESSION_FIELDS, MOST_LISTED + 1).then(dated),
    // Tags mark one person's days: on a chart of every user's mean they would mislead, so only a wearer's are read.
    userId === undefined ? [] : loadTags(store, userId, days),
  ]);
  return { workouts: workouts.map(toWorkout), sessions: sessions.map(toSession), tags };
}
