// An Oura outage of minutes, in test time: the fetcher and its circuit breaker with their production timings, ticked
// once per simulated second (as the server runs it) against the fake Oura over real HTTP and real SQLite.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { createTokenCipher } from "../../src/auth/token-cipher.ts";
import { TokenManager } from "../../src/auth/token-manager.ts";
import { BackfillRunner, backfillSteps } from "../../src/jobs/backfill.ts";
import { DocumentFetcher } from "../../src/jobs/fetcher.ts";
import { silentLogger } from "../../src/log.ts";
import { CircuitBreaker } from "../../src/oura/circuit-breaker.ts";
import { createOuraClient } from "../../src/oura/client.ts";
import { AccountStore } from "../../src/storage/sqlite/account-store.ts";
import { openSqliteStorage, type SqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";
import { FakeOura } from "../fake-oura.ts";
import { testConfig } from "../helpers/config.ts";
import { sampleNotification } from "../helpers/notifications.ts";

const fake = new FakeOura().start();
afterAll(() => fake.stop());

let clock: number;
let store: SqliteStorage;
let accounts: AccountStore;
let breaker: CircuitBreaker;
let tokens: TokenManager;
let fetcher: DocumentFetcher;
let oura: ReturnType<typeof createOuraClient>;

/** The parts as server.ts wires them, on a fake clock; the fetcher's and the breaker's timings are the production ones unless given. */
function build(fetcherTimings: { maxAttempts?: number } = {}) {
  breaker = new CircuitBreaker({}, silentLogger, () => clock);
  oura = createOuraClient(testConfig(fake.env()).oura, fetch, undefined, breaker);
  tokens = new TokenManager(accounts, oura, silentLogger, () => clock);
  fetcher = new DocumentFetcher({ fetchQueue: store.fetchQueue, tokens, oura, breaker, onEventChanged: () => {}, logger: silentLogger, now: () => clock, random: () => 0.5, ...fetcherTimings });
}

beforeEach(async () => {
  clock = Date.now();
  fake.endOutage();
  fake.forcedResponses.length = 0;
  fake.forcedTokenResponses.length = 0;
  store = await openSqliteStorage(":memory:");
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  accounts = new AccountStore(store.connection, createTokenCipher(key), () => clock);
  build();
  await link("USER-F", 86_400);
});

async function link(userId: string, expiresInSeconds: number) {
  const issued = fake.issueTokens(userId);
  await accounts.link(userId, { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresInSeconds });
}

let documents = 0;
/** A notification received (and its document on Oura's side); returns its event id. */
async function notify(userId = "USER-F") {
  const objectId = `doc-${++documents}`;
  fake.putDocument(userId, "sleep", { id: objectId, day: "2026-11-24" });
  const notification = sampleNotification({ user_id: userId, data_type: "sleep", object_id: objectId });
  const { event } = await store.events.appendEvent({ source: "webhook", identity: notification, raw: JSON.stringify(notification), received: notification, fetch: "pending" });
  return event.id;
}

const statuses = async (ids: number[]) => {
  const counts: Record<string, number> = {};
  for (const id of ids) {
    const status = (await store.events.getEvent(id))!.fetch_status ?? "none";
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
};
const attempts = (id: number) => store.connection.database.query<{ fetch_attempts: number }, [number]>("SELECT fetch_attempts FROM events WHERE id = ?").get(id)!.fetch_attempts;

/** `seconds` of the server's life: the clock moves a second, then the fetcher's tick runs (its production interval). */
async function live(seconds: number, everySecond?: (second: number) => Promise<unknown> | void) {
  for (let second = 1; second <= seconds; second++) {
    clock += 1_000;
    await everySecond?.(second);
    await fetcher.tick();
  }
}

describe("an Oura outage of several minutes", () => {
  test("a backlog and 20 notifications during 5 minutes of 503: a handful of probes, nothing failed, everything fetched within a minute of recovery", async () => {
    // A user whose access token is due for a refresh: the token endpoint is down too.
    await link("USER-A", 60);
    const backlog: number[] = [];
    for (let i = 0; i < 300; i++) backlog.push(await notify());
    const during: number[] = [];
    fake.startOutage(503);
    await live(300, async (second) => {
      if (second % 15 === 0) during.push(await notify(during.length % 4 === 0 ? "USER-A" : "USER-F"));
    });
    const sentDuringOutage = fake.requestsDuringOutage;
    const all = [...backlog, ...during];
    expect(during).toHaveLength(20);
    // Before: 8 attempts per job (2,400 requests for this backlog, bursts of ~2,000/s) and every job failed.
    // Now: the failures that open the circuit, with 4 in flight, then one probe at 5, 15, 35, 75, 135, 195, 255 s.
    console.log(`requests to the failing Oura in 300 s: ${sentDuringOutage}; circuit ${JSON.stringify(breaker.status())}`);
    expect(sentDuringOutage).toBeGreaterThanOrEqual(5 + 7);
    expect(sentDuringOutage).toBeLessThanOrEqual(4 + 4 + 7);
    expect(await statuses(all)).toEqual({ pending: 320 });
    // Only the requests sent before the circuit opened counted an attempt.
    expect(Math.max(...(await Promise.all(all.map(attempts))))).toBeLessThanOrEqual(1);
    expect(breaker.status()).toMatchObject({ state: "open", opened_total: 1 });

    fake.endOutage();
    let recoveredAfter = 0;
    for (; recoveredAfter < 120; recoveredAfter++) {
      await live(1);
      if ((await statuses(all)).fetched === 320) break;
    }
    console.log(`every fetch done ${recoveredAfter + 1} s after Oura recovered`);
    expect(await statuses(all)).toEqual({ fetched: 320 });
    expect(recoveredAfter).toBeLessThan(60);
    expect(breaker.state).toBe("closed");
    expect(fake.counters.refreshReuse).toBe(0);
    expect((await accounts.get("USER-A"))!.needsReauth).toBe(false);
  });

  test("unanswered requests (Oura unreachable) open it too", async () => {
    const ids = [await notify(), await notify(), await notify(), await notify(), await notify(), await notify()];
    const client = createOuraClient({ ...testConfig(fake.env()).oura, apiBaseUrl: "http://127.0.0.1:9" }, fetch, undefined, breaker);
    fetcher = new DocumentFetcher({ fetchQueue: store.fetchQueue, tokens: new TokenManager(accounts, client, silentLogger, () => clock), oura: client, breaker, onEventChanged: () => {}, logger: silentLogger, now: () => clock, random: () => 0.5 });
    await live(60);
    expect(breaker.status()).toMatchObject({ state: "open", consecutive_failures: expect.any(Number) });
    expect(breaker.status().last_failure).toContain("could not reach Oura");
    expect(breaker.status().failures_total).toBeLessThanOrEqual(5 + 3 + 4);
    expect(await statuses(ids)).toEqual({ pending: 6 });
  });
});

describe("backfills during an outage", () => {
  test("an import waits through a minute of 503 without spending its attempts (before: failed after 5), then finishes", async () => {
    for (let d = 1; d <= 60; d++) fake.putDocument("USER-F", "daily_sleep", { id: `h-${d}`, day: new Date(clock - d * 86_400_000).toISOString().slice(0, 10), score: 70 });
    const end = new Date(clock - 86_400_000).toISOString().slice(0, 10);
    const start = new Date(clock - 60 * 86_400_000).toISOString().slice(0, 10);
    const steps = backfillSteps(start, end, ["daily_sleep"]).length;
    const { backfill } = await store.backfills.createBackfill({ user_id: "USER-F", start_date: start, end_date: end, data_types: ["daily_sleep"], steps_total: steps });
    const runner = new BackfillRunner({ polls: store.polls, backfills: store.backfills, tokens, oura, onEventAdded: () => {}, onProgress: () => {}, logger: silentLogger, now: () => clock });
    fake.startOutage(503);
    for (let second = 1; second <= 60; second++) {
      clock += 1_000;
      await runner.tick();
    }
    expect((await store.backfills.getBackfill(backfill.id))!).toMatchObject({ state: "running", steps_done: 0, error: null });
    // 5 to open the circuit, then probes at 5, 15, 35 s.
    expect(fake.requestsDuringOutage).toBeLessThanOrEqual(5 + 3);
    fake.endOutage();
    for (let second = 1; second <= 30 && (await store.backfills.getBackfill(backfill.id))!.state !== "done"; second++) {
      clock += 1_000;
      await runner.tick();
    }
    expect((await store.backfills.getBackfill(backfill.id))!).toMatchObject({ state: "done", documents_stored: 60 });
    await runner.stop();
  });
});

describe("answers that will not change end a fetch at once, with the breaker in place", () => {
  test("404 ends missing after one request, and the circuit stays closed", async () => {
    const id = await notify();
    fake.documents.get("USER-F")!.get("sleep")!.delete(`doc-${documents}`);
    const before = fake.requests.length;
    await fetcher.tick();
    expect((await store.events.getEvent(id))!.fetch_status).toBe("missing");
    expect(fake.requests.length - before).toBe(1);
    expect(breaker.status()).toMatchObject({ state: "closed", consecutive_failures: 0 });
  });

  test("a refused refresh (invalid_grant) marks the user needing sign-in, and says nothing about Oura being down", async () => {
    await link("USER-A", 60);
    const id = await notify("USER-A");
    fake.issueTokens("USER-A"); // the stored refresh token is spent behind our back
    await fetcher.tick();
    expect((await store.events.getEvent(id))!.fetch_status).toBe("awaiting_link");
    expect((await accounts.get("USER-A"))!.needsReauth).toBe(true);
    expect(breaker.status()).toMatchObject({ state: "closed", failures_total: 0 });
  });

  test("a 403 ends failed at once", async () => {
    const id = await notify();
    fake.forcedResponses.push({ status: 403 });
    await fetcher.tick();
    expect((await store.events.getEvent(id))!.fetch_status).toBe("failed");
  });
});

describe("re-queued when Oura is back", () => {
  test("a fetch that gave up on 5xx while the circuit stayed closed is fetched when the next outage ends; a 403 stays failed", async () => {
    build({ maxAttempts: 2 });
    const flaky = await notify();
    fake.forcedResponses.push({ status: 500 }, { status: 502 });
    await live(5);
    expect((await store.events.getEvent(flaky))!).toMatchObject({ fetch_status: "failed", fetch_error: expect.stringContaining("gave up after 2 attempts") });
    const refused = await notify();
    fake.forcedResponses.push({ status: 403 });
    await live(1);
    expect((await store.events.getEvent(refused))!.fetch_status).toBe("failed");
    expect(breaker.state).toBe("closed");

    // An outage opens the circuit; a failed job stays failed while it lasts.
    for (let i = 0; i < 5; i++) await notify();
    fake.startOutage(503);
    await live(30);
    expect(breaker.state).toBe("open");
    expect((await store.events.getEvent(flaky))!.fetch_status).toBe("failed");
    fake.endOutage();
    await live(40);
    expect(breaker.state).toBe("closed");
    expect((await store.events.getEvent(flaky))!.fetch_status).toBe("fetched");
    expect((await store.events.getEvent(refused))!.fetch_status).toBe("failed");
  });

  test("requeueFailedFetches walks the log by id ranges: only failed rows, all of them or those with the prefix, due now and uncounted", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await notify());
    await store.fetchQueue.recordFetchOutcome(ids[0]!, "failed", "gave up after 8 attempts: Oura answered 503: x");
    await store.fetchQueue.recordFetchOutcome(ids[1]!, "failed", "Oura answered 403: Forbidden");
    await store.fetchQueue.recordFetchOutcome(ids[2]!, "missing", "Oura answered 404");
    await store.fetchQueue.recordFetchOutcome(ids[3]!, "awaiting_link", "no usable token");
    await store.fetchQueue.rescheduleFetch(ids[4]!, clock + 60_000, 3, "Oura answered 500");
    expect(await store.fetchQueue.requeueFailedFetches({ reasonPrefix: "gave up after " })).toBe(1);
    expect(await store.fetchQueue.requeueFailedFetches()).toBe(1);
    expect(await store.fetchQueue.requeueFailedFetches()).toBe(0);
    const state = (id: number) => store.connection.database.query<{ fetch_status: string; fetch_attempts: number; next_fetch_at_ms: number | null }, [number]>("SELECT fetch_status, fetch_attempts, next_fetch_at_ms FROM events WHERE id = ?").get(id)!;
    expect(state(ids[0]!)).toEqual({ fetch_status: "pending", fetch_attempts: 0, next_fetch_at_ms: 0 });
    expect(state(ids[1]!)).toEqual({ fetch_status: "pending", fetch_attempts: 0, next_fetch_at_ms: 0 });
    expect(state(ids[2]!).fetch_status).toBe("missing");
    expect(state(ids[3]!).fetch_status).toBe("awaiting_link");
    expect(state(ids[4]!)).toEqual({ fetch_status: "pending", fetch_attempts: 3, next_fetch_at_ms: clock + 60_000 });
  });
});
