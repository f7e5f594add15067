// The outage seen from outside, on a real server with short timings (a probe every 100–400 ms stands for 5–60 s):
// notifications delivered while Oura answers 503 wait and are fetched after it recovers, /health tells operators the
// circuit's state, and an operator (not a wearer) can put failed fetches back in the queue, by the API or the dashboard.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { silentLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { browse, CookieJar } from "../helpers/browser.ts";
import { TEST_API_TOKEN, testConfig } from "../helpers/config.ts";
import { freePort, waitFor } from "../helpers/ports.ts";

const fake = new FakeOura().start();
const bearer = { authorization: `Bearer ${TEST_API_TOKEN}` };
const TIMINGS = { ouraCircuit: { failureThreshold: 5, probeAfterMs: 100, maxProbeAfterMs: 400 }, fetcher: { intervalMs: 50, baseDelayMs: 100 } };
let running: RunningServer;
let base: string;
let wearer: { cookie: string; csrf: string };
let sequence = 0;

beforeAll(async () => {
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  const env = { ...fake.env(), PORT: String(port), PUBLIC_URL: base, API_TOKEN: TEST_API_TOKEN, ALLOWED_EMAILS: "*@example.com" };
  running = await startServer(testConfig(env), silentLogger, TIMINGS);
  fake.nextAuthorizeUser = "WEARER-W";
  const jar = new CookieJar();
  expect((await browse(jar, `${base}/auth/login`, ["/dashboard"])).url.pathname).toBe("/dashboard");
  const cookie = jar.header(new URL(base));
  const status = (await (await fetch(`${base}/auth/status`, { headers: { cookie } })).json()) as { csrf_token: string; role: string };
  expect(status.role).toBe("wearer");
  wearer = { cookie, csrf: status.csrf_token };
});

afterAll(async () => {
  await running.stop();
  fake.stop();
});

