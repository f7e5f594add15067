// A wearer's dashboard on realistic documents (Oura's OpenAPI 1.37 shapes, nulls included, a wearer in New York):
// today's scores and why, the night in full, every data type in its place, the feed in words, and the wearer's name.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { FakeOura } from "../../src/demo/fake-oura.ts";
import type { RunningServer } from "../../src/server.ts";
import * as oura from "../fixtures/oura-documents.ts";
import { signInWithOura } from "../helpers/sign-in.ts";
import { movableClock } from "../helpers/clock.ts";
import { startWithNewYorkWearers } from "../helpers/new-york-wearers.ts";

const WEARER = "WEARER-NY";
const OTHER = "WEARER-OTHER";
const fake = new FakeOura().start();
const clock = movableClock();
let running: RunningServer;
let base: string;
const sessions = new Map<string, { cookie: string; csrf: string }>();

const signIn = (userId: string) => signInWithOura(fake, base, userId);
/** PUT a display name as `as` (their session): the JSON route. */
const putName = (userId: string, name: string, as = WEARER) => {
  const session = sessions.get(as)!;
  return fetch(new URL(`/auth/users/${userId}/display-name`, base), {
    method: "PUT",
    headers: { cookie: session.cookie, "x-csrf-token": session.csrf, "content-type": "application/json" },
    body: JSON.stringify({ display_name: name }),
  });
};

const page = async (path: string, user = WEARER) => {
  const response = await fetch(new URL(path, base), { headers: { cookie: sessions.get(user)!.cookie } });
  expect(response.status).toBe(200);
  return response.text();
};
const section = (html: string, id: string) => {
  const start = html.indexOf(`id="${id}"`);
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf("</section>", start));
};

beforeAll(async () => {
  const started = await startWithNewYorkWearers(fake, clock, [WEARER, OTHER], "wearer.db");
  ({ running, base } = started);
  for (const [user, session] of started.sessions) sessions.set(user, session);
  const observedAt = new Date(clock.now()).toISOString();
  // Three earlier days of scores, so "usual" has something to compare with (a median of 70 for readiness).
  for (const [day, score] of [["2026-01-15", 68], ["2026-01-16", 70], ["2026-01-17", 72]] as const) {
    await running.storage.polls.recordPolledDocuments(WEARER, "daily_readiness", [{ ...oura.dailyReadiness, id: `r-${day}`, day, score }], observedAt, "poll");
  }
  // Another wearer's night, which WEARER must never see.
  await running.storage.polls.recordPolledDocuments(OTHER, "daily_readiness", [{ ...oura.dailyReadiness, id: "other-r", score: 41 }], observedAt, "poll");
});
afterAll(async () => {
  await running.stop();
  fake.stop();
});

describe("today, first", () => {
  test("the three scores with their change against the wearer's usual, and each score's contributors in Oura's bands", async () => {
    const html = await page("/dashboard");
    const whole = html.slice(html.indexOf('id="today"'), html.indexOf('id="night"'));
    // Today comes before the night, the trends and the feed.
    expect(html.indexOf('id="today"')).toBeLessThan(html.indexOf('id="night"'));
    expect(html.indexOf('id="today"')).toBeLessThan(html.indexOf('id="live"'));
    const today = section(html, "today");
    expect(today).toMatch(/id="card-readiness"><h3>Readiness<\/h3><p class="value">78<\/p>/);
    // Usual: the median of 68, 70, 72 and 78 (today included) is 71.
    expect(today).toContain("+7 vs usual");
    expect(today).toMatch(/id="card-sleep"><h3>Sleep<\/h3><p class="value">76<\/p>/);
    expect(today).toMatch(/id="card-activity"><h3>Activity<\/h3><p class="value">79<\/p>/);
    // Contributors as text beside their bars: 85+ optimal, 70–84 good, below 70 pay attention.
    expect(whole).toMatch(/data-contributor="deep_sleep">.*?88 · optimal/);
    expect(whole).toMatch(/data-contributor="restfulness">.*?67 · pay attention/);
    expect(whole).toMatch(/data-contributor="rem_sleep">.*?79 · good/);
    expect(whole).toMatch(/data-contributor="move_every_hour">.*?95 · optimal/);
    expect(today).toContain('id="contributors-readiness"');
    // Stress: the newest day that has a reading (Oura's null day after it is no news).
    expect(whole).toMatch(/id="today-stress">Stress: <strong>restored<\/strong> · high stress 45 min, high recovery 2 h 45 min/);
    // The day's stress, resilience and temperature, in words.
    expect(whole).toMatch(/id="today-resilience">Resilience: <strong>solid<\/strong>/);
    expect(whole).toContain("+0.12 °C");
    // The other wearer's 41 is nowhere.
    expect(html).not.toContain(">41<");
  });
});

