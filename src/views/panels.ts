// Cards (latest value of each metric) and charts over 7/30/90 days, as one swappable section.
import { renderCard, renderChart } from "./charts.ts";
import type { MetricSeries } from "./metrics.ts";

export const RANGES = [7, 30, 90] as const;

export function renderPanels(series: MetricSeries[], days: number, now = Date.now()): string {
  const options = RANGES.map((range) => `<option value="${range}"${range === days ? " selected" : ""}>${range} days</option>`).join("");
  return (
    `<section id="panels" class="panels" aria-labelledby="panels-title">` +
    `<div class="panels-head"><h2 id="panels-title">Your scores</h2>` +
    `<label>Range <select id="range" name="days" hx-get="/dashboard/panels" hx-target="#panels" hx-swap="outerHTML">${options}</select></label></div>` +
    `<div class="cards">${series.map(renderCard).join("")}</div>` +
    `<div class="charts">${series.map((s) => renderChart(s, days, now)).join("")}</div>` +
    `</section>`
  );
}
