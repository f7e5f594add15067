// "Last night": a seeded night with known values, drawn as the wearer would read it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningServer } from "../../src/server.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { startTestServer } from "../helpers/servers.ts";

let running: RunningServer;
const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
// 23:00 to 01:00 at UTC+01:00 (22:00–00:00 UTC): 24 slots — 6 awake… no: 2 awake, 10 deep, 8 light, 4 REM.
const phases = "44" + "1".repeat(10) + "2".repeat(8) + "3".repeat(4);
const heartRate = [null, null, 60, 58, 56, 54, 52, 50, 49, 50, 51, 52, 53, 54, null, null, 55, 56, 57, 58, 59, 60, 61, 62];
const night = {
  id: "night-1",
  day: "2026-11-30",
  type: "long_sleep",
  bedtime_start: "2026-11-29T23:00:00+01:00",
  bedtime_end: "2026-11-30T01:00:00+01:00",
  total_sleep_duration: 22 * 300,
  efficiency: 92,
  lowest_heart_rate: 49,
  average_hrv: 41,
  deep_sleep_duration: 3000,
  light_sleep_duration: 2400,
  rem_sleep_duration: 1200,
  awake_time: 600,
  sleep_phase_5_min: phases,
  heart_rate: { interval: 300, items: heartRate, timestamp: "2026-11-29T23:00:00+01:00" },
  hrv: { interval: 300, items: heartRate.map((v) => (v === null ? null : 100 - v)), timestamp: "2026-11-29T23:00:00+01:00" },
};

beforeAll(async () => {
  running = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
  const identity = { event_type: "create" as const, data_type: "sleep", object_id: night.id, event_time: "2026-11-30T06:00:00+00:00", user_id: "USER-N" };
  await running.storage.events.appendEvent({ source: "poll", identity, raw: JSON.stringify(identity), received: identity, fetch: "pending", document: night });
  // A nap the same day is not the night.
  const nap = { ...identity, object_id: "nap-1", event_time: "2026-11-30T14:00:00+00:00" };
  await running.storage.events.appendEvent({ source: "poll", identity: nap, raw: "{}", received: nap, fetch: "pending", document: { ...night, id: "nap-1", type: "late_nap", sleep_phase_5_min: "222" } });
});
afterAll(() => running.stop());

const page = async (path: string) => (await fetch(new URL(path, running.url), { headers: auth })).text();

