// Workouts, sessions and tags over the days a dashboard shows, read from their documents as Oura writes them
// (WorkoutModel, SessionModel, TagModel, EnhancedTagModel); a malformed value is left out, never the list.
import type { Documents, StoredDocument } from "../storage/documents.ts";

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
  averageHeartRate: number | null;
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

/** Enough rows for 90 days of one wearer; an all-users view shows the newest this many. */
const MOST = 300;

const text = (value: unknown) => (typeof value === "string" && value.length > 0 && value.length <= 80 ? value : null);
const number = (value: unknown) => (typeof value === "number" && Number.isFinite(value) && value >= 0 && value < 1e7 ? value : null);
const instant = (value: unknown) => (typeof value === "string" && value.length <= 40 && !Number.isNaN(Date.parse(value)) ? value : null);
const span = (start: string | null, end: unknown) => {
  const until = instant(end);
  if (start === null || until === null) return null;
  const seconds = (Date.parse(until) - Date.parse(start)) / 1000;
  return seconds > 0 && seconds <= 86_400 ? seconds : null;
};
/** Oura's codes run words together in places ("tag_sleep_latemeal"). */
const TAG_WORDS: Record<string, string> = { latemeal: "late meal", lateworkout: "late workout", sleepaid: "sleep aid", bluelight: "blue light", earlymeal: "early meal" };
/** "tag_sleep_latemeal" → "late meal", "tag_generic_caffeine" → "caffeine" (Oura's codes for its own tags); other text as it is. */
export function tagName(code: string): string {
  const bare = code.replace(/^tag_[a-z]+_/, "");
  return TAG_WORDS[bare] ?? bare.replaceAll("_", " ");
}

function mean(items: unknown): number | null {
  if (!Array.isArray(items)) return null;
  const values = items.filter((v): v is number => typeof v === "number" && Number.isFinite(v) && v > 0 && v < 255);
  return values.length === 0 ? null : Math.round(values.reduce((a, b) => a + b, 0) / values.length);
}

const usable = (rows: StoredDocument[]) => rows.filter((d) => d.document && !d.deleted && d.day);

function toWorkout(d: StoredDocument): Workout {
  const doc = d.document!;
  const start = instant(doc.start_datetime);
  return {
    id: d.document_id,
    userId: d.user_id,
    day: d.day!,
    activity: text(doc.activity)?.replaceAll("_", " ") ?? "workout",
    startDatetime: start,
    seconds: span(start, doc.end_datetime),
    calories: number(doc.calories),
    distance: number(doc.distance),
    intensity: text(doc.intensity),
    label: text(doc.label),
  };
}

function toSession(d: StoredDocument): Session {
  const doc = d.document!;
  const start = instant(doc.start_datetime);
  return {
    id: d.document_id,
    userId: d.user_id,
    day: d.day!,
    type: text(doc.type)?.replaceAll("_", " ") ?? "session",
    startDatetime: start,
    seconds: span(start, doc.end_datetime),
    mood: text(doc.mood),
    averageHeartRate: mean((doc.heart_rate as { items?: unknown } | null)?.items),
  };
}

function toTags(d: StoredDocument): TagMark[] {
  const doc = d.document!;
  if (d.data_type === "enhanced_tag") {
    const label = text(doc.custom_name) ?? (text(doc.tag_type_code) ? tagName(text(doc.tag_type_code)!) : null);
    return label ? [{ userId: d.user_id, day: d.day!, label }] : [];
  }
  const labels = Array.isArray(doc.tags) ? doc.tags.map(text).filter((t): t is string => t !== null) : [];
  return (labels.length > 0 ? labels : [text(doc.text)].filter((t): t is string => t !== null)).map((label) => ({ userId: d.user_id, day: d.day!, label: tagName(label) }));
}

export async function loadActivities(store: Documents, userId: string | undefined, startDay: string): Promise<Activities> {
  const read = (dataType: string) => store.listDocuments({ data_type: dataType, user_id: userId, start_day: startDay }, MOST).then(usable);
  const [workouts, sessions, tags, enhanced] = await Promise.all([read("workout"), read("session"), read("tag"), read("enhanced_tag")]);
  return {
    workouts: workouts.map(toWorkout),
    sessions: sessions.map(toSession),
    tags: [...enhanced, ...tags].flatMap(toTags).sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : 0)),
  };
}