describe("the night in full", () => {
  test("score, stage totals, latency, restless periods, breath, temperature, SpO2, BDI and the lowest heart rate marked", async () => {
    const night = section(await page("/dashboard"), "night");
    expect(night).toContain("Last night (Jan 18)");
    expect(night).toMatch(/id="night-score">Sleep score <strong>76<\/strong>/);
    expect(night).toContain('id="night-total">6 h 55 min<');
    expect(night).toContain('id="night-latency">9 min<');
    expect(night).toContain('id="night-restless">341<');
    expect(night).toContain('id="night-breath">14.9 /min<');
    expect(night).toContain('id="night-temperature">+0.12 °C<');
    expect(night).toContain('id="night-spo2">96.8 %<');
    expect(night).toContain('id="night-bdi">11<');
    // The bedtimes on the wearer's own clock (-05:00), whatever the server's zone.
    expect(night).toContain('id="night-in-bed">23:48–07:53<');
    expect(night).toMatch(/data-phase="deep"><span class="lane-name">Deep<\/span> <span class="lane-total">1 h 20 min</);
    expect(night).toMatch(/id="night-heart-rate-lowest"> · lowest <strong>57 bpm<\/strong> at \d\d:\d\d/);
    // The nap beside it is named, and its 255 (no reading) is never shown as a heart rate.
    expect(night).toContain('id="night-other">Also that day: sleep');
    expect(night).not.toContain("255");
  });
});

describe("every data type has a place", () => {
  test("stress, resilience, SpO2, VO2 max and cardiovascular age as trends; workouts, sessions and tags listed; tags marked", async () => {
    const panels = section(await page("/dashboard"), "panels");
    for (const metric of ["stress_high", "recovery_high", "resilience", "spo2", "breathing_disturbance", "vo2_max", "cardiovascular_age", "temperature"]) {
      expect(panels).toMatch(new RegExp(`id="chart-${metric}" data-points="[1-9]`));
    }
    expect(panels).toContain("Your 30-day median");
    // A drink on Saturday evening is marked on Saturday, on every chart.
    expect(panels).toContain('data-day="2026-01-17" data-tags="alcohol"');
    const activities = section(await page("/dashboard"), "activities");
    expect(activities).toContain("<strong>Walking</strong> · 52 min · 187 kcal · moderate");
    expect(activities).toContain("<strong>Park loop</strong> · 43 min · 512 kcal · 8.0 km · hard");
    expect(activities).toContain("<strong>Meditation</strong> · 12 min · mood good");
    expect(activities).toContain("<strong>Breathing</strong> · 5 min");
    expect(activities).toContain('<span class="tag">caffeine</span>');
    expect(activities).toContain('<span class="tag">Late work call</span>');
  });

  test("the resilience chart reads levels by name, not numbers", async () => {
    const chart = section(await page("/dashboard/panels?days=30").then((html) => `<section>${html}`), "chart-resilience");
    expect(chart).toContain("solid");
  });
});

describe("the feed in words", () => {
  test("rows say what arrived and from where; the raw type and ids stay in the detail", async () => {
    const feed = await page("/dashboard/feed");
    expect(feed).toMatch(/<span class="words">Readiness 78 \(\+7\)<\/span><span class="origin[^"]*"[^>]*>import</);
    expect(feed).toContain('<span class="words">Slept 6 h 55 min</span>');
    expect(feed).toContain('<span class="words">Walking · 52 min · 187 kcal · moderate</span>');
    expect(feed).toContain('<span class="words">Tag: alcohol</span>');
    expect(feed).toContain('<span class="words">SpO2 96.8 %');
    expect(feed).toContain('<span class="words">Resilience: solid</span>');
    expect(feed).toContain('<span class="words">Cardiovascular age 42 years</span>');
    expect(feed).toContain('<span class="words">Stress: no summary</span>');
    expect(feed).toMatch(/<span class="words">Readiness 72 \(\+1\)<\/span><span class="origin[^"]*"[^>]*>poll</);
    expect(feed).not.toMatch(/<span class="words">daily_/);
  });

  test("the detail opens with a summary in words; the JSON is below, closed; long series are summarised with a small curve", async () => {
    const events = (await (await fetch(new URL(`/events?user_id=${WEARER}&data_type=daily_activity`, base), { headers: { cookie: sessions.get(WEARER)!.cookie } })).json()) as { events: { id: number }[] };
    const detail = await (await fetch(new URL(`/dashboard/events/${events.events[0]!.id}`, base), { headers: { cookie: sessions.get(WEARER)!.cookie, "hx-request": "true" } })).text();
    const summary = detail.indexOf('class="human-summary"');
    const json = detail.indexOf('<details class="raw-json">');
    expect(summary).toBeGreaterThan(-1);
    expect(json).toBeGreaterThan(summary);
    expect(detail).toContain("<strong>Activity 79 · 8,432 steps</strong>");
    expect(detail).toMatch(/<dt>Sedentary time<\/dt><dd>10 h 30 min<\/dd>/);
    expect(detail).toMatch(/<code>met\.items<\/code>: 1,440 values, min [\d.]+, mean [\d.]+, max [\d.]+<\/span><svg class="spark"/);
  });
});

