/** @jsxImportSource hono/jsx */
// Server-rendered SVG line charts: no client library, readable without JavaScript, labelled for screen readers.
import type { MetricSeries, Point } from "./metrics.ts";

const WIDTH = 320;
const HEIGHT = 112;
const PAD = 6;
/** Room for the min/max labels on the left and the dates below. */
const LEFT = 34;
const BOTTOM = 16;
const DAY_MS = 86_400_000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const format = (value: number) => (Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(1));
/** Oura's day as the wearer reads it: "Nov 26" (a day is a date, never shifted by a time zone). */
const shortDay = (day: string) => `${MONTHS[Number(day.slice(5, 7)) - 1]} ${Number(day.slice(8, 10))}`;

function scales(points: Point[], baseline: number | undefined, startMs: number, days: number) {
  const values = points.map((p) => p.value).concat(baseline === undefined ? [] : [baseline]);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const x = (day: string) => LEFT + ((Date.parse(`${day}T00:00:00Z`) - startMs) / (Math.max(1, days - 1) * DAY_MS)) * (WIDTH - LEFT - PAD);
  // A flat series sits in the middle rather than on the floor.
  const y = (value: number) => (max === min ? (HEIGHT - BOTTOM) / 2 : HEIGHT - BOTTOM - PAD - ((value - min) / (max - min)) * (HEIGHT - BOTTOM - 2 * PAD));
  return { min, max, x, y };
}

/** The line, broken wherever a day is missing (no line drawn across a gap). */
function linePath(placed: { day: string; x: number; y: number }[]): string {
  return placed
    .map((p, i) => {
      const joined = i > 0 && Date.parse(`${p.day}T00:00:00Z`) - Date.parse(`${placed[i - 1]!.day}T00:00:00Z`) <= DAY_MS;
      return `${joined ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`;
    })
    .join(" ");
}

/** A chart of one metric over `days` days ending today; the points are also given as a table for screen readers. */
export function Chart(props: { series: MetricSeries; days: number; now: number }) {
  const { series, days, now } = props;
  const { metric, points, baseline } = series;
  const id = `chart-${metric.key}`;
  const title = `${metric.label}, last ${days} days`;
  if (points.length === 0) {
    return (
      <figure class="chart" id={id} data-points="0">
        <figcaption>{title}</figcaption>
        <p class="empty">No data yet.</p>
      </figure>
    );
  }
  const firstDay = new Date(now - (days - 1) * DAY_MS).toISOString().slice(0, 10);
  const lastDay = new Date(now).toISOString().slice(0, 10);
  const startMs = Date.parse(`${firstDay}T00:00:00Z`);
  const { min, max, x, y } = scales(points, baseline, startMs, days);
  const placed = points.map((p) => ({ ...p, x: x(p.day), y: y(p.value) }));
  const unit = metric.unit ? ` ${metric.unit}` : "";
  const middleDay = new Date(startMs + Math.floor((days - 1) / 2) * DAY_MS).toISOString().slice(0, 10);
  const dateTicks = [firstDay, middleDay, lastDay];
  return (
    <figure class="chart" id={id} data-points={points.length}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title}${baseline === undefined ? "" : `; your 30-day median ${format(baseline)}${unit}`}`} preserveAspectRatio="xMidYMid meet">
        <text class="axis" x="2" y={PAD + 8}>
          {format(max)}
        </text>
        {max === min ? null : (
          <text class="axis" x="2" y={HEIGHT - BOTTOM - PAD}>
            {format(min)}
          </text>
        )}
        {dateTicks.map((day, i) => (
          <text class="axis date" x={x(day).toFixed(1)} y={HEIGHT - 3} text-anchor={i === 0 ? "start" : i === 2 ? "end" : "middle"}>
            {shortDay(day)}
          </text>
        ))}
        {baseline === undefined ? null : (
          <line class="baseline" x1={LEFT} x2={WIDTH - PAD} y1={y(baseline).toFixed(1)} y2={y(baseline).toFixed(1)}>
            <title>{`Your 30-day median: ${format(baseline)}${unit}`}</title>
          </line>
        )}
        <path class="line" d={linePath(placed)} fill="none" />
        {placed.map((p) => (
          // Hover or keyboard focus shows the value by the point.
          <g class="pt" tabindex="0" role="img" aria-label={`${shortDay(p.day)}: ${format(p.value)}${unit}`} data-day={p.day} data-value={p.value}>
            <circle class="point" cx={p.x.toFixed(1)} cy={p.y.toFixed(1)} r="3" />
            <text class="tip" x={Math.min(WIDTH - 30, Math.max(LEFT + 20, p.x)).toFixed(1)} y={Math.max(11, p.y - 7).toFixed(1)} text-anchor="middle">
              {shortDay(p.day)}: {format(p.value)}
              {unit}
            </text>
          </g>
        ))}
      </svg>
      <details>
        <summary>Values</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">{metric.label}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr>
                <td>{p.day}</td>
                <td>{format(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** The latest value of one metric. */
export function Card(props: { series: MetricSeries }) {
  const { metric, latest } = props.series;
  return (
    <article class="card" id={`card-${metric.key}`}>
      <h3>{metric.label}</h3>
      <p class="value">
        {latest ? format(latest.value) : "–"}
        {latest && metric.unit ? <small> {metric.unit}</small> : null}
      </p>
      <p class="day">{latest ? latest.day : "no data yet"}</p>
    </article>
  );
}
