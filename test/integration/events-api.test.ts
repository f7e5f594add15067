import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningServer } from "../../src/server.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { startTestServer } from "../helpers/servers.ts";
import { movableClock } from "../helpers/clock.ts";

let running: RunningServer;
const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };

beforeAll(async () => {
  running = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
});
afterAll(() => running.stop());

const get = (path: string, headers: Record<string, string> = auth) => fetch(new URL(path, running.url), { headers });

/** A refusal's status and the stable code in its JSON error body. */
async function expectRefused(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
}

interface EventList {
  count: number;
  total_stored: number;
  events: { id: number; data_type: string; event_type: string; user_id: string; event_time: string; notification: unknown }[];
  next_cursor: string | null;
}

async function seed(list: Parameters<typeof sampleNotification>[0][]) {
  const ids: number[] = [];
  for (const overrides of list) {
    const response = await deliver(running.url, sampleNotification(overrides));
    ids.push(((await response.json()) as { id: number }).id);
  }
  return ids;
}

describe("authentication of data routes", () => {
  test.each(["/events", "/events/1"])("%s without a token → 401 JSON", async (path) => {
    const response = await get(path, {});
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });

  test("a wrong token → 401; DELETE too, and nothing is deleted", async () => {
    await seed([{}]);
    const before = ((await (await get("/events")).json()) as EventList).total_stored;
    await expectRefused(await get("/events", { authorization: "Bearer wrong-token-wrong-token" }), 401, "unauthorized");
    const del = await fetch(new URL("/events", running.url), { method: "DELETE", headers: { authorization: "Bearer nope" } });
    await expectRefused(del, 401, "unauthorized");
    expect(((await (await get("/events")).json()) as EventList).total_stored).toBe(before);
  });

  test("webhooks and health need no token", async () => {
    expect((await get("/health", {})).status).toBe(200);
    expect((await deliver(running.url, sampleNotification())).status).toBe(201);
  });
});