describe("people by name", () => {
  test("a wearer names themselves; the name replaces the email where it was shown; another's name is not theirs to set", async () => {
    const own = sessions.get(WEARER)!;
    const set = await putName(WEARER, "  Ann   in NY ");
    expect(set.status).toBe(200);
    expect(((await set.json()) as { display_name: string }).display_name).toBe("Ann in NY");
    expect(await page("/dashboard/feed")).toMatch(/<span class="user" title="WEARER-NY">\s*Ann in NY\s*<\/span>/);
    // Another wearer cannot name them (their user is not one they may see).
    const refused = await putName(WEARER, "Mallory", OTHER);
    expect(refused.status).toBe(404);
    // Too long: a clear 400, and the name stays.
    const tooLong = await putName(WEARER, "x".repeat(61));
    expect(tooLong.status).toBe(422);
    expect(((await tooLong.json()) as { error: { code: string } }).error.code).toBeString();
    // A name that reads as another user's, or has nothing readable: refused, clearly.
    const put = (name: string) => putName(WEARER, name);
    expect((await put("WEARER-other@example.com")).status).toBe(409);
    expect((await put("\u200b\u200b")).status).toBe(400);
    // Direction overrides and zero-width characters are left out of a name that has letters.
    const cleaned = await put("\u202eAnn\u200b");
    expect(((await cleaned.json()) as { display_name: string }).display_name).toBe("Ann");
    // The dashboard's form, and an empty name brings the email back.
    const form = await fetch(new URL(`/dashboard/users/${WEARER}/name`, base), {
      method: "PUT",
      headers: { cookie: own.cookie, "x-csrf-token": own.csrf, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ display_name: "" }),
    });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain("wearer-ny@example.com");
  });
});

describe("drawn once, drawn again when a document changes", () => {
  test("a revised score shows at once; one wearer's drawing is never another's", async () => {
    const before = await page("/dashboard/today");
    expect(before).toMatch(/id="card-readiness"><h3>Readiness<\/h3><p class="value">78</);
    // The same view again comes from the render cache (the same text), until a document changes.
    expect(await page("/dashboard/today")).toBe(before);
    const observedAt = new Date(clock.now()).toISOString();
    await running.storage.polls.recordPolledDocuments(WEARER, "daily_readiness", [{ ...oura.dailyReadiness, score: 83 }], observedAt, "poll");
    expect(await page("/dashboard/today")).toMatch(/id="card-readiness"><h3>Readiness<\/h3><p class="value">83</);
    expect(await page("/dashboard")).toMatch(/id="card-readiness"><h3>Readiness<\/h3><p class="value">83</);
    // The other wearer, right after: their own 41, not the drawing just made for WEARER.
    const other = await page("/dashboard/today", OTHER);
    expect(other).toMatch(/id="card-readiness"><h3>Readiness<\/h3><p class="value">41</);
    expect(other).not.toContain(">83<");
    // A change made by another process (a CLI purge, a restore) moves the same count: it is kept in the database.
    running.storage.connection.database.run("UPDATE documents SET payload = json_set(payload, '$.score', 61) WHERE user_id = ? AND data_type = 'daily_readiness' AND document_id = ?", [WEARER, oura.dailyReadiness.id]);
    expect(await page("/dashboard/today")).toMatch(/<p class="value">61</);
    // Drawn ahead: after a change, the server's job redraws the views used lately (WEARER's today, night, 7- and 30-day
    // trends), not OTHER's, whose documents did not change.
    running.storage.connection.database.run("UPDATE documents SET payload = json_set(payload, '$.score', 66) WHERE user_id = ? AND data_type = 'daily_readiness' AND document_id = ?", [WEARER, oura.dailyReadiness.id]);
    expect(await running.deps.renderCache.redrawChanged()).toBe(4);
    expect(await running.deps.renderCache.redrawChanged()).toBe(0);
    expect(await page("/dashboard/today")).toMatch(/<p class="value">66</);
  });
});
