// Oura's documents are input: a value of the wrong shape (a day that is no date, a time that is no time, text where a
// number belongs, arrays of the wrong length, nulls) costs that value — shown as missing — never the dashboard, the
// night view, a chart, the feed, the detail or the warehouse's day column.
import { shortDay } from "../../src/views/days.ts";
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { tempDir } from "../helpers/servers.ts";
import { testConfig } from "../helpers/config.ts";
import { createLogger } from "../../src/log.ts";
import { startServer } from "../../src/server.ts";

const USER = "USER-ODD";
const bearer = { authorization: `Bearer ${TEST_API_TOKEN}` };
const fake = new FakeOura().start();
let running: RunningServer;
let base: string;
let databasePath: string;
const logLines: string[] = [];
const DAY_MS = 86_400_000;
const dayAgo = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);

/** A whole, valid main sleep of `day` (the night the rest is compared with). */
function goodNight(day: string) {
  const start = `${dayAgo(1)}T23:10:00+01:00`;
  return {
    id: `sleep-${day}`,
    day,
    type: "long_sleep",
    bedtime_start: start,
    bedtime_end: `${day}T07:00:00+01:00`,
    sleep_phase_5_min: "4221133322111222333444".repeat(4),
    heart_rate: { interval: 300, timestamp: start, items: [62, 60, null, 58, 57, 56] },
    hrv: { interval: 300, timestamp: start, items: [40, 42, null, 45] },
    total_sleep_duration: 27_000,
    efficiency: 88,
    lowest_heart_rate: 51,
    average_hrv: 47,
    deep_sleep_duration: 5_400,
    light_sleep_duration: 14_400,
    rem_sleep_duration: 7_200,
    awake_time: 1_800,
  };
}

/** Sleep documents, each wrong in one way, all of today (the newest: what "Last night" would draw). */
const ODD_SLEEPS: Record<string, Record<string, unknown>>[] = [
  { markup_day: { day: `${dayAgo(0)}"><script>alert(1)</script>` } },
  { impossible_day: { day: "9999-99-99" } },
  { rolled_over_day: { day: "2026-02-30" } },
  { end_not_a_time: { bedtime_end: "soon" } },
  { end_a_year_later: { bedtime_end: "2027-12-08T07:00:00+01:00" } },
  { end_before_start: { bedtime_end: "2020-01-01T00:00:00Z" } },
  { start_a_number: { bedtime_start: 12345 } },
  { series_wrong: { heart_rate: { timestamp: "garbage", items: "not an array" }, hrv: { timestamp: 3, items: [null, "x", {}, true] } } },
  { series_far_away: { heart_rate: { interval: 300, timestamp: "1999-01-01T00:00:00Z", items: [60, 61] } } },
  { phases_huge: { sleep_phase_5_min: "1234".repeat(50_000) } },
  { phases_a_number: { sleep_phase_5_min: 42 } },
  { numbers_as_text: { total_sleep_duration: "8h", efficiency: "high", lowest_heart_rate: null, average_hrv: [], deep_sleep_duration: {} } },
  { nap_sentinel: { type: "sleep", lowest_heart_rate: 255, total_sleep_duration: 900 } },
  { huge_numbers: { heart_rate: { interval: 300, timestamp: `${dayAgo(1)}T23:10:00+01:00`, items: [1e308, -1e308, 60] }, efficiency: 1e308, average_hrv: -1e308 } },
  { offset_odd: { bedtime_start: `${dayAgo(1)}T23:10:00+99:99` } },
];

async function deliverDocument(path: string, document: Record<string, unknown> & { id: string }) {
  fake.putDocument(USER, path, document);
  const response = await fake.deliver(`${base}/webhooks`, { event_type: "create", data_type: path, object_id: String(document.id), event_time: new Date().toISOString(), user_id: USER });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: number };
  await waitFor(async () => {
    const event = (await (await fetch(`${base}/events/${id}`, { headers: bearer })).json()) as { fetch_status: string };
    return event.fetch_status === "fetched" || undefined;
  }, 8000, `${path} ${document.id} fetched`);
  return id;
}

const get = async (path: string) => {
  const response = await fetch(`${base}${path}`, { headers: bearer });
  return { status: response.status, text: await response.text() };
};

beforeAll(async () => {
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  databasePath = join(tempDir(), "odd.db");
  const logger = createLogger("info", { write: (line) => void logLines.push(line), drain: async () => {} });
  running = await startServer(testConfig({ ...fake.env(), PORT: String(port), API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: databasePath, POLLING_ENABLED: "false", RECONCILE_INTERVAL_HOURS: "0" }), logger);
  const tokens = fake.issueTokens(USER);
  await running.deps.accounts.link(USER, { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresInSeconds: tokens.expires_in });
  await deliverDocument("sleep", goodNight(dayAgo(1)));
  await deliverDocument("daily_sleep", { id: "ds-good", day: dayAgo(1), score: 77 });
});
afterAll(async () => {
  await running.stop();
  fake.stop();
});

