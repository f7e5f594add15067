/** @jsxImportSource hono/jsx */
// Server-rendered SVG line charts: no client library, readable without JavaScript, labelled for screen readers. Tags
// ("alcohol", "late meal") are marks on their days, so a wearer sees what came before a change.
import type { TagMark } from "./activities-data.ts";
import { shortDay } from "./days.ts";
import { html } from "hono/html";
import { axisLabel, formatMetric, type MetricSeries, type Point } from "./metrics.ts";

const WIDTH = 320;
const HEIGHT = 124;
const PAD = 6;
/** Room for the min/max labels on the left, the dates below, and the tags' row above them. */
const LEFT = 44;
const BOTTOM = 30;
const DAY_MS = 86_400_000;

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

/** The tags of each day, one entry per day: "alcohol, late meal" (made once for all the charts of a page). */
export function tagsByDay(tags: TagMark[]): Map<string, string> {
  const byDay = new Map<string, Set<string>>();
  for (const tag of tags) {
    const labels = byDay.get(tag.day) ?? new Set<string>();
    labels.add(tag.label);
    byDay.set(tag.day, labels);
  }
  return new Map([...byDay].map(([day, labels]) => [day, [...labels].join(", ")]));
}

/** Points get a focusable value label up to a month; beyond, a tooltip each (90 focus stops would be a trap). */
const MOST_FOCUSABLE_POINTS = 31;

/**
 * The chart's SVG, as an escaping hono/html template rather than JSX: a page draws 14 charts of up to 90 points, and
 * JSX made them most of the dashboard's render time (bench/reads.ts: 4.5 ms of a 13 ms render at 7 days).
 */
function chartSvg(c: {
  title: string;
  metric: MetricSeries["metric"];
  min: number;
  max: number;
  x: (day: string) => number;
  y: (value: number) => number;
  placed: (Point & { x: number; y: number })[];
  dateTicks: string[];
  baseline: number | undefined;
  tagged: Map<string, string>;
}) {
  const { metric, min, max, x, y, placed, baseline, tagged } = c;
  const focusable = placed.length <= MOST_FOCUSABLE_POINTS;
  const labelOf = (p: Point) => `${shortDay(p.day)}: ${formatMetric(metric, p.value)}${tagged.has(p.day) ? ` (${tagged.get(p.day)})` : ""}`;
  return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${c.title}" preserveAspectRatio="xMidYMid meet"><text class="axis" x="2" y="${PAD + 10}">${axisLabel(metric, max)}</text>${
    max === min ? "" : html`<text class="axis" x="2" y="${HEIGHT - BOTTOM - PAD}">${axisLabel(metric, min)}</text>`
  }${c.dateTicks.map(
    (day, i) => html`<text class="axis date" x="${x(day).toFixed(1)}" y="${HEIGHT - 3}" text-anchor="${i === 0 ? "start" : i === 2 ? "end" : "middle"}">${shortDay(day)}</text>`,
  )}${
    baseline === undefined
      ? ""
      : html`<line class="baseline" x1="${LEFT}" x2="${WIDTH - PAD}" y1="${y(baseline).toFixed(1)}" y2="${y(baseline).toFixed(1)}"><title>Your 30-day median: ${formatMetric(metric, baseline)}</title></line>`
  }${[...tagged].map(
    ([day, labels]) => html`<path class="tag-mark" d="M${x(day).toFixed(1)},${HEIGHT - BOTTOM + 2} l-4,8 h8 z" data-day="${day}" data-tags="${labels}"><title>${shortDay(day)}: ${labels}</title></path>`,
  )}<path class="line" d="${linePath(placed)}" fill="none"></path>${placed.map((p) =>
    focusable
      ? // Hover or keyboard focus shows the value by the point.
        html`<g class="pt" tabindex="0" role="img" aria-label="${labelOf(p)}" data-day="${p.day}" data-value="${p.value}"><circle class="point" cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="3"></circle><text class="tip" x="${Math.min(WIDTH - 60, Math.max(LEFT + 50, p.x)).toFixed(1)}" y="${Math.max(14, p.y - 8).toFixed(1)}" text-anchor="middle">${labelOf(p)}</text></g>`
      : html`<circle class="point" cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="2.5" data-day="${p.day}" data-value="${p.value}"><title>${labelOf(p)}</title></circle>`,
  )}</svg>`;
}

/** The chart's points (and tags) as a table, for screen readers and for reading exact values. */
function valuesTable(metric: MetricSeries["metric"], points: Point[], tagged: Map<string, string>) {
  const tags = tagged.size > 0;
  return html`<details><summary>Values</summary><table><thead><tr><th scope="col">Day</th><th scope="col">${metric.label}</th>${tags ? html`<th scope="col">Tags</th>` : ""}</tr></thead><tbody>${points.map(
    (p) => html`<tr><td>${p.day}</td><td>${formatMetric(metric, p.value)}</td>${tags ? html`<td>${tagged.get(p.day) ?? ""}</td>` : ""}</tr>`,
  )}</tbody></table></details>`;
}

/** A chart of one metric over `days` days ending today; the points (and tags) are also given as a table. */
export function Chart(props: { series: MetricSeries; days: number; now: number; tags?: Map<string, string> }) {
  const { series, days, now } = props;
  const { metric, points, baseline } = series;
  const id = `chart-${metric.key}`;
  const title = `${metric.label}${metric.unit && metric.kind === "number" ? ` (${metric.unit})` : ""}, last ${days} days`;
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
  const middleDay = new Date(startMs + Math.floor((days - 1) / 2) * DAY_MS).toISOString().slice(0, 10);
  const dateTicks = [firstDay, middleDay, lastDay];
  const tagged = new Map([...(props.tags ?? [])].filter(([day]) => day >= firstDay && day <= lastDay));
  const usual = baseline === undefined ? "" : `; your 30-day median ${formatMetric(metric, baseline)}`;
  return (
    <figure class="chart" id={id} data-points={points.length}>
      <figcaption>{title}</figcaption>
      {chartSvg({ title: `${title}${usual}`, metric, min, max, x, y, placed, dateTicks, baseline, tagged })}
      {valuesTable(metric, points, tagged)}
    </figure>
  );
}
