/** @jsxImportSource hono/jsx */
// The first screen: today's readiness, sleep and activity scores, each with its change against the wearer's usual and
// its contributors as bars in Oura's own bands, then the day's stress, resilience and temperature.
import { changeText, durationText, formatMetric, type MetricSeries, signedDegrees } from "./metrics.ts";
import { shortDay } from "./days.ts";
import type { Contributor, ScoreKind, Today } from "./today-data.ts";

const ORDER: { kind: ScoreKind; label: string }[] = [
  { kind: "readiness", label: "Readiness" },
  { kind: "sleep", label: "Sleep" },
  { kind: "activity", label: "Activity" },
];

/**
 * Oura's rating of a score or contributor: 85–100 optimal, 70–84 good, below 70 pay attention (Oura's support
 * article "Readiness Score", section "What Is a Good Readiness Score?", support.ouraring.com/hc/en-us/articles/360025589793,
 * which rates readiness, sleep and activity scores and their contributors alike).
 */
export function band(value: number): { name: "optimal" | "good" | "pay attention"; class: string } {
  if (value >= 85) return { name: "optimal", class: "band-optimal" };
  if (value >= 70) return { name: "good", class: "band-good" };
  return { name: "pay attention", class: "band-attention" };
}

function ContributorBar(props: { contributor: Contributor }) {
  const { label, value, key } = props.contributor;
  const rating = value === null ? null : band(value);
  return (
    <li class={`contributor ${rating?.class ?? "band-none"}`} data-contributor={key}>
      <span class="contributor-label">{label}</span>
      {/* An SVG whose bar is a percentage of its width: the Content-Security-Policy refuses style attributes. */}
      <svg class="bar" aria-hidden="true">
        <rect class="fill" width={`${value ?? 0}%`} height="100%" />
      </svg>
      <span class="contributor-value">{value === null ? "no value" : `${value} · ${rating!.name}`}</span>
    </li>
  );
}

function ScoreTile(props: { kind: ScoreKind; label: string; today: Today | undefined; series: MetricSeries | undefined }) {
  const { kind, label, series } = props;
  const ofDay = props.today?.scores[kind];
  // A wearer's own document, else (every user's view) the newest day's mean over users.
  const score = ofDay ? ofDay.score : (series?.latest?.value ?? null);
  const day = ofDay?.day ?? series?.latest?.day;
  const usual = series?.baseline;
  const metric = series?.metric;
  const change = score !== null && usual !== undefined && metric ? Math.round((score - usual) * 10) / 10 : undefined;
  return (
    <article class={`score ${score === null ? "" : band(score).class}`} id={`card-${kind}`}>
      <h3>{label}</h3>
      <p class="value">{score === null ? "–" : Math.round(score)}</p>
      <p class="change">
        {change === undefined || !metric ? (day ? shortDay(day) : "no data yet") : <span title={`Your 30-day median: ${formatMetric(metric, usual!)}`}>{changeText(metric, change)} vs usual</span>}
      </p>
      {score === null ? null : <p class="rating">{band(score).name}</p>}
      {day ? (
        <p class="day">
          <time datetime={day}>{shortDay(day)}</time>
        </p>
      ) : null}
    </article>
  );
}

export function TodayView(props: { today: Today | undefined; series: MetricSeries[]; users: number | undefined }) {
  const { today } = props;
  const seriesOf = (key: string) => props.series.find((s) => s.metric.key === key);
  const withContributors = today ? ORDER.filter(({ kind }) => today.scores[kind]) : [];
  return (
    <section id="today" class="today" aria-labelledby="today-title">
      <h2 id="today-title">Today</h2>
      {props.users === 0 ? <p class="hint">No Oura ring is linked yet: sign one in below, and its scores show here.</p> : null}
      {props.users !== undefined && props.users > 0 ? <p class="hint">Every user's mean ({props.users} linked); contributors are on each wearer's own dashboard.</p> : null}
      <div class="scores">
        {ORDER.map(({ kind, label }) => (
          <ScoreTile kind={kind} label={label} today={today} series={seriesOf(kind)} />
        ))}
      </div>
      {today ? <DayNotes today={today} /> : null}
      {withContributors.length > 0 ? (
        <div class="contributors">
          {withContributors.map(({ kind, label }) => {
            const ofDay = today!.scores[kind]!;
            return (
              <section class="contributor-list" id={`contributors-${kind}`} aria-labelledby={`contributors-${kind}-title`}>
                <h3 id={`contributors-${kind}-title`}>
                  {label} {ofDay.score ?? "–"}: why <small>({shortDay(ofDay.day)})</small>
                </h3>
                <ul>
                  {ofDay.contributors.map((c) => (
                    <ContributorBar contributor={c} />
                  ))}
                </ul>
              </section>
            );
          })}
        </div>
      ) : null}
    </section>
  );
}

/** Stress, resilience and body temperature of the newest day that has them, in a line each. */
function DayNotes(props: { today: Today }) {
  const { stress, resilience, temperatureDeviation } = props.today;
  if (!stress && !resilience && !temperatureDeviation) return null;
  const time = (seconds: number | null) => (seconds === null ? "–" : durationText(seconds));
  return (
    <ul class="day-notes">
      {stress ? (
        <li id="today-stress">
          Stress: <strong>{stress.summary ?? "no summary"}</strong> · high stress {time(stress.stressHigh)}, high recovery{" "}
          {time(stress.recoveryHigh)} <small>({shortDay(stress.day)})</small>
        </li>
      ) : null}
      {resilience ? (
        <li id="today-resilience">
          Resilience: <strong>{resilience.level ?? "–"}</strong> <small>({shortDay(resilience.day)})</small>
        </li>
      ) : null}
      {temperatureDeviation ? (
        <li id="today-temperature">
          Body temperature:{" "}
          <strong>{signedDegrees(temperatureDeviation.value)}</strong> from your usual{" "}
          <small>({shortDay(temperatureDeviation.day)})</small>
        </li>
      ) : null}
    </ul>
  );
}