describe("Last night", () => {
  test("the hypnogram is drawn as continuous runs in the right lanes, the curves gap where the ring had no reading", async () => {
    const html = await page("/dashboard");
    const section = html.slice(html.indexOf('<section id="night"'), html.indexOf("</section>", html.indexOf('<section id="night"')));
    expect(section).toContain("Last night (Nov 30)");
    // One block per run of a phase (no seams every 5 minutes): 2 awake, 10 deep, 8 light, 4 REM slots.
    const runs = [...section.matchAll(/<rect class="phase phase-\w+"[^>]*data-phase="(\w+)" data-slots="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(runs).toEqual([["awake", 2], ["deep", 10], ["light", 8], ["rem", 4]]);
    // Each stage's total beside its row.
    expect(section).toMatch(/data-phase="deep"><span class="lane-name">Deep<\/span> <span class="lane-total">0 h 50 min<\/span>/);
    // Times on the ring's clock that night (UTC+01:00), with the offset said.
    expect(section).toContain("23:00–01:00");
    expect(section).toContain("UTC+01:00");
    expect(section).toMatch(/>00:00</);
    // Heart rate: two runs of readings (a gap for the nulls), from 49 to 62 bpm.
    const curve = /<path class="line night-heart-rate" d="([^"]+)"/.exec(section)![1]!;
    expect(curve.match(/M/g)).toHaveLength(2);
    expect(curve.match(/[ML]/g)).toHaveLength(heartRate.filter((v) => v !== null).length);
    expect(section).toContain("Heart rate through the night: from 49 to 62 bpm, lowest 49 bpm at");
    // The lowest heart rate is marked on its curve and said in its title.
    expect(section).toContain('class="lowest-mark"');
    expect(section).toMatch(/id="night-heart-rate-lowest"> · lowest <strong>49 bpm<\/strong> at \d\d:\d\d/);
    // The numbers, and a text alternative saying the same.
    expect(section).toContain('id="night-total">1 h 50 min<');
    expect(section).toContain('id="night-lowest">49 bpm<');
    expect(section).toContain("asleep 1 h 50 min: deep 0 h 50 min, light 0 h 40 min, REM 0 h 20 min, awake 0 h 10 min; efficiency 92 %, lowest heart rate 49 bpm, average HRV 41 ms; also late nap 23:00–01:00.");
  });

  test("previous and next night: a night with no record says so, and the next link stops at today unless a later night is recorded", async () => {
    const earlier = await page("/dashboard/night?day=2026-11-29");
    expect(earlier).toContain("No night recorded for 2026-11-29");
    expect(earlier).toContain('hx-get="/dashboard/night?day=2026-11-30"');
    const shown = await page("/dashboard/night?day=2026-11-30");
    expect(shown).toContain("Night of Nov 30");
    expect(shown).toContain('hx-get="/dashboard/night?day=2026-11-29"');
    const today = new Date().toISOString().slice(0, 10);
    expect(await page(`/dashboard/night?day=${today}`)).not.toContain("Next night");
    // Tomorrow (UTC) is already a wearer's today east of UTC: once their night is recorded, today leads to it.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const identity = { event_type: "create" as const, data_type: "sleep", object_id: "night-ahead", event_time: new Date().toISOString(), user_id: "USER-N" };
    await running.storage.events.appendEvent({ source: "poll", identity, raw: "{}", received: identity, fetch: "pending", document: { ...night, id: "night-ahead", day: tomorrow } });
    expect(await page(`/dashboard/night?day=${today}`)).toContain(`hx-get="/dashboard/night?day=${tomorrow}"`);
    expect(await page(`/dashboard/night?day=${tomorrow}`)).not.toContain("Next night");
    expect(await page("/dashboard/night")).toContain(`data-day="${tomorrow}"`);
    // Gone again: the tests below read Nov 30 as the last night.
    running.storage.connection.database.run("DELETE FROM documents WHERE document_id = 'night-ahead'");
    running.storage.connection.database.run("DELETE FROM events WHERE object_id = 'night-ahead'");
    expect((await fetch(new URL("/dashboard/night?day=2026-13-45", running.url), { headers: auth })).status).toBe(400);
    // Prev/next change the page's address, so a night can be shared and reloaded.
    expect(shown).toContain('hx-push-url="/dashboard?night=2026-11-29"');
    expect(await page("/dashboard?night=2026-11-30")).toContain("Night of Nov 30");
  });

  test("an address that outlived its event or names no day still opens the dashboard, and says so", async () => {
    const gone = await fetch(new URL("/dashboard?event=999999", running.url), { headers: auth });
    expect(gone.status).toBe(200);
    expect(await gone.text()).toContain("Event 999999 is not here (deleted by retention, or never was).");
    const garbage = await fetch(new URL("/dashboard?night=garbage", running.url), { headers: auth });
    expect(garbage.status).toBe(200);
    const html = await garbage.text();
    expect(html).toContain("&quot;garbage&quot; is not a day (YYYY-MM-DD): showing the latest night.");
    expect(html).toContain("Last night (Nov 30)");
  });
});

test("a bedtime at the edge of what JavaScript can hold costs that night, not the page", async () => {
  const identity = { event_type: "create" as const, data_type: "sleep", object_id: "night-far", event_time: "2026-12-01T06:00:00+00:00", user_id: "USER-FAR" };
  await running.storage.events.appendEvent({ source: "poll", identity, raw: "{}", received: identity, fetch: "pending", document: { ...night, id: "night-far", day: "2026-12-01", bedtime_start: "+275760-09-13T00:00:00Z" } });
  const response = await fetch(new URL("/dashboard/night?day=2026-12-01", running.url), { headers: auth });
  expect(response.status).toBe(200);
  expect(await response.text()).toContain("No night recorded for 2026-12-01");
  expect((await fetch(new URL("/dashboard", running.url), { headers: auth })).status).toBe(200);
});
