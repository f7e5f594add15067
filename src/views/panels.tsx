/** @jsxImportSource hono/jsx */
// Trends over 7/30/90 days — the scores, the body's signals, the day's load and recovery — with tags marked on their
// days, and the workouts, sessions and tags of those days: one section the range select swaps whole.
import type { Activities } from "./activities-data.ts";
import { ActivityList } from "./activities.tsx";
import { Chart, dayAxis, tagsByDay } from "./charts.tsx";
import type { MetricDefinition, MetricSeries } from "./metrics.ts";

export const RANGES = [7, 30, 90] as const;

const GROUPS: { group: MetricDefinition["group"]; title: string }[] = [
  { group: "scores", title: "Scores" },
  { group: "body", title: "Body" },
  { group: "day", title: "Steps, stress and resilience" },
];

export function Panels(props: { series: MetricSeries[]; days: number; now: number; activities: Activities; names?: ReadonlyMap<string, string> | undefined }) {
  const { series, days, now, activities } = props;
  const tags = tagsByDay(activities.tags);
  const newest = series.reduce<string | undefined>((latest, s) => (s.latest && (!latest || s.latest.day > latest) ? s.latest.day : latest), undefined);
  const axis = dayAxis(now, days, newest);
  return (
    <section id="panels" class="panels" aria-labelledby="panels-title">
      <div class="panels-head">
        <h2 id="panels-title">Trends</h2>
        <label>
          Range{" "}
          <select id="range" name="days" hx-get="/dashboard/panels" hx-target="#panels" hx-swap="outerHTML">
            {RANGES.map((range) => (
              <option value={range} selected={range === days}>
                {range} days
              </option>
            ))}
          </select>
        </label>
      </div>
      {series.every((s) => s.points.length === 0) ? <p class="empty">No data in these days yet: the trends fill in as your ring's documents arrive.</p> : null}
      {GROUPS.map(({ group, title }) => {
        const ofGroup = series.filter((s) => s.metric.group === group);
        const drawn = ofGroup.filter((s) => s.points.length > 0);
        // A metric with no value in these days is named in one line, not drawn as an empty chart (a ring without SpO2
        // would otherwise show an empty card for ever).
        const missing = ofGroup.filter((s) => s.points.length === 0);
        return (
          <>
            <h3 class="group-title">{title}</h3>
            {drawn.length > 0 ? (
              <div class="charts">
                {drawn.map((s) => (
                  <Chart series={s} days={days} now={now} tags={tags} axis={axis} />
                ))}
              </div>
            ) : null}
            {missing.length > 0 ? (
              <p class="not-recorded">
                Not recorded in these days:{" "}
                {missing.map((s, i) => (
                  <>
                    {i > 0 ? ", " : ""}
                    <span class="chart" id={`chart-${s.metric.key}`} data-points="0">
                      {s.metric.label}
                    </span>
                  </>
                ))}
              </p>
            ) : null}
          </>
        );
      })}
      <ActivityList activities={activities} days={days} names={props.names} />
    </section>
  );
}
