// The demo's person: realistic ranges however long it runs, a weekly rhythm, and whole documents.
import { describe, expect, test } from "bun:test";
import { documentsForDay } from "../../src/demo/sample-data.ts";

const days = Array.from({ length: 3 * 365 }, (_, i) => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));
const byPath = (day: string, version = 0) => Object.fromEntries(documentsForDay(day, version).map((d) => [d.path, d.document])) as Record<string, Record<string, any>>;

describe("demo sample data", () => {
  test("three years of days, and thousands of revisions of one day, stay in realistic ranges", () => {
    const ranges: [string, (d: Record<string, Record<string, any>>) => number, number, number][] = [
      ["sleep score", (d) => d.daily_sleep!.score, 50, 96],
      ["readiness", (d) => d.daily_readiness!.score, 45, 97],
      ["activity", (d) => d.daily_activity!.score, 45, 98],
      ["steps", (d) => d.daily_activity!.steps, 0, 17_000],
      ["HRV", (d) => d.sleep!.average_hrv, 20, 90],
      ["lowest heart rate", (d) => d.sleep!.lowest_heart_rate, 42, 67],
      ["total sleep (h)", (d) => d.sleep!.total_sleep_duration / 3600, 4, 10],
      ["efficiency", (d) => d.sleep!.efficiency, 70, 99],
    ];
    const check = (documents: Record<string, Record<string, any>>) => {
      for (const [name, read, low, high] of ranges) {
        const value = read(documents);
        if (!(value >= low && value <= high)) throw new Error(`${name} ${value} out of [${low}, ${high}]`);
      }
    };
    for (const day of days) check(byPath(day));
    // The demo's stream revises today again and again (an hour at 1 a second): the values must not climb. Every sixth
    // revision of that hour is checked.
    const scores: number[] = [];
    for (let version = 1; version <= 3600; version += 6) {
      const revised = byPath("2026-12-02", version);
      check(revised);
      scores.push(revised.daily_sleep!.score);
    }
    expect(Math.max(...scores) - Math.min(...scores)).toBeLessThanOrEqual(4);
  }, 60_000);

  test("it varies like a week: fewer steps and more sleep at weekends, and neither stuck nor drifting over months", () => {
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const weekend = days.filter((d) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()));
    const weekdays = days.filter((d) => !weekend.includes(d));
    expect(mean(weekend.map((d) => byPath(d).daily_activity!.steps))).toBeLessThan(mean(weekdays.map((d) => byPath(d).daily_activity!.steps)) - 1000);
    expect(mean(weekend.map((d) => byPath(d).sleep!.total_sleep_duration))).toBeGreaterThan(mean(weekdays.map((d) => byPath(d).sleep!.total_sleep_duration)) + 1200);
    const quarters = [0, 1, 2, 3].map((q) => mean(days.slice(q * 90, q * 90 + 90).map((d) => byPath(d).daily_sleep!.score)));
    expect(Math.max(...quarters) - Math.min(...quarters)).toBeLessThan(6);
    const distinct = new Set(days.slice(0, 30).map((d) => byPath(d).daily_readiness!.score));
    expect(distinct.size).toBeGreaterThan(10);
  }, 30_000);

  test("a night is whole: phases every 5 minutes, heart-rate and HRV series of the same length, durations that add up", () => {
    const night = byPath("2026-12-01").sleep!;
    const slots = night.sleep_phase_5_min.length;
    expect(slots).toBe(night.time_in_bed / 300);
    expect(night.sleep_phase_5_min).toMatch(/^[1234]+$/);
    expect(night.heart_rate.items).toHaveLength(slots);
    expect(night.hrv.items).toHaveLength(slots);
    expect(night.heart_rate.interval).toBe(300);
    expect(night.deep_sleep_duration + night.light_sleep_duration + night.rem_sleep_duration + night.awake_time).toBe(night.time_in_bed);
    expect(Date.parse(night.bedtime_end) - Date.parse(night.bedtime_start)).toBe(night.time_in_bed * 1000);
    // Efficiency is what the durations say; and nights differ in their pattern, not only in their numbers.
    expect(night.efficiency).toBe(Math.round((night.total_sleep_duration / night.time_in_bed) * 100));
    expect(byPath("2026-12-02").sleep!.sleep_phase_5_min.slice(0, 60)).not.toBe(night.sleep_phase_5_min.slice(0, 60));
    expect(Math.min(...night.heart_rate.items.filter((v: number | null) => v !== null))).toBe(night.lowest_heart_rate);
    const readiness = byPath("2026-12-01").daily_readiness!;
    expect(Object.keys(readiness.contributors)).toHaveLength(9);
    const activity = byPath("2026-12-01").daily_activity!;
    expect(activity.met.items.length).toBe(960);
    expect(documentsForDay("2026-12-05").some((d) => d.path === "workout")).toBe(true);
  });
});