async function notify(): Promise<number> {
  const objectId = `outage-${++sequence}`;
  fake.putDocument("WEARER-W", "daily_sleep", { id: objectId, day: "2026-12-01", score: 70 });
  const response = await fake.deliver(`${base}/webhooks`, { event_type: "create", data_type: "daily_sleep", object_id: objectId, event_time: new Date().toISOString(), user_id: "WEARER-W" });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

const fetchStatus = async (id: number) => ((await (await fetch(`${base}/events/${id}`, { headers: bearer })).json()) as { fetch_status: string }).fetch_status;
const circuit = async () => ((await (await fetch(`${base}/health`, { headers: bearer })).json()) as { oura: { circuit: Record<string, unknown> } }).oura.circuit;

describe("an outage on a running server", () => {
  test("20 notifications during 3 s of 503 are all fetched after; the failing Oura saw the opening failures and the probes only", async () => {
    fake.startOutage(503);
    const ids: number[] = [];
    const started = Date.now();
    while (Date.now() - started < 3_000) {
      if (ids.length < 20) ids.push(await notify());
      await Bun.sleep(150);
    }
    const open = await circuit();
    expect(open).toMatchObject({ state: expect.stringMatching(/^(open|half_open)$/), opened_total: 1 });
    expect(open.consecutive_failures as number).toBeGreaterThanOrEqual(5);
    expect(Date.parse(open.since as string)).toBeGreaterThanOrEqual(started - 50);
    expect(open.last_failure).toContain("503");
    expect(await (await fetch(`${base}/metrics`, { headers: bearer })).text()).toMatch(/^oura_circuit_state [12]$/m);
    // Nothing gave up meanwhile.
    for (const id of ids) expect(await fetchStatus(id)).toBe("pending");
    const sent = fake.requestsDuringOutage;
    console.log(`requests to the failing Oura in 3 s: ${sent} (probes ≤ 400 ms apart)`);
    // 5 to open it (4 in flight at most), then a probe 100, 200, 400, 400, … ms apart: about 10 in 3 s.
    expect(sent).toBeLessThanOrEqual(4 + 4 + 12);

    fake.endOutage();
    await waitFor(async () => (await Promise.all(ids.map(fetchStatus))).every((s) => s === "fetched") || undefined, 5_000, "every fetch after the outage");
    expect(await circuit()).toMatchObject({ state: "closed", consecutive_failures: 0, next_probe_at: null });
    expect(await (await fetch(`${base}/metrics`, { headers: bearer })).text()).toMatch(/^oura_circuit_state 0$/m);
  });

  test("health shows the circuit to operators only", async () => {
    const anonymous = (await (await fetch(`${base}/health`)).json()) as Record<string, unknown>;
    expect(anonymous.oura).toBeUndefined();
    const asWearer = (await (await fetch(`${base}/health`, { headers: { cookie: wearer.cookie } })).json()) as Record<string, unknown>;
    expect(asWearer.oura).toBeUndefined();
    expect(await circuit()).toMatchObject({ state: "closed", failures_total: expect.any(Number) });
  });
});

describe("retry failed fetches", () => {
  test("POST /events/retry-failed: a wearer gets 403 and nothing moves; an operator re-queues, and the document is fetched", async () => {
    // Queued before the notification: the fetch it wakes may come before the next line would.
    fake.forcedResponses.push({ status: 403 });
    const id = await notify();
    await waitFor(async () => (await fetchStatus(id)) === "failed" || undefined, 3_000, "the refused fetch");
    const refused = await fetch(`${base}/events/retry-failed`, { method: "POST", headers: { cookie: wearer.cookie, "x-csrf-token": wearer.csrf } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("operator_only");
    expect(await fetchStatus(id)).toBe("failed");
    const done = await fetch(`${base}/events/retry-failed`, { method: "POST", headers: bearer });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ requeued: 1 });
    await waitFor(async () => (await fetchStatus(id)) === "fetched" || undefined, 3_000, "the retried fetch");
    expect(await (await fetch(`${base}/events/retry-failed`, { method: "POST", headers: bearer })).json()).toEqual({ requeued: 0 });
  });

  test("the dashboard: an operator has the button and its answer; a wearer has neither", async () => {
    // Queued before the notification: the fetch it wakes may come before the next line would.
    fake.forcedResponses.push({ status: 403 });
    const id = await notify();
    await waitFor(async () => (await fetchStatus(id)) === "failed" || undefined, 3_000, "the refused fetch");
    const page = await (await fetch(`${base}/dashboard`, { headers: bearer })).text();
    expect(page).toContain('hx-post="/dashboard/fetches/retry-failed"');
    const wearersPage = await (await fetch(`${base}/dashboard`, { headers: { cookie: wearer.cookie } })).text();
    expect(wearersPage).not.toContain("retry-failed");
    const wearersClick = await fetch(`${base}/dashboard/fetches/retry-failed`, { method: "POST", headers: { cookie: wearer.cookie, "x-csrf-token": wearer.csrf, "hx-request": "true" } });
    expect(wearersClick.status).toBe(403);
    const click = await fetch(`${base}/dashboard/fetches/retry-failed`, { method: "POST", headers: { ...bearer, "hx-request": "true" } });
    expect(click.status).toBe(200);
    expect(await click.text()).toBe("1 fetch queued again");
    await waitFor(async () => (await fetchStatus(id)) === "fetched" || undefined, 3_000, "the retried fetch");
  });
});

describe("OURA_INITIAL_REFRESH_TOKEN during an outage", () => {
  test("a start while Oura is down links the user once Oura answers, without a restart", async () => {
    const fake = new FakeOura().start();
    try {
      fake.addUser("USER-START");
      const refreshToken = fake.issueTokens("USER-START").refresh_token;
      fake.startOutage(503);
      const server = await startServer(
        testConfig({ ...fake.env(), OURA_INITIAL_REFRESH_TOKEN: refreshToken, API_TOKEN: TEST_API_TOKEN }),
        silentLogger,
        { ...TIMINGS, initialLinkRetryMs: 50 },
      );
      try {
        expect(server.deps.accounts.list()).toEqual([]);
        fake.endOutage();
        await waitFor(() => (server.deps.accounts.list().length === 1 ? true : undefined), 5000, "the user linked after the outage");
        expect(server.deps.accounts.list()[0]!.user_id).toBe("USER-START");
      } finally {
        await server.stop();
      }
    } finally {
      fake.stop();
    }
  });
});
