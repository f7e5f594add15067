/** @jsxImportSource hono/jsx */
// Server-rendered SVG line charts: no client library, readable without JavaScript, labelled for screen readers. Tags
// ("alcohol", "late meal") are marks on their days, so a wearer sees what came before a change.
import type { TagMark } from "./activities-data.ts";
import { shortDay } from "./days.ts";
import { coordinate as c1, inJsx, markup as html } from "./markup.ts";
import { axisLabel, formatMetric, type MetricSeries, type Point } from "./metrics.ts";

const WIDTH = 320;
const HEIGHT = 124;
const PAD = 6;
/** Room for the min/max labels on the left, the dates below, and the tags' row above them. */
const LEFT = 44;
const BOTTOM = 30;
const DAY_MS = 86_400_000;

/** The days a page's charts span, oldest first, each with its position: made once for all of a page's charts. */
export interface DayAxis {
  days: string[];
  index: ReadonlyMap<string, number>;
}

/**
 * `count` days ending today (UTC) — and one more when the newest value is on tomorrow's date: a wearer east of UTC
 * (Tokyo at 07:00) already has their morning's day, which would otherwise be drawn past the chart's edge.
 */
export function dayAxis(now: number, count: number, newestDay?: string): DayAxis {
  const ahead = newestDay !== undefined && newestDay > new Date(now).toISOString().slice(0, 10) ? 1 : 0;
  const days = Array.from({ length: count + ahead }, (_, i) => new Date(now - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10));
  return { days, index: new Map(days.map((day, i) => [day, i])) };
}

/** A day's position on the axis: its index, or (a wearer's day ahead of UTC) counted from the first day. */
const positionOf = (axis: DayAxis, day: string) => axis.index.get(day) ?? (Date.parse(`${day}T00:00:00Z`) - Date.parse(`${axis.days[0]}T00:00:00Z`)) / DAY_MS;

function scales(points: Point[], baseline: number | undefined, axis: DayAxis) {
  let min = baseline ?? Infinity;
  let max = baseline ?? -Infinity;
  for (const p of points) {
    if (p.value < min) min = p.value;
    if (p.value > max) max = p.value;
  }
  const step = (WIDTH - LEFT - PAD) / Math.max(1, axis.days.length - 1);
  const x = (day: string) => LEFT + positionOf(axis, day) * step;
  // A flat series sits in the middle rather than on the floor.
  const y = (value: number) => (max === min ? (HEIGHT - BOTTOM) / 2 : HEIGHT - BOTTOM - PAD - ((value - min) / (max - min)) * (HEIGHT - BOTTOM - 2 * PAD));
  return { min, max, x, y };
}

