// History backfill against the fake Oura: the plan (windows newest first), progress to 100% with every document
// stored once, one at a time per user, cancellation, progress on the WebSocket, and a restart mid-way that resumes
// without repeating finished windows.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { backfillSteps } from "../../src/jobs/backfill.ts";
import { FakeOura } from "../fake-oura.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { spawnServer, startTestServer, tempDir } from "../helpers/servers.ts";
import { openSocket } from "../helpers/websocket.ts";

const DAY = 86_400_000;
const auth = { authorization: `Bearer ${TEST_API_TOKEN}`, "content-type": "application/json" };
const fakes: FakeOura[] = [];
afterAll(() => fakes.forEach((f) => f.stop()));
const dayBefore = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);

/** A fake Oura with `days` of daily_sleep and daily_readiness history for USER-H, and a token to link them. */
function history(days: number, options: ConstructorParameters<typeof FakeOura>[0] = {}) {
  const fake = new FakeOura({ pageSize: 5, ...options }).start();
  fakes.push(fake);
  for (let d = 0; d < days; d++) {
    fake.putDocument("USER-H", "daily_sleep", { id: `ds-${d}`, day: dayBefore(d), score: 60 + (d % 30) });
    fake.putDocument("USER-H", "daily_readiness", { id: `dr-${d}`, day: dayBefore(d), score: 70 + (d % 20) });
  }
  return { fake, refreshToken: fake.issueTokens("USER-H").refresh_token };
}

const post = (base: URL, body: unknown) => fetch(new URL("/backfill", base), { method: "POST", headers: auth, body: JSON.stringify(body) });
const progress = async (base: URL, id: number) => (await (await fetch(new URL(`/backfill/${id}`, base), { headers: auth })).json()) as any;

describe("the plan", () => {
  test("30-day windows newest first, every type in each; heart rate in weeks; undated routes once", () => {
    const steps = backfillSteps("2026-09-02", "2026-11-30", ["daily_sleep", "heartrate", "ring_configuration"]);
    const dated = steps.filter((s) => s.dataType === "daily_sleep").map((s) => s.window);
    expect(dated).toEqual([
      { startDate: "2026-10-31", endDate: "2026-12-01" },
      { startDate: "2026-10-01", endDate: "2026-11-01" },
      { startDate: "2026-09-01", endDate: "2026-10-02" },
    ]);
    expect(steps.filter((s) => s.dataType === "ring_configuration").length).toBe(1);
    const heart = steps.filter((s) => s.dataType === "heartrate").map((s) => s.window as { startDateTime: string; endDateTime: string });
    expect(heart.every((w) => Date.parse(w.endDateTime) - Date.parse(w.startDateTime) <= 7 * DAY)).toBe(true);
    expect(heart[0]!.endDateTime).toBe("2026-12-01T00:00:00.000Z");
    expect(heart.at(-1)!.startDateTime).toBe("2026-09-01T00:00:00.000Z");
    // The newest band comes first for every type.
    expect(steps[0]!.dataType).toBe("daily_sleep");
    expect(steps.findIndex((s) => s.dataType === "ring_configuration")).toBeLessThan(steps.length / 2);
  });
});

