// The demo's person: realistic ranges however long it runs, a weekly rhythm, and whole documents.
import { describe, expect, test } from "bun:test";
import { documentsForDay } from "../../src/demo/sample-data.ts";
import { FakeOura } from "../../src/demo/fake-oura.ts";
import { dailyCardiovascularAgeWithoutId, dailyReadiness, dailySleep, OURA_ENUMS, OURA_MODELS, ouraDocuments, sleep as fixtureSleep, sleepNap } from "../fixtures/oura-documents.ts";

const days = Array.from({ length: 3 * 365 }, (_, i) => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));
// The first document of each path: the main sleep comes before a nap. Each day's documents are made once (whole
// documents, a day of MET and 30-second phases each): the checks below read the same days many times.
const made = new Map<string, Record<string, Record<string, any>>>();
const byPath = (day: string, version = 0) => {
  const key = `${day} ${version}`;
  const known = made.get(key);
  if (known) return known;
  const first: Record<string, Record<string, any>> = {};
  for (const { path, document } of documentsForDay(day, version)) first[path] ??= document;
  made.set(key, first);
  return first;
};

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

// The newer types, as Oura's OpenAPI (1.37) lists them: field names, nullability, enums and realistic ranges.
describe("demo sample data: every data type the ring produces", () => {
  const twoYears = days.slice(0, 2 * 365);
  const all = twoYears.map((day) => ({ day, documents: documentsForDay(day) }));
  const ofType = (dataType: string) => all.flatMap(({ documents }) => documents.filter((d) => d.dataType === dataType).map((d) => d.document as Record<string, any>));
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

  test("each type is there, with Oura's field names (no field the model lacks, none it requires missing) and Oura's path", () => {
    for (const { documents } of all) {
      for (const { dataType, path, document } of documents) {
        const model = OURA_MODELS[dataType];
        if (!model) throw new Error(`no model for ${dataType}`);
        const keys = Object.keys(document);
        const unknown = keys.filter((k) => !model.properties.includes(k));
        const missing = model.required.filter((k) => !keys.includes(k));
        if (unknown.length || missing.length) throw new Error(`${dataType} ${document.id}: unknown ${unknown} missing ${missing}`);
        expect(path).toBe(dataType === "vo2_max" ? "vO2_max" : dataType);
      }
    }
    // Every day has its dailies; the others come on some days.
    for (const type of ["daily_sleep", "daily_readiness", "daily_activity", "daily_stress", "daily_resilience", "daily_spo2", "daily_cardiovascular_age"]) expect(ofType(type)).toHaveLength(twoYears.length);
    for (const type of ["sleep", "workout", "session", "enhanced_tag", "tag", "vo2_max"]) expect(ofType(type).length).toBeGreaterThan(20);
    // The fields a dashboard shows are all there, on every main sleep (not only the required ones).
    for (const night of ofType("sleep").filter((s) => s.type === "long_sleep")) {
      for (const field of ["restless_periods", "readiness", "time_in_bed", "average_breath", "movement_30_sec", "sleep_phase_30_sec", "low_battery_alert", "sleep_algorithm_version"]) expect(night).toHaveProperty(field);
      expect(Object.keys(night.readiness).sort()).toEqual(["contributors", "score", "temperature_deviation", "temperature_trend_deviation"]);
    }
    // Ids are unique per type (a nap has its own).
    for (const type of Object.keys(OURA_MODELS)) expect(new Set(ofType(type).map((d) => d.id)).size).toBe(ofType(type).length);
  }, 30_000);

  test("values stay in realistic ranges over two years, nulls where Oura sends them", () => {
    const inRange = (name: string, value: unknown, low: number, high: number) => {
      if (typeof value !== "number" || !(value >= low && value <= high)) throw new Error(`${name} ${value} out of [${low}, ${high}]`);
    };
    for (const d of ofType("daily_stress")) {
      inRange("stress_high", d.stress_high, 0, 4 * 3600);
      inRange("recovery_high", d.recovery_high, 0, 5 * 3600);
      expect(d.stress_high % 900 + d.recovery_high % 900).toBe(0);
      expect([...OURA_ENUMS.daySummary, null]).toContain(d.day_summary);
    }
    expect(ofType("daily_stress").some((d) => d.day_summary === null)).toBe(true);
    expect(new Set(ofType("daily_stress").map((d) => d.day_summary)).size).toBe(4);
    for (const d of ofType("daily_resilience")) {
      for (const value of Object.values(d.contributors)) inRange("resilience contributor", value, 0, 100);
      expect(Object.keys(d.contributors).sort()).toEqual(["daytime_recovery", "sleep_recovery", "stress"]);
      expect(OURA_ENUMS.resilienceLevel).toContain(d.level);
    }
    // Resilience is long-term: the level changes on few days, and goes through more than one value.
    const levels = ofType("daily_resilience").map((d) => d.level);
    expect(levels.filter((level, i) => i > 0 && level !== levels[i - 1]).length).toBeLessThan(levels.length / 4);
    expect(new Set(levels).size).toBeGreaterThanOrEqual(3);
    const spo2 = ofType("daily_spo2");
    for (const d of spo2) {
      if (d.spo2_percentage === null) expect(d.breathing_disturbance_index).toBeNull();
      else {
        inRange("SpO2", d.spo2_percentage.average, 95, 99);
        inRange("BDI", d.breathing_disturbance_index, 0, 15);
        expect(Number.isInteger(d.breathing_disturbance_index)).toBe(true);
      }
    }
    expect(spo2.filter((d) => d.spo2_percentage === null).length).toBeGreaterThan(0);
    expect(spo2.filter((d) => d.spo2_percentage === null).length).toBeLessThan(spo2.length / 10);
    for (const d of ofType("daily_cardiovascular_age")) {
      inRange("vascular age", d.vascular_age, 36, 46);
      inRange("pulse wave velocity", d.pulse_wave_velocity, 5, 10);
    }
    // VO2 max: on about one day in seven, an integer that moves slowly.
    const vo2 = ofType("vo2_max");
    expect(vo2.length / twoYears.length).toBeCloseTo(1 / 7, 1);
    for (const [i, d] of vo2.entries()) {
      inRange("VO2 max", d.vo2_max, 38, 46);
      expect(Number.isInteger(d.vo2_max)).toBe(true);
      expect(d.timestamp.startsWith(d.day)).toBe(true);
      if (i > 0) expect(Math.abs(d.vo2_max - vo2[i - 1]!.vo2_max)).toBeLessThanOrEqual(3);
    }
    for (const d of ofType("session")) {
      expect(OURA_ENUMS.sessionType).toContain(d.type);
      expect([...OURA_ENUMS.mood, null]).toContain(d.mood);
      const seconds = (Date.parse(d.end_datetime) - Date.parse(d.start_datetime)) / 1000;
      for (const sample of [d.heart_rate, d.heart_rate_variability, d.motion_count]) {
        if (sample === null) continue;
        expect(Object.keys(sample).sort()).toEqual(["interval", "items", "timestamp"]);
        expect(sample.items).toHaveLength(seconds / sample.interval);
      }
      expect((d.heart_rate === null) === (d.heart_rate_variability === null)).toBe(true);
    }
    expect(ofType("session").some((d) => d.heart_rate === null)).toBe(true);
    for (const d of ofType("enhanced_tag")) {
      expect(["tag_sleep_alcohol", "tag_sleep_latemeal", "tag_generic_caffeine"]).toContain(d.tag_type_code);
      expect(d.start_time.startsWith(d.start_day)).toBe(true);
      expect(d).not.toHaveProperty("day");
      expect([d.end_time, d.end_day, d.custom_name]).toEqual([null, null, null]);
      expect(typeof d.comment).toBe("string");
    }
    for (const d of ofType("tag")) {
      expect(typeof d.text).toBe("string");
      expect(Array.isArray(d.tags)).toBe(true);
      expect(d.timestamp.startsWith(d.day)).toBe(true);
    }
    // Naps: beside the main sleep on Sundays, type "sleep", short; 255 (no reading) exactly when there are no series.
    const naps = ofType("sleep").filter((d) => d.type !== "long_sleep");
    expect(naps.length).toBeGreaterThan(50);
    for (const nap of naps) {
      expect(nap.type).toBe("sleep");
      expect(new Date(`${nap.day}T00:00:00Z`).getUTCDay()).toBe(0);
      expect(nap.period).toBe(1);
      inRange("nap time in bed", nap.time_in_bed, 15 * 60, 3 * 3600);
      if (nap.heart_rate === null) expect([nap.lowest_heart_rate, nap.hrv, nap.average_hrv]).toEqual([255, null, null]);
      else inRange("nap lowest heart rate", nap.lowest_heart_rate, 45, 90);
      expect(nap.deep_sleep_duration + nap.light_sleep_duration + nap.rem_sleep_duration + nap.awake_time).toBe(nap.time_in_bed);
    }
    expect(naps.some((nap) => nap.lowest_heart_rate === 255)).toBe(true);
    for (const night of ofType("sleep").filter((d) => d.type === "long_sleep")) {
      inRange("restless periods", night.restless_periods, 100, 500);
      expect(night.movement_30_sec).toHaveLength(night.time_in_bed / 30);
      expect(night.movement_30_sec).toMatch(/^[1234]+$/);
    }
  }, 30_000);

  test("drinks on Friday and Saturday evenings, and the nights after are worse: lower HRV, higher lowest heart rate, lower readiness", () => {
    const drinks = all.filter(({ documents }) => documents.some((d) => d.dataType === "enhanced_tag" && d.document.tag_type_code === "tag_sleep_alcohol")).map(({ day }) => day);
    expect(drinks.length).toBeGreaterThan(100);
    expect(drinks.filter((day) => [5, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())).length / drinks.length).toBeGreaterThan(0.8);
    const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const after = new Set(drinks.map(nextDay));
    const mornings = twoYears.slice(1).map((day) => ({ after: after.has(day), night: byPath(day).sleep!, readiness: byPath(day).daily_readiness!.score as number }));
    const split = (read: (m: (typeof mornings)[number]) => number) => [mean(mornings.filter((m) => m.after).map(read)), mean(mornings.filter((m) => !m.after).map(read))] as const;
    const [hrvAfter, hrvOtherwise] = split((m) => m.night.average_hrv);
    const [hrAfter, hrOtherwise] = split((m) => m.night.lowest_heart_rate);
    const [readyAfter, readyOtherwise] = split((m) => m.readiness);
    expect(hrvAfter).toBeLessThan(hrvOtherwise - 6);
    expect(hrAfter).toBeGreaterThan(hrOtherwise + 3);
    expect(readyAfter).toBeLessThan(readyOtherwise - 6);
  }, 30_000);

  test("the same day gives the same documents; today's revisions keep every type's shape", () => {
    expect(JSON.stringify(documentsForDay("2026-03-07"))).toBe(JSON.stringify(documentsForDay("2026-03-07")));
    const first = documentsForDay("2026-03-07", 0);
    const revised = documentsForDay("2026-03-07", 7);
    expect(revised.map((d) => `${d.dataType}/${d.document.id}`)).toEqual(first.map((d) => `${d.dataType}/${d.document.id}`));
    const stress = (docs: typeof first) => docs.find((d) => d.dataType === "daily_stress")!.document.stress_high as number;
    expect(Math.abs(stress(revised) - stress(first))).toBeLessThanOrEqual(900);
  });

  test("the test fixtures are Oura's shapes too (one document keeps the id-less form a recorded answer had)", () => {
    for (const { dataType, path, document } of ouraDocuments) {
      const model = OURA_MODELS[dataType]!;
      const keys = Object.keys(document);
      expect(keys.filter((k) => !model.properties.includes(k))).toEqual([]);
      expect(model.required.filter((k) => !keys.includes(k))).toEqual([]);
      expect(path).toBe(dataType === "vo2_max" ? "vO2_max" : dataType);
    }
    expect(Object.keys(dailyCardiovascularAgeWithoutId)).not.toContain("id");
    expect(fixtureSleep.heart_rate.items).toHaveLength(fixtureSleep.time_in_bed / 300);
    expect(fixtureSleep.deep_sleep_duration + fixtureSleep.light_sleep_duration + fixtureSleep.rem_sleep_duration + fixtureSleep.awake_time).toBe(fixtureSleep.time_in_bed);
    expect(fixtureSleep.movement_30_sec).toHaveLength(fixtureSleep.time_in_bed / 30);
    expect(sleepNap.id).not.toBe(fixtureSleep.id);
    expect(sleepNap.heart_rate.items).toHaveLength(sleepNap.time_in_bed / 300);
    // Local times are New York's (-05:00); only daily_sleep and daily_readiness stamp midnight at +00:00, as Oura does.
    const times = ouraDocuments.flatMap(({ document }) => JSON.stringify(document).match(/\d{4}-\d{2}-\d{2}T[\d:.]+[+-]\d{2}:\d{2}/g) ?? []);
    expect(times.length).toBeGreaterThan(30);
    expect(times.filter((t) => !t.endsWith("-05:00"))).toEqual([dailySleep.timestamp, dailyReadiness.timestamp]);
  });
});

