// POLLING_ENABLED on a real server process: poll events reach /events and the WebSocket like webhook events,
// GET /polling and /health report each pair, a webhook for a document the poll already stored costs no second
// request, and SIGTERM during a slow poll ends cleanly and leaves the pair due.
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { FakeOura } from "../fake-oura.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { spawnServer, tempDir } from "../helpers/servers.ts";
import { openSocket } from "../helpers/websocket.ts";

const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
const fakes: FakeOura[] = [];
afterAll(() => fakes.forEach((f) => f.stop()));
const today = new Date().toISOString().slice(0, 10);

async function pollingServer(options: { documentDelayMs?: number } = {}) {
  const fake = new FakeOura({ pageSize: 2, ...options }).start();
  fakes.push(fake);
  const initial = fake.issueTokens("USER-POLL");
  const env = {
    ...fake.env(),
    PORT: String(freePort()),
    DATABASE_PATH: join(tempDir(), "oura.db"),
    API_TOKEN: TEST_API_TOKEN,
    OURA_INITIAL_REFRESH_TOKEN: initial.refresh_token,
    POLLING_ENABLED: "true",
    POLL_DATA_TYPES: "daily_sleep,daily_readiness,heartrate",
  };
  return { fake, env };
}

const getJson = async (base: URL, path: string) => (await (await fetch(new URL(path, base), { headers: auth })).json()) as any;

describe("POLLING_ENABLED=true", () => {
  test("poll events in /events and on the WebSocket; /polling and /health report; a webhook for a polled document is served from the store", async () => {
    const { fake, env } = await pollingServer();
    fake.putDocument("USER-POLL", "daily_sleep", { id: "ds-1", day: today, score: 81 });
    fake.putDocument("USER-POLL", "daily_sleep", { id: "ds-2", day: today, score: 82 });
    fake.putDocument("USER-POLL", "daily_sleep", { id: "ds-3", day: today, score: 83 });
    const server = await spawnServer(env);
    try {
      const events = await waitFor(async () => {
        const body = await getJson(server.url, "/events?limit=50");
        return body.events.length >= 3 ? body.events : undefined;
      }, 10_000, "three poll events");
      expect(events.map((e: any) => `${e.object_id} ${e.event_type} ${e.source} ${e.fetch_status}`).sort()).toEqual([
        "ds-1 create poll fetched",
        "ds-2 create poll fetched",
        "ds-3 create poll fetched",
      ]);
      expect(events[0].document.score).toBeGreaterThan(80);

      // The three pairs are polled one after another: the sleep events can be in before heart rate's turn.
      const polling = await waitFor(async () => {
        const body = await getJson(server.url, "/polling");
        return body.pairs.length === 3 ? body : undefined;
      }, 10_000, "every pair polled once");
      expect(polling.mode).toBe("poll");
      expect(polling.pairs.map((p: any) => `${p.data_type} ${p.last_error === null} ${p.documents_seen}`).sort()).toEqual([
        "daily_readiness true 0",
        "daily_sleep true 3",
        "heartrate true 0",
      ]);
      expect(polling.budget.requests_total).toBeGreaterThanOrEqual(4);
      const health = await getJson(server.url, "/health");
      expect(health.polling).toMatchObject({ mode: "poll", pairs: 3, failing: 0 });

      // The same document, announced by a webhook after the poll stored it: stored once, no request for it.
      const before = fake.counters.documentRequests;
      const delivered = await fake.deliver(new URL("/webhooks", server.url).href, {
        event_type: "create", data_type: "daily_sleep", object_id: "ds-1", event_time: new Date().toISOString(), user_id: "USER-POLL",
      });
      expect(delivered.status).toBe(201);
      const { id } = (await delivered.json()) as { id: number };
      await waitFor(async () => ((await getJson(server.url, `/events/${id}`)).fetch_status === "fetched" ? true : undefined), 5000, "the webhook event fetched");
      expect(fake.counters.documentRequests).toBe(before);
      const documents = await getJson(server.url, "/documents?data_type=daily_sleep");
      expect(documents.count).toBe(3);
    } finally {
      await server.stop();
    }
  }, 30_000);

  test("a poll event reaches the WebSocket like a webhook event", async () => {
    // Oura answers slowly, so the socket is open before the first cycle's answers arrive.
    const { fake, env } = await pollingServer({ documentDelayMs: 1500 });
    fake.putDocument("USER-POLL", "daily_readiness", { id: "r-9", day: today, score: 77 });
    const server = await spawnServer(env);
    try {
      const socket = await openSocket(new URL("/ws/events", server.url.href.replace("http", "ws")), auth);
      let message: any;
      do message = await socket.next(10_000);
      while (message.type !== "event");
      expect(message.event).toMatchObject({ object_id: "r-9", source: "poll", event_type: "create", fetch_status: "fetched" });
      socket.close();
    } finally {
      await server.stop();
    }
  }, 30_000);

  test("SIGTERM during a slow poll: the server exits 0 promptly and the pair is still due at the next start", async () => {
    const { fake, env } = await pollingServer({ documentDelayMs: 3000 });
    fake.putDocument("USER-POLL", "daily_sleep", { id: "ds-slow", day: today, score: 70 });
    const server = await spawnServer(env);
    await waitFor(() => (fake.requests.some((r) => r.path.startsWith("/v2/usercollection/daily_sleep")) ? true : undefined), 5000, "a poll request in flight");
    const stopping = performance.now();
    expect(await server.stop()).toBe(0);
    expect(performance.now() - stopping).toBeLessThan(2500);
    const again = await spawnServer(env);
    try {
      await waitFor(async () => ((await getJson(again.url, "/events")).events.length === 1 ? true : undefined), 15_000, "the poll done after restart");
    } finally {
      await again.stop();
    }
  }, 40_000);

  test("SIGTERM while fetches and polls wait for an exhausted request budget: exit 0 at once, the jobs stay queued", async () => {
    const { fake, env } = await pollingServer();
    const server = await spawnServer({ ...env, OURA_REQUEST_BUDGET: "2", OURA_REQUEST_BUDGET_WINDOW_SECONDS: "600" });
    for (let i = 0; i < 3; i++) {
      fake.putDocument("USER-POLL", "daily_sleep", { id: `wait-${i}`, day: today, score: 70 });
      await fake.deliver(new URL("/webhooks", server.url).href, { event_type: "update", data_type: "daily_sleep", object_id: `wait-${i}`, event_time: new Date().toISOString(), user_id: "USER-POLL" });
    }
    await waitFor(async () => ((await getJson(server.url, "/polling")).budget.waiting.fetch + (await getJson(server.url, "/polling")).budget.waiting.poll > 0 ? true : undefined), 5000, "requests waiting for the budget");
    const stopping = performance.now();
    expect(await server.stop()).toBe(0);
    expect(performance.now() - stopping).toBeLessThan(2000);
    // Given up unsent is no failed attempt: nothing to warn about, and each stays due with no attempt counted.
    expect(server.lines.filter((line) => /fetch\.(retry|failed)/.test(line))).toEqual([]);
    const db = new Database(env.DATABASE_PATH, { readonly: true });
    try {
      const waiting = db.query("SELECT fetch_status, fetch_attempts FROM events WHERE object_id LIKE 'wait-%'").all() as { fetch_status: string; fetch_attempts: number }[];
      expect(waiting.filter((row) => row.fetch_status === "pending" && row.fetch_attempts === 0).length).toBeGreaterThan(0);
      expect(waiting.every((row) => row.fetch_attempts === 0)).toBe(true);
    } finally {
      db.close();
    }
  }, 20_000);
});
