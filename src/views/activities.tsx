/** @jsxImportSource hono/jsx */
// Workouts, sessions and tags of the days shown, newest first, in words: "Running · 32 min · 290 kcal · hard".
import { type Activities, MOST_LISTED } from "./activities-data.ts";
import { shortDay } from "./days.ts";
import { durationText } from "./metrics.ts";

/** "18:15" on the wearer's clock: the time as Oura wrote it, with its own offset. */
const localClock = (instant: string | null) => (instant && /T(\d{2}:\d{2})/.exec(instant)?.[1]) ?? null;
const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const km = (meters: number) => `${(meters / 1000).toFixed(1)} km`;

interface ListedRow {
  day: string;
  startDatetime: string | null;
  userId: string;
  title: string;
  parts: (string | null)[];
}

/** Workouts or sessions, newest first: when (the wearer's clock), what, and its numbers joined by " · ". */
function Listed(props: { id: string; label: string; rows: ListedRow[]; who: (userId: string) => unknown }) {
  if (props.rows.length === 0) return null;
  return (
    <>
      <ul class="activity-list" id={props.id} aria-label={capital(props.label)}>
        {props.rows.slice(0, MOST_LISTED).map((row) => (
          <li data-day={row.day}>
            <span class="when">
              {shortDay(row.day)}
              {localClock(row.startDatetime) ? ` ${localClock(row.startDatetime)}` : ""}
            </span>{" "}
            <strong>{capital(row.title)}</strong>
            {row.parts
              .filter(Boolean)
              .map((part) => ` · ${part}`)
              .join("")}
            {props.who(row.userId)}
          </li>
        ))}
      </ul>
      {props.rows.length > MOST_LISTED ? (
        <p class="more">
          The newest {MOST_LISTED} {props.label} of these days are listed.
        </p>
      ) : null}
    </>
  );
}

export function ActivityList(props: { activities: Activities; days: number; names?: ReadonlyMap<string, string> | undefined }) {
  const { workouts, sessions, tags } = props.activities;
  // Each day's tags once, newest first (a chart shows them on their days).
  const tagDays = [...new Map(tags.map((t) => [`${t.day} ${t.label}`, t])).values()].slice(0, MOST_LISTED);
  const who = (userId: string) => (props.names ? <small class="who"> · {props.names.get(userId) ?? userId}</small> : null);
  return (
    <section id="activities" class="activities" aria-labelledby="activities-title">
      <h3 id="activities-title">Workouts, sessions and tags, last {props.days} days</h3>
      {workouts.length + sessions.length + tags.length === 0 ? <p class="empty">None recorded in these days.</p> : null}
      <Listed
        id="workouts"
        label="workouts"
        rows={workouts.map((w) => ({ ...w, title: w.label ?? w.activity, parts: [w.seconds === null ? null : durationText(w.seconds), w.calories === null ? null : `${Math.round(w.calories)} kcal`, w.distance ? km(w.distance) : null, w.intensity] }))}
        who={who}
      />
      <Listed id="sessions" label="sessions" rows={sessions.map((s) => ({ ...s, title: s.type, parts: [s.seconds === null ? null : durationText(s.seconds), s.mood ? `mood ${s.mood}` : null] }))} who={who} />
      {tagDays.length > 0 ? (
        <ul class="activity-list tag-list" id="tags" aria-label="Tags">
          {tagDays.map((t) => (
            <li data-day={t.day}>
              <span class="when">{shortDay(t.day)}</span> <span class="tag">{t.label}</span>
              {who(t.userId)}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