describe("GET /events", () => {
  test("newest first, with count, total_stored and a cursor that walks every page once", async () => {
    await fetch(new URL("/events", running.url), { method: "DELETE", headers: auth });
    const ids = await seed(Array.from({ length: 7 }, () => ({})));
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = (await (await get(`/events?limit=3${cursor ? `&cursor=${cursor}` : ""}`)).json()) as EventList;
      expect(page.total_stored).toBe(7);
      expect(page.count).toBe(page.events.length);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  test("filters by data_type, event_type, user_id and event_time window", async () => {
    await fetch(new URL("/events", running.url), { method: "DELETE", headers: auth });
    await seed([
      { data_type: "sleep", event_type: "create", user_id: "U1", event_time: "2026-11-01T06:00:00+00:00" },
      { data_type: "sleep", event_type: "update", user_id: "U2", event_time: "2026-11-10T06:00:00+00:00" },
      { data_type: "workout", event_type: "create", user_id: "U1", event_time: "2026-11-20T06:00:00+00:00" },
    ]);
    const query = async (q: string) => ((await (await get(`/events?${q}`)).json()) as EventList).events;
    expect((await query("data_type=sleep")).length).toBe(2);
    expect((await query("event_type=update")).map((e) => e.user_id)).toEqual(["U2"]);
    expect((await query("user_id=U1")).map((e) => e.data_type)).toEqual(["workout", "sleep"]);
    expect((await query("since=2026-11-05&until=2026-11-15")).map((e) => e.user_id)).toEqual(["U2"]);
    expect((await query("since=2026-11-10T06:00:00Z")).length).toBe(2);
    expect((await query("data_type=sleep&user_id=U1")).length).toBe(1);
    const [first] = await query("user_id=U2");
    expect((await query(`object_id=${(first as unknown as { object_id: string }).object_id}`)).length).toBe(1);
  });

  test.each(["limit=0", "limit=1001", "limit=ten", "event_type=explode", "since=tomorrowish", "cursor=abc", "data_type=a;b"])(
    "a bad query (%s) → 400 with the issues",
    async (q) => {
      const response = await get(`/events?${q}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; details: unknown[] } };
      expect(body.error.code).toBe("validation_failed");
      expect(body.error.details.length).toBeGreaterThan(0);
    },
  );

  test("limit defaults to 50 and may be 1000", async () => {
    await seed(Array.from({ length: 55 }, () => ({})));
    expect(((await (await get("/events")).json()) as EventList).count).toBe(50);
    expect(((await (await get("/events?limit=1000")).json()) as EventList).count).toBeGreaterThanOrEqual(55);
  });
});

describe("GET /events/{id}", () => {
  test("returns the stored event with the raw notification", async () => {
    const notification = sampleNotification({ data_type: "daily_readiness" });
    const { id } = (await (await deliver(running.url, notification)).json()) as { id: number };
    const response = await get(`/events/${id}`);
    expect(response.status).toBe(200);
    const event = (await response.json()) as Record<string, unknown>;
    expect(event).toMatchObject({
      id,
      source: "webhook",
      data_type: "daily_readiness",
      object_id: notification.object_id,
      user_id: notification.user_id,
      event_time: notification.event_time,
      notification,
      document: null,
      fetch_status: "not_fetched",
    });
    expect(Date.parse(event.received_at as string)).toBeGreaterThan(Date.now() - 60_000);
  });

  test("without Oura sign-in configured nothing will fetch the document: not_fetched, and retention may prune it", async () => {
    const { id } = (await (await deliver(running.url, sampleNotification())).json()) as { id: number };
    expect(((await (await get(`/events/${id}`)).json()) as { fetch_status: string }).fetch_status).toBe("not_fetched");
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect(await running.storage.retention.countPrunable(future)).toBe(await running.storage.events.countEvents());
    expect(await running.storage.fetchQueue.countPendingFetches()).toBe(0);
  });

  test("unknown id → 404, malformed id → 400", async () => {
    await expectRefused(await get("/events/99999999"), 404, "event_not_found");
    await expectRefused(await get("/events/abc"), 400, "validation_failed");
  });
});

describe("DELETE /events", () => {
  test("deletes only what matches and says how many", async () => {
    await fetch(new URL("/events", running.url), { method: "DELETE", headers: auth });
    await seed([{ data_type: "tag" }, { data_type: "tag" }, { data_type: "sleep" }]);
    const response = await fetch(new URL("/events?data_type=tag", running.url), { method: "DELETE", headers: auth });
    expect(await response.json()).toEqual({ deleted: 2 });
    const rest = (await (await get("/events")).json()) as EventList;
    expect(rest.events.map((e) => e.data_type)).toEqual(["sleep"]);
    const all = await fetch(new URL("/events", running.url), { method: "DELETE", headers: auth });
    expect(await all.json()).toEqual({ deleted: 1 });
  });
});

describe("GET /health", () => {
  test("anonymous callers get status, version and the database's state only: no counts, times, users or tables", async () => {
    await deliver(running.url, sampleNotification());
    const health = (await (await get("/health", {})).json()) as Record<string, unknown>;
    expect(health).toEqual({ status: "ok", version: expect.any(String), uptime_seconds: expect.any(Number), role: "anonymous", database: { ok: true, state: "ok" } });
  });

  test("operators: status, version, uptime, database, events stored and last event time; nothing sensitive", async () => {
    await deliver(running.url, sampleNotification());
    const response = await get("/health");
    const health = (await response.json()) as Record<string, unknown>;
    expect(health.status).toBe("ok");
    expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof health.uptime_seconds).toBe("number");
    expect(health.database).toMatchObject({ ok: true, writable: true, state: "ok", last_failure_at: null });
    expect(health.events_stored).toBeGreaterThan(0);
    expect(Date.parse(health.last_event_at as string)).toBeGreaterThan(Date.now() - 60_000);
    const text = JSON.stringify(health);
    expect(text).not.toContain(TEST_API_TOKEN);
    expect(text).not.toContain("test-client-secret");
  });

  test("503 when the database is unusable", async () => {
    const broken = await startTestServer();
    await broken.storage.close();
    const response = await fetch(new URL("/health", broken.url));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { database: { ok: boolean } }).database.ok).toBe(false);
    await broken.server.stop(true);
  });
});

describe("/", () => {
  test("sends a browser to the dashboard, and an API client to the API's documentation", async () => {
    const browser = await fetch(new URL("/", running.url), { redirect: "manual", headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(browser.status).toBe(302);
    expect(browser.headers.get("location")).toBe("/dashboard");
    for (const accept of [undefined, "application/json", "*/*"]) {
      const client = await fetch(new URL("/", running.url), { redirect: "manual", headers: accept ? { accept } : {} });
      expect(client.headers.get("location")).toBe("/docs");
    }
  });
});

describe("unknown routes", () => {
  test("404 with the JSON error shape", async () => {
    const response = await get("/nope");
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});

describe("the server's clock", () => {
  test("is the time it writes and judges by: received_at, and the replay window of signatures", async () => {
    const clock = movableClock();
    const running = await startTestServer({ API_TOKEN: TEST_API_TOKEN }, { clock: clock.now });
    try {
      const fortyDays = 40 * 86_400_000;
      clock.advance(-fortyDays);
      const seconds = () => Math.floor(clock.now() / 1000);
      const notification = sampleNotification();
      expect((await deliver(running.url, notification, { timestamp: seconds() })).status).toBe(201);
      clock.advance(fortyDays);
      // Signed at the server's time forty days ago: stale now.
      expect((await deliver(running.url, sampleNotification(), { timestamp: seconds() - fortyDays / 1000 })).status).toBe(401);
      const listed = (await (await fetch(new URL(`/events?object_id=${notification.object_id}`, running.url), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).json()) as { events: { received_at: string }[] };
      const receivedAt = Date.parse(listed.events[0]!.received_at);
      expect(Math.abs(receivedAt - (Date.now() - fortyDays))).toBeLessThan(60_000);
    } finally {
      await running.stop();
    }
  });
});
