import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { silentLogger } from "../../src/log.ts";
import { WEBHOOK_DATA_TYPES } from "../../src/oura/data-types.ts";
import { createOuraClient } from "../../src/oura/client.ts";
import { SubscriptionRenewer } from "../../src/jobs/renewer.ts";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { TEST_API_TOKEN, testConfig } from "../helpers/config.ts";
import { freePort } from "../helpers/ports.ts";
import { startTestServer } from "../helpers/servers.ts";

const fake = new FakeOura().start();
let running: RunningServer;
let base: string;
const auth = { authorization: `Bearer ${TEST_API_TOKEN}`, "content-type": "application/json" };

beforeAll(async () => {
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  running = await startTestServer({ ...fake.env(), PORT: String(port), PUBLIC_URL: base, API_TOKEN: TEST_API_TOKEN, OURA_VERIFICATION_TOKEN: "verify-me" });
});
afterAll(async () => {
  await running.stop();
  fake.stop();
});

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });

/** A refusal's status and the stable code in its JSON error body; returns the error for further checks. */
async function expectRefused(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const { error } = (await response.json()) as { error: { code: string; message: string } };
  expect(error.code).toBe(code);
  return error;
}

describe("subscriptions", () => {
  test("POST /subscriptions creates one at PUBLIC_URL/webhooks with our verification token (Oura's handshake succeeds)", async () => {
    fake.subscriptions.clear();
    const response = await call("POST", "/subscriptions", { data_type: "sleep", event_type: "create" });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; callback_url: string };
    expect(created.callback_url).toBe(`${base}/webhooks`);
    expect(fake.subscriptions.get(created.id)!.verification_token).toBe("verify-me");
    const list = (await (await call("GET", "/subscriptions")).json()) as { id: string }[];
    expect(list.map((s) => s.id)).toEqual([created.id]);
    // The same pair again: the existing one (200), no duplicate at Oura.
    const again = await call("POST", "/subscriptions", { data_type: "sleep", event_type: "create" });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(created.id);
    expect(fake.subscriptions.size).toBe(1);
    // Another event type is another subscription.
    expect((await call("POST", "/subscriptions", { data_type: "sleep", event_type: "update" })).status).toBe(201);
    expect(fake.subscriptions.size).toBe(2);
  });

  test("sync creates each missing subscription once, re-points stale ones, removes duplicates, and a second sync changes nothing", async () => {
    fake.subscriptions.clear();
    const oura = createOuraClient(testConfig(fake.env()).oura);
    // One already right, one pointing at an old host, and a duplicate for the same pair.
    await oura.createSubscription({ callback_url: `${base}/webhooks`, verification_token: "verify-me", data_type: "sleep", event_type: "create" });
    const stale = { id: "stale-1", callback_url: "https://old.example.com/webhooks", event_type: "update", data_type: "sleep", verification_token: "x", expiration_time: new Date().toISOString() };
    fake.subscriptions.set(stale.id, stale);
    fake.subscriptions.set("dup-1", { ...stale, id: "dup-1" });

    const first = (await (await call("POST", "/subscriptions/sync")).json()) as { created: unknown[]; repointed: { id: string }[]; deleted: string[]; unchanged: number };
    const pairs = WEBHOOK_DATA_TYPES.length * 3;
    expect(first.created.length).toBe(pairs - 2);
    expect(first.repointed.map((s) => s.id)).toEqual(["stale-1"]);
    expect(first.deleted).toEqual(["dup-1"]);
    expect(first.unchanged).toBe(1);
    expect(fake.subscriptions.size).toBe(pairs);
    for (const subscription of fake.subscriptions.values()) expect(subscription.callback_url).toBe(`${base}/webhooks`);
    expect(fake.counters.handshakesFailed).toBe(0);

    const second = (await (await call("POST", "/subscriptions/sync")).json()) as { created: unknown[]; repointed: unknown[]; deleted: unknown[]; unchanged: number };
    expect([second.created.length, second.repointed.length, second.deleted.length, second.unchanged]).toEqual([0, 0, 0, pairs]);
    expect(fake.subscriptions.size).toBe(pairs);
  });

  test("renew and delete one; unknown ids are a 404 naming Oura's answer", async () => {
    const [subscription] = fake.subscriptions.values();
    subscription!.expiration_time = new Date(Date.now() + 86_400_000).toISOString();
    const renewed = (await (await call("PUT", `/subscriptions/${subscription!.id}/renew`)).json()) as { expiration_time: string };
    expect(Date.parse(renewed.expiration_time)).toBeGreaterThan(Date.now() + 30 * 86_400_000);
    expect((await call("DELETE", `/subscriptions/${subscription!.id}`)).status).toBe(200);
    const missing = await expectRefused(await call("DELETE", `/subscriptions/${subscription!.id}`), 404, "subscription_not_found");
    expect(missing.message).toContain("Oura");
    await expectRefused(await call("PUT", "/subscriptions/nope/renew"), 404, "subscription_not_found");
  });

  test("Oura's refusal of a bad body is a 422 naming Oura's answer; our own validation runs first", async () => {
    await expectRefused(await call("POST", "/subscriptions", { data_type: "sleep", event_type: "explode" }), 422, "validation_failed");
    const refused = await call("POST", "/subscriptions", { data_type: "sleep", event_type: "create", callback_url: "http://127.0.0.1:1/nothing-listens" });
    expect((await expectRefused(refused, 422, "oura_refused")).message).toContain("verification failed");
  });

  test("the renewer renews exactly the subscriptions expiring within SUBSCRIPTION_RENEW_DAYS", async () => {
    fake.subscriptions.clear();
    const oura = createOuraClient(testConfig(fake.env()).oura);
    const soon = await oura.createSubscription({ callback_url: `${base}/webhooks`, verification_token: "verify-me", data_type: "tag", event_type: "create" });
    const later = await oura.createSubscription({ callback_url: `${base}/webhooks`, verification_token: "verify-me", data_type: "tag", event_type: "update" });
    fake.subscriptions.get(soon.id)!.expiration_time = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const laterExpiry = new Date(Date.now() + 30 * 86_400_000).toISOString();
    fake.subscriptions.get(later.id)!.expiration_time = laterExpiry;
    const renewer = new SubscriptionRenewer(oura, 7, silentLogger);
    expect(await renewer.tick()).toBe(1);
    expect(Date.parse(fake.subscriptions.get(soon.id)!.expiration_time)).toBeGreaterThan(Date.now() + 60 * 86_400_000);
    expect(fake.subscriptions.get(later.id)!.expiration_time).toBe(laterExpiry);
  });

  test("with Oura unreachable the answer is a 502 JSON error, and the renewer does not throw", async () => {
    const offline = await startTestServer({ ...fake.env(), OURA_API_BASE_URL: "http://127.0.0.1:1", API_TOKEN: TEST_API_TOKEN, PUBLIC_URL: base });
    try {
      const response = await fetch(new URL("/subscriptions", offline.url), { headers: auth });
      await expectRefused(response, 502, "oura_unavailable");
      const renewer = new SubscriptionRenewer(createOuraClient(testConfig({ ...fake.env(), OURA_API_BASE_URL: "http://127.0.0.1:1" }).oura), 7, silentLogger);
      expect(await renewer.tick()).toBe(0);
    } finally {
      await offline.stop();
    }
  });

  test("without Oura credentials the subscription routes answer 503 saying what to set", async () => {
    const bare = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
    try {
      const response = await fetch(new URL("/subscriptions/sync", bare.url), { method: "POST", headers: auth });
      expect((await expectRefused(response, 503, "oura_not_configured")).message).toContain("OURA_CLIENT_ID");
    } finally {
      await bare.stop();
    }
  });
});