/** The line, broken wherever a day is missing (no line drawn across a gap). */
function linePath(placed: { position: number; x: number; y: number }[]): string {
  return placed
    .map((p, i) => {
      const joined = i > 0 && p.position - placed[i - 1]!.position <= 1;
      return `${joined ? "L" : "M"}${c1(p.x)},${c1(p.y)}`;
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
 * The chart's SVG, through the escaping template of markup.ts rather than JSX: a page draws 14 charts of up to 90 points, and
 * JSX made them most of the dashboard's render time (bench/reads.ts: 4.5 ms of a 13 ms render at 7 days).
 */
function chartSvg(c: {
  title: string;
  metric: MetricSeries["metric"];
  min: number;
  max: number;
  x: (day: string) => number;
  y: (value: number) => number;
  placed: (Point & { position: number; x: number; y: number })[];
  dateTicks: string[];
  baseline: number | undefined;
  tagged: Map<string, string>;
}) {
  const { metric, min, max, x, y, placed, baseline, tagged } = c;
  const focusable = placed.length <= MOST_FOCUSABLE_POINTS;
  const labelOf = (p: Point) => `${shortDay(p.day)}: ${formatMetric(metric, p.value)}${tagged.size > 0 && tagged.has(p.day) ? ` (${tagged.get(p.day)})` : ""}`;
  return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${c.title}" preserveAspectRatio="xMidYMid meet"><text class="axis" x="2" y="${PAD + 10}">${axisLabel(metric, max)}</text>${
    max === min ? "" : html`<text class="axis" x="2" y="${HEIGHT - BOTTOM - PAD}">${axisLabel(metric, min)}</text>`
  }${c.dateTicks.map(
    (day, i) => html`<text class="axis date" x="${c1(x(day))}" y="${HEIGHT - 3}" text-anchor="${i === 0 ? "start" : i === 2 ? "end" : "middle"}">${shortDay(day)}</text>`,
  )}${
    baseline === undefined
      ? ""
      : html`<line class="baseline" x1="${LEFT}" x2="${WIDTH - PAD}" y1="${c1(y(baseline))}" y2="${c1(y(baseline))}"><title>Your 30-day median: ${formatMetric(metric, baseline)}</title></line>`
  }${[...tagged].map(
    ([day, labels]) => html`<path class="tag-mark" d="M${c1(x(day))},${HEIGHT - BOTTOM + 2} l-4,8 h8 z" data-day="${day}" data-tags="${labels}"><title>${shortDay(day)}: ${labels}</title></path>`,
  )}<path class="line" d="${linePath(placed)}" fill="none"></path>${placed.map((p) => {
    const label = labelOf(p);
    return focusable
      ? // Hover or keyboard focus shows the value by the point.
        html`<g class="pt" tabindex="0" role="img" aria-label="${label}" data-day="${p.day}" data-value="${p.value}"><circle class="point" cx="${c1(p.x)}" cy="${c1(p.y)}" r="3"></circle><text class="tip" x="${c1(Math.min(WIDTH - 60, Math.max(LEFT + 50, p.x)))}" y="${c1(Math.max(14, p.y - 8))}" text-anchor="middle">${label}</text></g>`
      : html`<circle class="point" cx="${c1(p.x)}" cy="${c1(p.y)}" r="2.5" data-day="${p.day}" data-value="${p.value}"><title>${label}</title></circle>`;
  })}</svg>`;
}

/** The chart's points (and tags) as a table, for screen readers and for reading exact values. */
function valuesTable(metric: MetricSeries["metric"], points: Point[], tagged: Map<string, string>) {
  const tags = tagged.size > 0;
  return html`<details><summary>Values</summary><table><thead><tr><th scope="col">Day</th><th scope="col">${metric.label}</th>${tags ? html`<th scope="col">Tags</th>` : ""}</tr></thead><tbody>${points.map(
    (p) => html`<tr><td>${p.day}</td><td>${formatMetric(metric, p.value)}</td>${tags ? html`<td>${tagged.get(p.day) ?? ""}</td>` : ""}</tr>`,
  )}</tbody></table></details>`;
}

/** A chart of one metric over `days` days ending today; the points (and tags) are also given as a table. */
export function Chart(props: { series: MetricSeries; days: number; now: number; tags?: Map<string, string>; axis?: DayAxis }) {
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
  const axis = props.axis ?? dayAxis(now, days);
  const firstDay = axis.days[0]!;
  const lastDay = axis.days[axis.days.length - 1]!;
  const { min, max, x, y } = scales(points, baseline, axis);
  const placed = points.map((p) => ({ ...p, position: positionOf(axis, p.day), x: x(p.day), y: y(p.value) }));
  const dateTicks = [firstDay, axis.days[Math.floor((axis.days.length - 1) / 2)]!, lastDay];
  const tagged = props.tags && props.tags.size > 0 ? new Map([...props.tags].filter(([day]) => day >= firstDay && day <= lastDay)) : new Map<string, string>();
  const usual = baseline === undefined ? "" : `; your 30-day median ${formatMetric(metric, baseline)}`;
  return (
    <figure class="chart" id={id} data-points={points.length}>
      <figcaption>{title}</figcaption>
      {inJsx(chartSvg({ title: `${title}${usual}`, metric, min, max, x, y, placed, dateTicks, baseline, tagged }))}
      {inJsx(valuesTable(metric, points, tagged))}
    </figure>
  );
}