/** Every page and fragment a viewer of this user can load: each must answer 200 and draw no NaN. */
async function everyViewWorks(eventId: number) {
  const paths = ["/dashboard", `/dashboard?event=${eventId}`, "/dashboard/night", `/dashboard/night?day=${dayAgo(0)}`, `/dashboard/night?day=${dayAgo(1)}`, "/dashboard/panels?days=30", "/dashboard/feed", `/dashboard/events/${eventId}`];
  for (const path of paths) {
    const { status, text } = await get(path);
    expect({ path, status }).toEqual({ path, status: 200 });
    expect({ path, nan: /NaN|Infinity|undefined/.test(text.replace(/<pre class="document">[\s\S]*?<\/pre>/g, "")) }).toEqual({ path, nan: false });
    expect(text).not.toContain("<script>alert(1)");
  }
  // A night is drawn over at most 36 hours: a year-long span or a 200,000-phase string is not drawn slot by slot.
  const night = (await get("/dashboard/night")).text;
  expect((night.match(/<rect/g) ?? []).length).toBeLessThanOrEqual(500);
  expect((night.match(/class="grid"/g) ?? []).length).toBeLessThanOrEqual(3 * 40);
  expect(night.length).toBeLessThan(200_000);
}

describe("a malformed value costs that value, not the page", () => {
  for (const [index, entry] of ODD_SLEEPS.entries()) {
    const [name, change] = Object.entries(entry)[0]!;
    test(`a sleep document with ${name.replaceAll("_", " ")}: every view answers 200 and shows the rest`, async () => {
      const document = { ...goodNight(dayAgo(0)), id: `odd-${index}`, ...change };
      const eventId = await deliverDocument("sleep", document);
      try {
        await checkOddNight(eventId, index, document, change);
      } finally {
        // Not left for the next case: the latest night is drawn from the newest document.
        await fetch(`${base}/events?object_id=odd-${index}`, { method: "DELETE", headers: bearer });
        new Database(databasePath).run("DELETE FROM documents WHERE document_id = ?", [`odd-${index}`]);
      }
    });
  }

  async function checkOddNight(eventId: number, index: number, document: Record<string, unknown> & { id: string }, change: Record<string, unknown>) {
      await everyViewWorks(eventId);
      // Yesterday's good night and score are still there, whole.
      const yesterday = await get(`/dashboard/night?day=${dayAgo(1)}`);
      expect(yesterday.text).toContain("7 h 30 min");
      expect((await get("/dashboard/panels?days=7")).text).toContain('data-value="77"');
      // The document is kept as Oura sent it; only what could not be read is missing.
      const stored = (await (await fetch(`${base}/documents/sleep/odd-${index}`, { headers: bearer })).json()) as { document: Record<string, unknown>; day: string | null };
      expect(stored.document).toEqual(document);
      if ("day" in change) {
        expect(stored.day).toBeNull();
        // Said once in the log, naming the field and the document, never the value.
        const told = logLines.filter((line) => line.includes("document.value_unreadable") && line.includes(`document_id=odd-${index}`));
        expect(told).toHaveLength(1);
        expect(told[0]).toContain("field=day");
        expect(told[0]).not.toContain("script");
      }
  }

  test("daily documents with text for scores, nulls, impossible days: the cards and charts skip those values and keep the others", async () => {
    await deliverDocument("daily_sleep", { id: "ds-text", day: dayAgo(2), score: "high" });
    await deliverDocument("daily_readiness", { id: "dr-null", day: dayAgo(2), score: null, contributors: "none" });
    // Finite but far too large: max − min would overflow to Infinity and put NaN into the chart.
    await deliverDocument("daily_sleep", { id: "ds-huge", day: dayAgo(4), score: 1e308 });
    await deliverDocument("daily_sleep", { id: "ds-huge-negative", day: dayAgo(5), score: -1e308 });
    await deliverDocument("daily_activity", { id: "da-odd", day: "9999-99-99", score: 80, steps: 12_000, met: { interval: 60, items: [1.2, "x"] } });
    await deliverDocument("daily_activity", { id: "da-future", day: "2099-01-01", score: 99, steps: 1 });
    const eventId = await deliverDocument("daily_readiness", { id: "dr-object", day: dayAgo(3), score: { value: 80 } });
    await everyViewWorks(eventId);
    const panels = (await get("/dashboard/panels?days=90")).text;
    expect(panels).toContain('data-value="77"');
    expect(panels).not.toContain('data-value="99"');
    expect(panels).not.toContain("9999");
  });

  test("a day stored before days were checked (an old database) still costs only that value", async () => {
    const eventId = await deliverDocument("sleep", { ...goodNight(dayAgo(0)), id: "legacy" });
    const db = new Database(databasePath);
    db.run("UPDATE documents SET day = '9999-99-99' WHERE document_id = 'legacy'");
    db.run("INSERT INTO document_values (metric, day, user_id, document_id, value) VALUES ('sleep', '9999-99-99', ?, 'legacy', 50)", [USER]);
    db.close();
    await everyViewWorks(eventId);
    // The real last night is still "Last night".
    expect((await get("/dashboard/night")).text).toContain(`Last night (${shortDay(dayAgo(1))})`);
  });
});