describe("POST /backfill", () => {
  test("reaches 100% with every document stored once, one at a time per user, progress on the WebSocket", async () => {
    const { fake, refreshToken } = history(95);
    const running = await startTestServer({ ...fake.env(), API_TOKEN: TEST_API_TOKEN, OURA_INITIAL_REFRESH_TOKEN: refreshToken });
    try {
      const socket = await openSocket(new URL("/ws/events", running.url.href.replace("http", "ws")), { authorization: auth.authorization });
      const response = await post(running.url, { user_id: "USER-H", start_date: dayBefore(94), end_date: dayBefore(0), data_types: ["daily_sleep", "daily_readiness"] });
      expect(response.status).toBe(201);
      const created = (await response.json()) as any;
      expect(created).toMatchObject({ user_id: "USER-H", state: "queued", steps_done: 0, steps_total: 8, percent: 0 });

      const second = await post(running.url, { user_id: "USER-H", start_date: dayBefore(10), end_date: dayBefore(0) });
      expect(second.status).toBe(409);
      expect(((await second.json()) as any).error).toMatchObject({ code: "backfill_running", details: { id: created.id } });

      const done = await waitFor(async () => {
        const body = await progress(running.url, created.id);
        return body.state === "done" ? body : undefined;
      }, 15_000, "the backfill done");
      expect(done).toMatchObject({ percent: 100, steps_done: 8, documents_stored: 190, eta_seconds: null, error: null });
      expect(done.requests_used).toBeGreaterThanOrEqual(8);
      const events = (await (await fetch(new URL("/events?limit=1", running.url), { headers: auth })).json()) as any;
      expect(events.total_stored).toBe(190);
      const documents = (await (await fetch(new URL("/documents?data_type=daily_sleep&limit=1000", running.url), { headers: auth })).json()) as any;
      expect(documents.count).toBe(95);

      // Progress messages arrived on the live stream, ending with the finished state.
      const states: string[] = [];
      for (let i = 0; i < 400 && socket.pending() > 0; i++) {
        const message = await socket.next();
        if (message.type === "backfill") states.push(`${message.backfill.state} ${message.backfill.percent}`);
      }
      expect(states[0]).toBe("running 0");
      expect(states.at(-1)).toBe("done 100");
      socket.close();

      // Finished: a new one may start; a second run of the same range stores nothing new.
      const again = (await (await post(running.url, { user_id: "USER-H", start_date: dayBefore(94), end_date: dayBefore(0), data_types: ["daily_sleep"] })).json()) as any;
      const redone = await waitFor(async () => {
        const body = await progress(running.url, again.id);
        return body.state === "done" ? body : undefined;
      }, 15_000);
      expect(redone.documents_stored).toBe(0);
    } finally {
      await running.stop();
    }
  }, 40_000);

  test("bad requests get a JSON 4xx: dates, order, unknown types, no user, an unlinked user", async () => {
    const { fake } = history(1);
    const running = await startTestServer({ ...fake.env(), API_TOKEN: TEST_API_TOKEN });
    try {
      for (const [body, status, code] of [
        [{ user_id: "U", start_date: "2026-13-01", end_date: "2026-11-30" }, 422, "validation_failed"],
        [{ user_id: "U", start_date: "2026-11-30", end_date: "2026-11-01" }, 422, "validation_failed"],
        [{ user_id: "U", start_date: "2026-11-01", end_date: "2026-11-30", data_types: ["meal_plan"] }, 422, "validation_failed"],
        [{ user_id: "U", start_date: "2026-02-30", end_date: "2026-03-01" }, 422, "validation_failed"],
        [{ user_id: "U", start_date: dayBefore(10), end_date: dayBefore(-30) }, 422, "validation_failed"],
        [{ start_date: "2026-11-01", end_date: "2026-11-30" }, 400, "user_required"],
        [{ user_id: "NOBODY", start_date: "2026-11-01", end_date: "2026-11-30" }, 404, "user_not_linked"],
      ] as const) {
        const response = await post(running.url, body);
        expect(response.status).toBe(status);
        expect(((await response.json()) as any).error.code).toBe(code);
      }
      expect((await fetch(new URL("/backfill/999", running.url), { headers: auth })).status).toBe(404);
      // One bad day is one message, not every check that depends on it.
      const bad = (await (await post(running.url, { user_id: "U", start_date: "abc", end_date: "2026-11-30" })).json()) as any;
      expect(bad.error.details.map((d: any) => d.message)).toEqual(["expected a day as YYYY-MM-DD"]);
    } finally {
      await running.stop();
    }
  });

  test("DELETE cancels before the next request; what was stored stays", async () => {
    const { fake, refreshToken } = history(120, { documentDelayMs: 300 });
    const running = await startTestServer({ ...fake.env(), API_TOKEN: TEST_API_TOKEN, OURA_INITIAL_REFRESH_TOKEN: refreshToken });
    try {
      const created = (await (await post(running.url, { user_id: "USER-H", start_date: dayBefore(119), end_date: dayBefore(0), data_types: ["daily_sleep", "daily_readiness"] })).json()) as any;
      await waitFor(async () => ((await progress(running.url, created.id)).steps_done >= 1 ? true : undefined), 10_000);
      const cancelled = (await (await fetch(new URL(`/backfill/${created.id}`, running.url), { method: "DELETE", headers: auth })).json()) as any;
      expect(cancelled.state).toBe("cancelled");
      const requestsThen = fake.requests.length;
      await Bun.sleep(1500);
      expect(fake.requests.length).toBeLessThanOrEqual(requestsThen + 1);
      const after = await progress(running.url, created.id);
      expect(after.state).toBe("cancelled");
      expect(after.steps_done).toBeLessThan(after.steps_total);
    } finally {
      await running.stop();
    }
  }, 20_000);
});

