// The poller against the fake Oura over real HTTP and real SQLite: the right parameters per list route, every page,
// create/update/nothing by content, no duplicates over many cycles, failures kept to their own pair, Oura's 429 and
// the shared request budget respected, heart rate stored once per instant, state kept across restarts.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { createTokenCipher } from "../../src/auth/token-cipher.ts";
import { TokenManager } from "../../src/auth/token-manager.ts";
import { Poller } from "../../src/jobs/poller.ts";
import { silentLogger } from "../../src/log.ts";
import { Metrics } from "../../src/metrics.ts";
import { createOuraClient } from "../../src/oura/client.ts";
import { DATED_DOCUMENT_TYPES, POLLABLE_DATA_TYPES } from "../../src/oura/data-types.ts";
import { RequestBudget } from "../../src/oura/request-budget.ts";
import type { Event } from "../../src/storage/events.ts";
import { AccountStore } from "../../src/storage/sqlite/account-store.ts";
import { openSqliteStorage, type SqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";
import { FakeOura } from "../fake-oura.ts";
import { testConfig } from "../helpers/config.ts";

const DAY = 86_400_000;
let fake: FakeOura;
let clock: number;
let store: SqliteStorage;
let accounts: AccountStore;
let announced: Event[];
let metrics: Metrics;

const today = () => new Date(clock).toISOString().slice(0, 10);
const dayBefore = (n: number) => new Date(clock - n * DAY).toISOString().slice(0, 10);

function makePoller(dataTypes: string[], options: { budget?: RequestBudget; lookbackDays?: number; mode?: "poll" | "reconcile"; intervalSeconds?: number } = {}) {
  const oura = createOuraClient(testConfig(fake.env()).oura, fetch, options.budget);
  const tokens = new TokenManager(accounts, oura, silentLogger, () => clock);
  return new Poller({
    polls: store.polls,
    accounts,
    tokens,
    oura,
    onEventAdded: (event) => void announced.push(event),
    logger: silentLogger,
    metrics,
    now: () => clock,
    intervalSeconds: options.intervalSeconds ?? 300,
    lookbackDays: options.lookbackDays ?? 2,
    dataTypes,
    mode: options.mode ?? "poll",
  });
}

async function link(userId: string) {
  const issued = fake.issueTokens(userId);
  await accounts.link(userId, { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresInSeconds: issued.expires_in });
}

const pollEvents = () => store.connection.database.query<{ object_id: string; event_type: string; source: string; fetch_status: string }, []>("SELECT object_id, event_type, source, fetch_status FROM events ORDER BY id").all();

beforeEach(async () => {
  fake?.stop();
  fake = new FakeOura({ pageSize: 2 }).start();
  // Noon of today: the cycles move the clock on by minutes, and must not carry "today" past midnight mid-test.
  clock = Date.parse(`${new Date().toISOString().slice(0, 10)}T12:00:00Z`);
  store = await openSqliteStorage(":memory:");
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  accounts = new AccountStore(store.connection, createTokenCipher(key), () => clock);
  announced = [];
  metrics = new Metrics();
  await link("USER-P");
});
afterAll(() => fake.stop());

describe("each cycle", () => {
  test("every list route with its own parameters, the window padded a day each side, every page followed", async () => {
    const poller = makePoller([...POLLABLE_DATA_TYPES]);
    for (let i = 0; i < 5; i++) fake.putDocument("USER-P", "daily_sleep", { id: `ds-${i}`, day: dayBefore(i % 3), score: 70 + i });
    fake.putDocument("USER-P", "vO2_max", { id: "v-1", day: today(), vo2_max: 44 });
    fake.putDocument("USER-P", "ring_configuration", { id: "ring-1", color: "silver" });
    expect(await poller.tick()).toBe(POLLABLE_DATA_TYPES.length);

    const lists = fake.requests.filter((r) => r.path.startsWith("/v2/usercollection/"));
    // The fake answers 400 to a parameter a route does not take: none was refused, every pair succeeded.
    const states = await store.polls.pollStates("USER-P");
    expect(states.filter((s) => s.last_error !== null)).toEqual([]);
    expect(states.length).toBe(POLLABLE_DATA_TYPES.length);
    for (const type of DATED_DOCUMENT_TYPES) {
      const path = type === "vo2_max" ? "vO2_max" : type;
      const first = new URLSearchParams(lists.find((r) => r.path === `/v2/usercollection/${path}`)!.query);
      expect([...first.keys()].sort()).toEqual(["end_date", "start_date"]);
      expect(first.get("start_date")).toBe(dayBefore(3));
      expect(first.get("end_date")).toBe(new Date(clock + DAY).toISOString().slice(0, 10));
    }
    const heart = new URLSearchParams(lists.find((r) => r.path === "/v2/usercollection/heartrate")!.query);
    expect([...heart.keys()].sort()).toEqual(["end_datetime", "start_datetime"]);
    expect(lists.find((r) => r.path === "/v2/usercollection/ring_configuration")!.query).toBe("");
    // Five daily_sleep documents in pages of two: three requests, the later ones with next_token.
    const sleepPages = lists.filter((r) => r.path === "/v2/usercollection/daily_sleep");
    expect(sleepPages.length).toBe(3);
    expect(sleepPages.slice(1).every((r) => new URLSearchParams(r.query).has("next_token"))).toBe(true);

    const events = pollEvents();
    expect(events.length).toBe(7);
    expect(events.every((e) => e.source === "poll" && e.event_type === "create" && e.fetch_status === "fetched")).toBe(true);
    expect(announced.map((e) => e.object_id).sort()).toEqual(["ds-0", "ds-1", "ds-2", "ds-3", "ds-4", "ring-1", "v-1"]);
    expect((await store.documents.getDocument("vo2_max", "v-1"))?.document).toEqual({ id: "v-1", day: today(), vo2_max: 44 });
  });

  test("many cycles add nothing; an edited document becomes exactly one update; a new one one create", async () => {
    const poller = makePoller(["daily_sleep", "sleep"]);
    fake.putDocument("USER-P", "daily_sleep", { id: "ds-1", day: today(), score: 80 });
    fake.putDocument("USER-P", "sleep", { id: "s-1", day: today(), type: "long_sleep", average_hrv: 40 });
    fake.putDocument("USER-P", "sleep", { id: "s-gone", day: today(), type: "deleted" });
    for (let cycle = 0; cycle < 6; cycle++) {
      clock += 301_000;
      await poller.tick();
    }
    expect(pollEvents().length).toBe(2);
    fake.putDocument("USER-P", "daily_sleep", { id: "ds-1", day: today(), score: 84 });
    fake.putDocument("USER-P", "daily_sleep", { id: "ds-2", day: dayBefore(1), score: 77 });
    for (let cycle = 0; cycle < 3; cycle++) {
      clock += 301_000;
      await poller.tick();
    }
    const events = pollEvents();
    expect(events.map((e) => `${e.object_id} ${e.event_type}`)).toEqual(["ds-1 create", "s-1 create", "ds-1 update", "ds-2 create"]);
    expect((await store.documents.getDocument("daily_sleep", "ds-1"))?.document).toEqual({ id: "ds-1", day: today(), score: 84 });
    const [daily] = await store.polls.pollStates("USER-P");
    expect(daily).toMatchObject({ data_type: "daily_sleep", created: 2, updated: 1, only_by_polling: 2 });
  });

  test("a document a webhook already brought is not announced again; one it missed is counted as only by polling", async () => {
    fake.putDocument("USER-P", "daily_readiness", { id: "r-1", day: today(), score: 71 });
    fake.putDocument("USER-P", "daily_readiness", { id: "r-2", day: today(), score: 72 });
    const notification = { event_type: "create" as const, data_type: "daily_readiness", object_id: "r-1", event_time: new Date(clock).toISOString(), user_id: "USER-P" };
    const { event } = await store.events.appendEvent({ source: "webhook", identity: notification, raw: JSON.stringify(notification), received: notification, fetch: "pending" });
    await store.fetchQueue.recordFetched({ eventId: event.id, userId: "USER-P", dataType: "daily_readiness", objectId: "r-1", attempts: 0 }, { id: "r-1", day: today(), score: 71 });
    await makePoller(["daily_readiness"]).tick();
    expect(pollEvents().map((e) => `${e.object_id} ${e.source}`)).toEqual(["r-1 webhook", "r-2 poll"]);
    const scraped = await metrics.render();
    expect(scraped).toContain("oura_documents_only_by_polling_total 1");
    expect(scraped).toContain('oura_polled_documents_total{outcome="unchanged"} 1');
  });
});

describe("failures stay with their own pair", () => {
  test("a 403 on one type, a 500 on another: the rest are current, each failure recorded with its reason", async () => {
    fake.putDocument("USER-P", "daily_sleep", { id: "ds-1", day: today(), score: 80 });
    fake.putDocument("USER-P", "workout", { id: "w-1", day: today(), activity: "running" });
    fake.forcedResponses.push({ status: 403 }, { status: 500 });
    await makePoller(["tag", "session", "daily_sleep", "workout"]).tick();
    const states = Object.fromEntries((await store.polls.pollStates("USER-P")).map((s) => [s.data_type, s]));
    expect(states.tag!.last_error).toContain("missing scope or a lapsed Oura membership");
    expect(states.session!.last_error).toContain("500");
    expect(states.daily_sleep!.last_success_at).not.toBeNull();
    expect(states.workout!.last_success_at).not.toBeNull();
    expect(pollEvents().map((e) => e.object_id).sort()).toEqual(["ds-1", "w-1"]);
    // The 500 is retried sooner than the 403 (a scope does not come back by itself).
    expect(states.session!.next_run_at_ms).toBeLessThanOrEqual(states.tag!.next_run_at_ms);
  });

  test("a refused access token is refreshed once and the page read again", async () => {
    fake.putDocument("USER-P", "daily_sleep", { id: "ds-1", day: today(), score: 80 });
    fake.expireAccessTokens("USER-P");
    await makePoller(["daily_sleep"]).tick();
    expect(fake.counters.refreshes).toBe(1);
    expect(pollEvents().length).toBe(1);
  });

  test("429 with Retry-After: the pair waits that long and the budget pauses every request until then", async () => {
    const budget = new RequestBudget(100, 60_000);
    fake.forcedResponses.push({ status: 429, headers: { "retry-after": "120" } });
    await makePoller(["daily_sleep"], { budget }).tick();
    const [state] = await store.polls.pollStates("USER-P");
    expect(state!.next_run_at_ms).toBe(clock + 120_000);
    expect(budget.status().paused_until).not.toBeNull();
    budget.close();
  });
});

test("the request budget is never exceeded however many users, and Oura never answers 429", async () => {
  fake.stop();
  fake = new FakeOura({ pageSize: 50, rateLimit: { requests: 12, windowMs: 1000 } }).start();
  await link("USER-P");
  for (let u = 0; u < 6; u++) {
    await link(`USER-${u}`);
    fake.putDocument(`USER-${u}`, "daily_sleep", { id: `ds-${u}`, day: today(), score: 60 + u });
  }
  const budget = new RequestBudget(12, 1000);
  const started = performance.now();
  // 7 users × 4 types = 28 requests through a budget of 12 per second: about two seconds, and no 429.
  await makePoller(["daily_sleep", "daily_readiness", "daily_activity", "sleep"], { budget }).tick();
  expect(performance.now() - started).toBeGreaterThan(1500);
  expect((await store.polls.pollStates()).filter((s) => s.last_error !== null).map((s) => s.last_error)).toEqual([]);
  expect(fake.requests.filter((r) => r.path.startsWith("/v2/usercollection/")).length).toBe(28);
  expect(budget.status().requests_total).toBe(28);
  budget.close();
}, 15_000);

test("heart rate: samples stored once per instant, however often polled, and no event per sample", async () => {
  const at = (minutesAgo: number) => new Date(clock - minutesAgo * 60_000).toISOString();
  fake.putHeartRate("USER-P", [
    { timestamp: at(10), bpm: 61, source: "awake" },
    { timestamp: at(5), bpm: 63, source: "awake" },
  ]);
  const poller = makePoller(["heartrate"]);
  await poller.tick();
  fake.putHeartRate("USER-P", [{ timestamp: at(1), bpm: 70, source: "workout" }]);
  clock += 301_000;
  await poller.tick();
  clock += 301_000;
  await poller.tick();
  const samples = await store.polls.heartRate("USER-P", clock - DAY, clock);
  expect(samples.map((s) => s.bpm)).toEqual([61, 63, 70]);
  expect(pollEvents()).toEqual([]);
});

test("state survives a restart: a new poller does not repeat what is not due, and runs what is", async () => {
  fake.putDocument("USER-P", "daily_sleep", { id: "ds-1", day: today(), score: 80 });
  expect(await makePoller(["daily_sleep"]).tick()).toBe(1);
  expect(await makePoller(["daily_sleep"]).tick()).toBe(0);
  clock += 301_000;
  expect(await makePoller(["daily_sleep"]).tick()).toBe(1);
  expect(pollEvents().length).toBe(1);
});

test("reconciliation (polling off): first run one interval after a user is first seen, then once per interval; it repairs a missed webhook", async () => {
  const reconcile = () => makePoller(["daily_sleep"], { mode: "reconcile", intervalSeconds: 86_400 });
  fake.putDocument("USER-P", "daily_sleep", { id: "ds-missed", day: today(), score: 66 });
  expect(await reconcile().tick()).toBe(0);
  expect(fake.requests.filter((r) => r.path.startsWith("/v2/usercollection/")).length).toBe(0);
  clock += 86_400_000 + 1000;
  expect(await reconcile().tick()).toBe(1);
  expect(pollEvents().map((e) => `${e.object_id} ${e.source}`)).toEqual(["ds-missed poll"]);
  expect(await metrics.render()).toContain("oura_documents_only_by_polling_total 1");
  clock += 3_600_000;
  expect(await reconcile().tick()).toBe(0);
});

test("a user whose sign-in Oura refused: every pair says so in its state (and so in /polling, /health and the dashboard)", async () => {
  await accounts.markNeedsReauth("USER-P", "invalid_grant");
  expect(await makePoller(["daily_sleep", "sleep"]).tick()).toBe(0);
  const states = await store.polls.pollStates("USER-P");
  expect(states.map((s) => s.last_error)).toEqual([
    "Oura refused this user's sign-in: they must sign in with Oura again",
    "Oura refused this user's sign-in: they must sign in with Oura again",
  ]);
  expect(fake.requests.filter((r) => r.path.startsWith("/v2/usercollection/")).length).toBe(0);
});
