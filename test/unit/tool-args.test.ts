// The assistant's arguments: days, ranges and their longest span, instants with offsets, metrics and their aliases.
import { describe, expect, test } from "bun:test";
import { dayCount, dayRange, instant, isoWithOffset, metric, minutes, ToolError, unitOf } from "../../src/assistant/tool-args.ts";

const refused = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ToolError);
    return (error as Error).message;
  }
  throw new Error("not refused");
};

describe("ranges of days", () => {
  test("both ends count; the longest range passes and one day more is refused with a range that fits", () => {
    expect(dayRange("2026-01-01", "2026-01-01", 90).days).toBe(1);
    expect(dayRange("2025-10-21", "2026-01-18", 90).days).toBe(90);
    expect(refused(() => dayRange("2025-10-20", "2026-01-18", 90))).toBe("the range is 91 days long: at most 90 days (e.g. start_date 2025-10-21 to end_date 2026-01-18)");
    expect(refused(() => dayRange("2026-01-18", "2026-01-17", 90))).toContain("before start_date");
    expect(refused(() => dayRange("2026-02-30", "2026-03-01", 90))).toContain("YYYY-MM-DD");
  });

  test("a count of days is a whole number from 1 to the most", () => {
    expect(dayCount(undefined, 30, 365)).toBe(30);
    expect(dayCount(365, 30, 365)).toBe(365);
    expect(refused(() => dayCount(366, 30, 365))).toBe("days is 366: at most 365");
    for (const bad of [0, -3, 2.5]) expect(refused(() => dayCount(bad, 30, 365))).toContain("whole number");
  });
});

describe("instants", () => {
  test("an offset is kept to write answers in, a day is its midnight UTC, anything else is refused", () => {
    expect(instant("2026-01-18T06:00:00-05:00", "start")).toEqual({ ms: Date.parse("2026-01-18T11:00:00Z"), offsetMinutes: -300 });
    expect(instant("2026-01-18T06:00:00+05:30", "start").offsetMinutes).toBe(330);
    expect(instant("2026-01-18", "start")).toEqual({ ms: Date.parse("2026-01-18T00:00:00Z"), offsetMinutes: 0 });
    for (const bad of ["2026-01-18T06:00:00", "yesterday", "2026-13-01T00:00:00Z"]) expect(refused(() => instant(bad, "start"))).toContain("ISO 8601");
  });

  test("written back in the same offset", () => {
    const at = Date.parse("2026-01-18T11:05:00Z");
    expect(isoWithOffset(at, -300)).toBe("2026-01-18T06:05:00-05:00");
    expect(isoWithOffset(at, 330)).toBe("2026-01-18T16:35:00+05:30");
    expect(isoWithOffset(at, 0)).toBe("2026-01-18T11:05:00+00:00");
  });
});

describe("metrics", () => {
  test("the catalogue's keys and Oura's field names; an unknown one is refused with every valid key", () => {
    expect(metric("hrv").key).toBe("hrv");
    expect(metric("average_hrv").key).toBe("hrv");
    expect(metric(" Lowest_Heart_Rate ").key).toBe("resting_hr");
    const message = refused(() => metric("mood"));
    for (const key of ["sleep", "readiness", "hrv", "resting_hr", "steps", "resilience", "vo2_max"]) expect(message).toContain(key);
  });

  test("each answer's unit", () => {
    expect(unitOf(metric("hrv"))).toBe("ms");
    expect(unitOf(metric("readiness"))).toBe("score 0–100");
    expect(unitOf(metric("stress_high"))).toBe("seconds");
    expect(unitOf(metric("temperature"))).toBe("°C");
    expect(unitOf(metric("resilience"))).toBe("level 1–5 (limited, adequate, solid, strong, exceptional)");
    expect(minutes(24_900)).toBe(415);
    expect(minutes(null)).toBeNull();
  });
});