test("a restart mid-backfill resumes from the last finished window: nothing read twice but the step in flight, nothing stored twice", async () => {
  const { fake, refreshToken } = history(150, { documentDelayMs: 40 });
  const env = { ...fake.env(), PORT: String(freePort()), DATABASE_PATH: join(tempDir(), "oura.db"), API_TOKEN: TEST_API_TOKEN, OURA_INITIAL_REFRESH_TOKEN: refreshToken, RECONCILE_INTERVAL_HOURS: "0" };
  const first = await spawnServer(env);
  const created = (await (await post(first.url, { user_id: "USER-H", start_date: dayBefore(149), end_date: dayBefore(0), data_types: ["daily_sleep", "daily_readiness"] })).json()) as any;
  expect(created.steps_total).toBe(10);
  await waitFor(async () => ((await progress(first.url, created.id)).steps_done >= 4 ? true : undefined), 20_000);
  expect(await first.stop()).toBe(0);
  const doneBefore = (await (async () => {
    const second = await spawnServer(env);
    try {
      const resumed = await progress(second.url, created.id);
      const finished = await waitFor(async () => {
        const body = await progress(second.url, created.id);
        return body.state === "done" ? body : undefined;
      }, 30_000, "the resumed backfill done");
      expect(finished.documents_stored).toBe(300);
      const events = (await (await fetch(new URL("/events?limit=1", second.url), { headers: auth })).json()) as any;
      expect(events.total_stored).toBe(300);
      return resumed.steps_done;
    } finally {
      await second.stop();
    }
  })()) as number;
  expect(doneBefore).toBeGreaterThanOrEqual(4);
  // The restart came mid-way: the second server had steps left to do.
  expect(doneBefore).toBeLessThan(10);
  // Pages per step: 30 days × 2 padding ≈ 32 documents in pages of 5 → 7 requests. Ten steps, plus at most the one in flight.
  const listRequests = fake.requests.filter((r) => r.path.startsWith("/v2/usercollection/daily_")).length;
  expect(listRequests).toBeLessThanOrEqual(10 * 7 + 7);
}, 60_000);

