// The fetch loop driven tick by tick with a controlled clock, against the fake Oura over real HTTP and real SQLite.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { createTokenCipher } from "../../src/auth/token-cipher.ts";
import { TokenManager } from "../../src/auth/token-manager.ts";
import { DocumentFetcher } from "../../src/jobs/fetcher.ts";
import { silentLogger } from "../../src/log.ts";
import { createOuraClient } from "../../src/oura/client.ts";
import { createRecordingBroadcaster } from "../../src/realtime/broadcaster.ts";
import { AccountStore } from "../../src/storage/sqlite/account-store.ts";
import { SqliteStore } from "../../src/storage/sqlite/sqlite-store.ts";
import { FakeOura } from "../fake-oura.ts";
import { testConfig } from "../helpers/config.ts";
import { sampleNotification } from "../helpers/notifications.ts";

const fake = new FakeOura().start();
afterAll(() => fake.stop());

let clock: number;
let store: SqliteStore;
let fetcher: DocumentFetcher;

beforeEach(async () => {
  clock = Date.now();
  store = await SqliteStore.open(":memory:");
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  const accounts = new AccountStore(store.database, createTokenCipher(key), () => clock);
  const oura = createOuraClient(testConfig(fake.env()).oura);
  const tokens = new TokenManager(accounts, oura, silentLogger, () => clock);
  fetcher = new DocumentFetcher({ store, tokens, oura, broadcaster: createRecordingBroadcaster(), logger: silentLogger, now: () => clock, random: () => 0.5, maxAttempts: 3, baseDelayMs: 1000 });
  const issued = fake.issueTokens("USER-F");
  await accounts.link("USER-F", { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresInSeconds: issued.expires_in });
  fake.putDocument("USER-F", "sleep", { id: "s-1", day: "2026-11-24" });
});

async function enqueue(objectId = "s-1") {
  const notification = sampleNotification({ user_id: "USER-F", data_type: "sleep", object_id: objectId });
  const { event } = await store.appendEvent({ source: "webhook", notification, rawNotification: JSON.stringify(notification), receivedNotification: notification });
  return event.id;
}
const status = async (id: number) => (await store.getEvent(id))!;

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
    const accounts = new AccountStore(store.database, createTokenCipher(await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])), () => clock);
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

});