describe("the fake Oura serves every type the demo makes", () => {
  test("list routes (vO2_max for vo2_max; enhanced tags filtered by start_day) and single-document routes", async () => {
    const fake = new FakeOura({ pageSize: 3 }).start();
    try {
      fake.addUser("USER-T");
      const { access_token } = fake.issueTokens("USER-T");
      // Two weeks around a day with an old-style tag (they are rare), so every type is in the window.
      const noted = days.findIndex((day, i) => i > 60 && documentsForDay(day).some((d) => d.path === "tag"));
      const week = days.slice(noted - 6, noted + 8);
      const expected = new Map<string, Set<string>>();
      for (const day of week) {
        for (const { path, document } of documentsForDay(day)) {
          fake.putDocument("USER-T", path, document);
          const wanted = day >= week[3]! && day <= week[9]!;
          if (wanted) expected.set(path, (expected.get(path) ?? new Set()).add(document.id));
        }
      }
      const paths = ["daily_sleep", "daily_readiness", "daily_activity", "sleep", "workout", "daily_stress", "daily_resilience", "daily_spo2", "daily_cardiovascular_age", "vO2_max", "session", "enhanced_tag", "tag"];
      expect([...expected.keys()].sort()).toEqual([...paths].sort());
      const get = async (path: string) => {
        const response = await fetch(`${fake.url}${path}`, { headers: { authorization: `Bearer ${access_token}` } });
        expect(response.status).toBe(200);
        return (await response.json()) as any;
      };
      for (const path of paths) {
        const ids = new Set<string>();
        let token: string | null = null;
        do {
          const page: any = await get(`/v2/usercollection/${path}?start_date=${week[3]}&end_date=${week[9]}${token ? `&next_token=${token}` : ""}`);
          for (const document of page.data) ids.add(document.id);
          token = page.next_token;
        } while (token);
        expect([path, [...ids].sort()]).toEqual([path, [...expected.get(path)!].sort()]);
        const one = [...ids][0]!;
        expect((await get(`/v2/usercollection/${path}/${one}`)).id).toBe(one);
      }
    } finally {
      fake.stop();
    }
  });
});