test("oura-streaming backfill: a progress bar to 100% and exit 0; a wrong argument exits 2 and says which", async () => {
  const { fake, refreshToken } = history(40);
  const env = { ...fake.env(), PORT: String(freePort()), DATABASE_PATH: join(tempDir(), "oura.db"), API_TOKEN: TEST_API_TOKEN, OURA_INITIAL_REFRESH_TOKEN: refreshToken };
  const server = await spawnServer(env);
  try {
    // Not spawnSync: the fake Oura answers from this process's event loop.
    const cli = async (args: string[]) => {
      const child = Bun.spawn([process.execPath, "src/main.ts", "backfill", ...args], {
        cwd: join(import.meta.dir, "..", ".."),
        env: { PATH: process.env.PATH ?? "", API_TOKEN: TEST_API_TOKEN },
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
      });
      const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
      return { stdout, stderr, exitCode };
    };
    const run = await cli(["--user-id", "USER-H", "--days", "40", "--types", "daily_sleep,daily_readiness", "--url", server.url.href]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("100%");
    expect(run.stdout).toContain("done: 80 stored");
    const wrong = await cli(["--user-id", "USER-H", "--days", "forty", "--url", server.url.href]);
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain("--days must be a whole number");
    // A type the server refuses is a wrong argument too; a server that cannot be reached is not.
    expect((await cli(["--user-id", "USER-H", "--days", "5", "--types", "foo", "--url", server.url.href])).exitCode).toBe(2);
    expect((await cli(["--user-id", "USER-H", "--days", "5", "--url", `http://127.0.0.1:${freePort()}`])).exitCode).toBe(1);
  } finally {
    await server.stop();
  }
}, 30_000);

describe("imports of several users share the budget", () => {
  test("a ten-year import does not hold up another user's 60-day import: they take turns a window at a time", async () => {
    // A little latency per request, so the long import is still running when the short one is asked for.
    const fake = new FakeOura({ pageSize: 5, documentDelayMs: 5 }).start();
    fakes.push(fake);
    const running = await startTestServer({ ...fake.env(), API_TOKEN: TEST_API_TOKEN });
    try {
      for (const user of ["LONG", "SHORT"]) {
        const tokens = fake.issueTokens(user);
        await running.deps.accounts.link(user, { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresInSeconds: tokens.expires_in });
      }
      const long = (await (await post(running.url, { user_id: "LONG", start_date: "2016-01-01", end_date: dayBefore(0), data_types: ["daily_sleep"] })).json()) as { id: number; steps_total: number };
      expect(long.steps_total).toBeGreaterThan(120);
      await waitFor(async () => ((await progress(running.url, long.id)).steps_done >= 3 ? true : undefined), 5000, "the long import to start");
      const short = (await (await post(running.url, { user_id: "SHORT", start_date: dayBefore(59), end_date: dayBefore(0), data_types: ["daily_sleep"] })).json()) as { id: number; steps_total: number };
      const atStart = (await progress(running.url, long.id)).steps_done;
      await waitFor(async () => ((await progress(running.url, short.id)).state === "done" ? true : undefined), 5000, "the short import to finish");
      const longThen = (await progress(running.url, long.id)) as { steps_done: number; state: string };
      // Turns: the long import took about as many windows as the short one needed (its own, one in flight when the short
      // one was asked for, and the round that marks the short one done), not its hundred and more first.
      expect(longThen.state).toBe("running");
      expect(longThen.steps_done - atStart).toBeLessThanOrEqual(2 * short.steps_total + 4);
      await fetch(new URL(`/backfill/${long.id}`, running.url), { method: "DELETE", headers: auth });
    } finally {
      await running.stop();
    }
  });

  test("a start before 2015-01-01 (before the first Oura ring) is refused with the bound named", async () => {
    const { fake, refreshToken } = history(1);
    const running = await startTestServer({ ...fake.env(), API_TOKEN: TEST_API_TOKEN, OURA_INITIAL_REFRESH_TOKEN: refreshToken });
    try {
      const response = await post(running.url, { user_id: "USER-H", start_date: "2014-12-31", end_date: dayBefore(0) });
      expect(response.status).toBe(422);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain("2015-01-01");
      expect((await post(running.url, { user_id: "USER-H", start_date: "2015-01-01", end_date: dayBefore(0), data_types: ["daily_sleep"] })).status).toBe(201);
    } finally {
      await running.stop();
    }
  });
});
