/** @jsxImportSource hono/jsx */
// Workouts, sessions and tags of the days shown, newest first, in words: "Running · 32 min · 290 kcal · hard".
import { type Activities, MOST_LISTED } from "./activities-data.ts";
import { shortDay } from "./days.ts";
import { durationText } from "./metrics.ts";

/** "18:15" on the wearer's clock: the time as Oura wrote it, with its own offset. */
const localClock = (instant: string | null) => (instant && /T(\d{2}:\d{2})/.exec(instant)?.[1]) ?? null;
const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const km = (meters: number) => `${(meters / 1000).toFixed(1)} km`;

export function ActivityList(props: { activities: Activities; days: number; names?: ReadonlyMap<string, string> | undefined }) {
  const { workouts, sessions, tags } = props.activities;
  const more = (n: number, what: string) => (n > MOST_LISTED ? <p class="more">The newest {MOST_LISTED} {what} of these days are listed.</p> : null);
  // Each day's tags once, newest first (a chart shows them on their days).
  const tagDays = [...new Map(tags.map((t) => [`${t.day} ${t.label}`, t])).values()].slice(0, MOST_LISTED);
  const who = (userId: string) => (props.names ? <small class="who"> · {props.names.get(userId) ?? userId}</small> : null);
  return (
    <section id="activities" class="activities" aria-labelledby="activities-title">
      <h3 id="activities-title">Workouts, sessions and tags, last {props.days} days</h3>
      {workouts.length + sessions.length + tags.length === 0 ? <p class="empty">None recorded in these days.</p> : null}
      {workouts.length > 0 ? (
        <ul class="activity-list" id="workouts" aria-label="Workouts">
          {workouts.slice(0, MOST_LISTED).map((w) => (
            <li data-day={w.day}>
              <span class="when">
                {shortDay(w.day)}
                {localClock(w.startDatetime) ? ` ${localClock(w.startDatetime)}` : ""}
              </span>{" "}
              <strong>{capital(w.label ?? w.activity)}</strong>
              {[w.seconds === null ? null : durationText(w.seconds), w.calories === null ? null : `${Math.round(w.calories)} kcal`, w.distance ? km(w.distance) : null, w.intensity]
                .filter(Boolean)
                .map((part) => ` · ${part}`)
                .join("")}
              {who(w.userId)}
            </li>
          ))}
        </ul>
      ) : null}
      {more(workouts.length, "workouts")}
      {sessions.length > 0 ? (
        <ul class="activity-list" id="sessions" aria-label="Sessions">
          {sessions.slice(0, MOST_LISTED).map((s) => (
            <li data-day={s.day}>
              <span class="when">
                {shortDay(s.day)}
                {localClock(s.startDatetime) ? ` ${localClock(s.startDatetime)}` : ""}
              </span>{" "}
              <strong>{capital(s.type)}</strong>
              {[s.seconds === null ? null : durationText(s.seconds), s.mood ? `mood ${s.mood}` : null]
                .filter(Boolean)
                .map((part) => ` · ${part}`)
                .join("")}
              {who(s.userId)}
            </li>
          ))}
        </ul>
      ) : null}
      {more(sessions.length, "sessions")}
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
