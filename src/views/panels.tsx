/** @jsxImportSource hono/jsx */
// Cards (latest value of each metric) and charts over 7/30/90 days, as one swappable section.
import { Card, Chart } from "./charts.tsx";
import type { MetricSeries } from "./metrics.ts";

export const RANGES = [7, 30, 90] as const;

export function Panels(props: { series: MetricSeries[]; days: number; now: number }) {
  const { series, days, now } = props;
  return (
    <section id="panels" class="panels" aria-labelledby="panels-title">
      <div class="panels-head">
        <h2 id="panels-title">Your scores</h2>
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
      <div class="cards">
        {series.map((s) => (
          <Card series={s} />
        ))}
      </div>
      <div class="charts">
        {series.map((s) => (
          <Chart series={s} days={days} now={now} />
        ))}
      </div>
    </section>
  );
}
