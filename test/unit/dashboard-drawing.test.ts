// The small parts the dashboard draws with: the escaping template, durations, the days a chart spans.
import { describe, expect, test } from "bun:test";
import { dayAxis } from "../../src/views/charts.tsx";
import { markup } from "../../src/views/markup.ts";
import { duration } from "../../src/views/night.tsx";

describe("markup", () => {
  test("escapes every value, keeps its own markup and arrays of it, drops null/undefined/false", () => {
    const label = `<img src=x onerror="alert('1')">&`;
    const made = markup`<text data-tags="${label}">${label}</text>${[markup`<b>${"<i>"}</b>`, "<u>"]}${null}${undefined}${false}${0}`;
    expect(made.text).toBe(
      "<text data-tags=\"&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;\">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</text><b>&lt;i&gt;</b>&lt;u&gt;0",
    );
  });
});

describe("durations", () => {
  test("whole minutes first: never '60 min'", () => {
    expect(duration(3599)).toBe("1 h 00 min");
    expect(duration(7170)).toBe("2 h 00 min");
    expect(duration(24_900)).toBe("6 h 55 min");
    expect(duration(null)).toBe("–");
  });
});

describe("a chart's days", () => {
  const now = Date.parse("2026-01-18T22:00:00Z");
  test("seven days ending today (UTC)", () => {
    expect(dayAxis(now, 7).days).toEqual(["2026-01-12", "2026-01-13", "2026-01-14", "2026-01-15", "2026-01-16", "2026-01-17", "2026-01-18"]);
  });
  test("a wearer east of UTC already has tomorrow's day: the axis takes it in", () => {
    const axis = dayAxis(now, 7, "2026-01-19");
    expect(axis.days.at(-1)).toBe("2026-01-19");
    expect(axis.days[0]).toBe("2026-01-12");
    expect(axis.index.get("2026-01-19")).toBe(7);
  });
});

describe("changes against the usual", () => {
  test("scores change by whole points; other numbers keep a decimal, durations and temperatures their units", async () => {
    const { changeText, METRICS } = await import("../../src/views/metrics.ts");
    const metric = (key: string) => METRICS.find((m) => m.key === key)!;
    expect(changeText(metric("readiness"), 12.5)).toBe("+13");
    expect(changeText(metric("readiness"), -0.4)).toBe("±0");
    expect(changeText(metric("hrv"), -3.25)).toBe("−3.3 ms");
    expect(changeText(metric("stress_high"), 1500)).toBe("+25 min");
    expect(changeText(metric("temperature"), 0.123)).toBe("+0.12 °C");
    // The value an assistant is given is as precise as its text (a float's −0.08499999 is −0.08).
    const { saidChange } = await import("../../src/views/metrics.ts");
    expect([saidChange(metric("readiness"), 3.5), saidChange(metric("spo2"), -0.33), saidChange(metric("hrv"), -3.25), saidChange(metric("temperature"), -0.08499999999999999), saidChange(metric("stress_high"), 1530)]).toEqual([4, -0.3, -3.3, -0.08, 1560]);
    expect(changeText(metric("cardiovascular_age"), 1)).toBe("+1 year");
  });
});
