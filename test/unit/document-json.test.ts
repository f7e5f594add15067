// The detail drawer's JSON: long lists of plain values on one line, and long numeric series summarised.
import { describe, expect, test } from "bun:test";
import { compactJson, numericSeries } from "../../src/views/document-json.ts";

// A daily_activity document as Oura sends it: a MET reading per minute (1,440), with nulls where the ring was off.
const activity = {
  id: "a-1",
  day: "2026-12-06",
  score: 82,
  met: { interval: 60, items: Array.from({ length: 1440 }, (_, i) => (i % 97 === 0 ? null : 0.9 + (i % 60) / 10)), timestamp: "2026-12-06T04:00:00.000+01:00" },
  class_5_min: "0011223344",
  contributors: { meet_daily_targets: 60, move_every_hour: null },
};

describe("the document in the detail drawer", () => {
  test("a 1,440-value series is one line, and every value is still there", () => {
    const text = compactJson(activity);
    const lines = text.split("\n");
    expect(lines.length).toBeLessThan(20);
    expect(lines.some((line) => /^\s*-?[\d.]+,?$/.test(line))).toBe(false);
    expect(JSON.parse(text)).toEqual(activity);
  });

  test("long numeric series are summarised (nulls skipped); short lists and text are not", () => {
    const series = numericSeries(activity);
    expect(series.map((s) => [s.path, s.count])).toEqual([["met.items", 1440]]);
    const { min, mean, max } = series[0]!;
    expect(min).toBeCloseTo(0.9, 9);
    expect(max).toBeCloseTo(6.8, 9);
    const values = activity.met.items.filter((v): v is number => v !== null);
    expect(mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
    expect(numericSeries({ readiness: [70, 71, 72], hrv: { items: [null, null] } })).toEqual([]);
  });
});
