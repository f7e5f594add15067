/** @jsxImportSource hono/jsx */
// Server-rendered SVG line charts: no client library, readable without JavaScript, labelled for screen readers.
import type { MetricSeries, Point } from "./metrics.ts";

const WIDTH = 320;
const HEIGHT = 96;
const PAD = 6;
/** Room for the min/max labels. */
const LEFT = 34;

const format = (value: number) => (Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(1));

function coordinates(points: Point[], startMs: number, days: number) {
  const values = points.map((p) => p.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const x = (day: string) => LEFT + ((Date.parse(`${day}T00:00:00Z`) - startMs) / (Math.max(1, days - 1) * 86_400_000)) * (WIDTH - LEFT - PAD);
  // A flat series sits in the middle rather than on the floor.
  const y = (value: number) => (max === min ? HEIGHT / 2 : HEIGHT - PAD - ((value - min) / (max - min)) * (HEIGHT - 2 * PAD));
  return { min, max, placed: points.map((p) => ({ ...p, x: x(p.day), y: y(p.value) })) };
}

/** A chart of one metric over `days` days ending today; the points are also given as a table for screen readers. */
export function Chart(props: { series: MetricSeries; days: number; now: number }) {
  const { series, days, now } = props;
  const { metric, points } = series;
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
  const startMs = Date.parse(`${new Date(now - (days - 1) * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`);
  const { min, max, placed } = coordinates(points, startMs, days);
  const path = placed.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
  const unit = metric.unit ? ` ${metric.unit}` : "";
  return (
    <figure class="chart" id={id} data-points={points.length}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} preserveAspectRatio="xMidYMid meet">
        {max === min ? (
          <text class="axis" x="2" y={HEIGHT / 2 + 4}>
            {format(max)}
          </text>
        ) : (
          <>
            <text class="axis" x="2" y={PAD + 8}>
              {format(max)}
            </text>
            <text class="axis" x="2" y={HEIGHT - PAD}>
              {format(min)}
            </text>
          </>
        )}
        <path class="line" d={path} fill="none" />
        {placed.map((p) => (
          <circle class="point" cx={p.x.toFixed(1)} cy={p.y.toFixed(1)} r="2.5" data-day={p.day} data-value={p.value}>
            <title>
              {p.day}: {format(p.value)}
              {unit}
            </title>
          </circle>
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
