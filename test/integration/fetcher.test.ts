// The fetch loop driven tick by tick with a controlled clock, against the fake Oura over real HTTP and real SQLite.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { createTokenCipher } from "../../src/auth/token-cipher.ts";
import { TokenManager } from "../../src/auth/token-manager.ts";
import { DocumentFetcher } from "../../src/jobs/fetcher.ts";
import { type Logger, silentLogger } from "../../src/log.ts";
import { type OuraClient, createOuraClient } from "../../src/oura/client.ts";
import type { Event } from "../../src/schemas/event.ts";
import { AccountStore } from "../../src/storage/sqlite/account-store.ts";
import { openSqliteStorage, type SqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";
import { FakeOura } from "../fake-oura.ts";
import { testConfig } from "../helpers/config.ts";
import { sampleNotification } from "../helpers/notifications.ts";
import { waitFor } from "../helpers/ports.ts";

const fake = new FakeOura().start();
afterAll(() => fake.stop());

let clock: number;
let store: SqliteStorage;
let accounts: AccountStore;
let oura: OuraClient;
let tokens: TokenManager;
let fetcher: DocumentFetcher;
/** Events the fetcher said changed, in order (what the realtime layer would publish). */
const changed: Event[] = [];

const makeFetcher = (logger: Logger = silentLogger) =>
  new DocumentFetcher({ fetchQueue: store.fetchQueue, tokens, oura, onEventChanged: (event) => void changed.push(event), logger, now: () => clock, random: () => 0.5, maxAttempts: 3, baseDelayMs: 1000 });

beforeEach(async () => {
  clock = Date.now();
  store = await openSqliteStorage(":memory:");
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  accounts = new AccountStore(store.connection, createTokenCipher(key), () => clock);
  oura = createOuraClient(testConfig(fake.env()).oura);
  tokens = new TokenManager(accounts, oura, silentLogger, () => clock);
  fetcher = makeFetcher();
  fake.forcedTokenResponses.length = 0;
  const issued = fake.issueTokens("USER-F");
  await accounts.link("USER-F", { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresInSeconds: issued.expires_in });
  fake.putDocument("USER-F", "sleep", { id: "s-1", day: "2026-11-24" });
});

async function enqueue(objectId = "s-1", userId = "USER-F") {
  const notification = sampleNotification({ user_id: userId, data_type: "sleep", object_id: objectId });
  const { event } = await store.events.appendEvent({ source: "webhook", identity: notification, raw: JSON.stringify(notification), received: notification, fetch: "pending" });
  return event.id;
}
const status = async (id: number) => (await store.events.getEvent(id))!;
const queueState = (id: number) =>
  store.connection.database.query<{ fetch_attempts: number; next_fetch_at_ms: number }, [number]>("SELECT fetch_attempts, next_fetch_at_ms FROM events WHERE id = ?").get(id)!;
const tokenRequests = () => fake.requests.filter((r) => r.path === "/oauth/token").length;

/** Links USER-A with an access token inside the refresh margin (by our clock), so its next fetch refreshes first. */
async function linkUserA(documents: number) {
  const issued = fake.issueTokens("USER-A");
  await accounts.link("USER-A", { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresInSeconds: 60 });
  const ids: number[] = [];
  for (let i = 1; i <= documents; i++) {
    fake.putDocument("USER-A", "sleep", { id: `a-${i}`, day: "2026-11-24" });
    ids.push(await enqueue(`a-${i}`, "USER-A"));
  }
  return ids;
}

describe("document fetcher", () => {
  test("429 waits for Retry-After, then fetches", async () => {
    const id = await enqueue();
    fake.forcedResponses.push({ status: 429, headers: { "retry-after": "30" } });
    await fetcher.tick();
    expect((await status(id)).fetch_status).toBe("pending");
    clock += 29_000;
    expect(await fetcher.tick()).toBe(0);
    clock += 2_000;
    await fetcher.tick();
    expect((await status(id)).fetch_status).toBe("fetched");
    expect(changed.at(-1)).toMatchObject({ id, fetch_status: "fetched", document: { id: "s-1" } });
  });

  test("Retry-After: 0 still waits a second instead of retrying in a loop", async () => {
    const id = await enqueue();
    fake.forcedResponses.push({ status: 429, headers: { "retry-after": "0" } });
    const before = fake.requests.length;
    await fetcher.tick();
    expect(fake.requests.length - before).toBe(1);
    expect((await status(id)).fetch_status).toBe("pending");
    clock += 1_001;
    await fetcher.tick();
    expect((await status(id)).fetch_status).toBe("fetched");
  });

  test("5xx and network errors back off exponentially, and the last attempt fails with the reason", async () => {
    const id = await enqueue();
    fake.forcedResponses.push({ status: 503 }, { status: 502 }, { status: 500 });
    await fetcher.tick();
    expect((await status(id)).fetch_status).toBe("pending");
    clock += 999; // first retry after 1 s (jitter ×1.0 with random 0.5)
    expect(await fetcher.tick()).toBe(0);
    clock += 2;
    await fetcher.tick();
    clock += 1_999; // second retry after 2 s
    expect(await fetcher.tick()).toBe(0);
    clock += 2;
    await fetcher.tick();
    const failed = await status(id);
    expect(failed.fetch_status).toBe("failed");
    expect(failed.fetch_error).toContain("gave up after 3 attempts");
    expect(failed.fetch_error).toContain("500");
  });

  test("a token about to expire is refreshed before use, once, and the new pair is stored first", async () => {
    const accounts = new AccountStore(store.connection, createTokenCipher(await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])), () => clock);
    const oura = createOuraClient(testConfig(fake.env()).oura);
    const tokens = new TokenManager(accounts, oura, silentLogger, () => clock);
    const issued = fake.issueTokens("USER-SOON");
    await accounts.link("USER-SOON", { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresInSeconds: 120 });
    const before = fake.counters.refreshes;
    const [a, b] = await Promise.all([tokens.accessToken("USER-SOON"), tokens.accessToken("USER-SOON")]);
    expect(a).toBe(b!);
    expect(a).not.toBe(issued.access_token);
    expect(fake.counters.refreshes).toBe(before + 1);
    const stored = await accounts.get("USER-SOON");
    expect(stored!.accessToken).toBe(a!);
    expect(stored!.refreshToken).toBe(fake.currentRefresh.get("USER-SOON")!);
    // Well before expiry now: no further refresh.
    expect(await tokens.accessToken("USER-SOON")).toBe(a!);
    expect(fake.counters.refreshes).toBe(before + 1);
    expect(fake.counters.refreshReuse).toBe(0);
  });

  test("a 403 fails at once and says why it may have happened", async () => {
    const id = await enqueue();
    fake.forcedResponses.push({ status: 403 });
    await fetcher.tick();
    const failed = await status(id);
    expect(failed.fetch_status).toBe("failed");
    expect(failed.fetch_error).toContain("scope");
  });

  test("a refresh that fails delays only that user's jobs, with backoff, and is tried again after it", async () => {
    const [a] = await linkUserA(1);
    const f = await enqueue("s-1");
    fake.forcedTokenResponses.push({ status: 500 });
    const before = tokenRequests();
    expect(await fetcher.tick()).toBe(2);
    expect((await status(f)).fetch_status).toBe("fetched");
    const waiting = await status(a!);
    expect(waiting.fetch_status).toBe("pending");
    expect(waiting.fetch_error).toContain("could not get an access token");
    expect(waiting.fetch_error).toContain("500");
    expect(queueState(a!)).toEqual({ fetch_attempts: 1, next_fetch_at_ms: clock + 1_000 });
    expect(tokenRequests() - before).toBe(1);
    // Not due yet: no second refresh.
    expect(await fetcher.tick()).toBe(0);
    clock += 999;
    expect(await fetcher.tick()).toBe(0);
    expect(tokenRequests() - before).toBe(1);
    clock += 1;
    expect(await fetcher.tick()).toBe(1);
    expect(tokenRequests() - before).toBe(2);
    expect((await status(a!)).fetch_status).toBe("fetched");
  });

  test("a user's due jobs cost one token request per backoff period, not one per job", async () => {
    const ids = await linkUserA(3);
    fake.forcedTokenResponses.push({ status: 500 }, { status: 503 });
    const before = tokenRequests();
    await fetcher.tick();
    expect(tokenRequests() - before).toBe(1);
    for (const id of ids) expect(queueState(id).next_fetch_at_ms).toBe(clock + 1_000);
    expect(await fetcher.tick()).toBe(0);
    clock += 1_000;
    await fetcher.tick();
    expect(tokenRequests() - before).toBe(2);
    // The backoff grows with the attempts, and the user's other jobs wait with the one that counted them.
    expect(queueState(ids[0]!)).toEqual({ fetch_attempts: 2, next_fetch_at_ms: clock + 2_000 });
    for (const id of ids.slice(1)) expect(queueState(id)).toEqual({ fetch_attempts: 0, next_fetch_at_ms: clock + 2_000 });
    clock += 1_999;
    expect(await fetcher.tick()).toBe(0);
    clock += 1;
    expect(await fetcher.tick()).toBe(3);
    expect(tokenRequests() - before).toBe(3);
    for (const id of ids) expect((await status(id)).fetch_status).toBe("fetched");
  });

  test("a 429 from the token endpoint waits for its Retry-After without counting an attempt", async () => {
    const [a] = await linkUserA(1);
    fake.forcedTokenResponses.push({ status: 429, headers: { "retry-after": "30" } });
    await fetcher.tick();
    expect(queueState(a!)).toEqual({ fetch_attempts: 0, next_fetch_at_ms: clock + 30_000 });
    clock += 29_999;
    expect(await fetcher.tick()).toBe(0);
    clock += 1;
    await fetcher.tick();
    expect((await status(a!)).fetch_status).toBe("fetched");
  });

  test("a refused refresh (invalid_grant) still ends awaiting_link", async () => {
    const [a] = await linkUserA(1);
    fake.issueTokens("USER-A"); // rotates USER-A's refresh token behind our back: the stored one is spent
    await fetcher.tick();
    expect((await status(a!)).fetch_status).toBe("awaiting_link");
    expect((await accounts.get("USER-A"))!.needsReauth).toBe(true);
  });

  test("a failing refresh does not fail the tick: no fetch.tick_failed", async () => {
    const [a] = await linkUserA(1);
    const f = await enqueue("s-1");
    fake.forcedTokenResponses.push({ status: 502 });
    const messages: string[] = [];
    const record = (message: string) => void messages.push(message);
    const running = makeFetcher({ debug: record, info: record, warn: record, error: record, drain: async () => {} });
    running.wake();
    // stop() takes no new job: wait for the tick's work first.
    await waitFor(async () => ((await status(f)).fetch_status === "fetched" && messages.includes("fetch.retry")) || undefined, 5000, "the tick's work");
    await running.stop();
    expect(messages).not.toContain("fetch.tick_failed");
    expect(messages).toContain("fetch.retry");
    expect((await status(f)).fetch_status).toBe("fetched");
    expect((await status(a!)).fetch_status).toBe("pending");
  });

  test("a user whose refresh hangs holds one slot: other users' jobs are fetched meanwhile", async () => {
    const aIds = await linkUserA(4);
    const fIds: number[] = [];
    for (let i = 1; i <= 6; i++) {
      fake.putDocument("USER-F", "sleep", { id: `f-${i}`, day: "2026-11-24" });
      fIds.push(await enqueue(`f-${i}`));
    }
    let release!: () => void;
    fake.forcedTokenResponses.push({ until: new Promise<void>((resolve) => (release = resolve)) });
    const before = tokenRequests();
    const ticking = fetcher.tick();
    const fetched = async (ids: number[]) => (await Promise.all(ids.map(status))).every((e) => e.fetch_status === "fetched");
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline && !(await fetched(fIds))) await Bun.sleep(10);
    const othersFetchedWhileHanging = await fetched(fIds);
    release();
    expect(await ticking).toBe(10);
    expect(othersFetchedWhileHanging).toBe(true);
    expect(await fetched(aIds)).toBe(true);
    expect(tokenRequests() - before).toBe(1);
  });

});
