// Two servers on one Delta token table (two App instances, a laptop and an App, a redeploy's overlap): only the holder
// of the token lease spends refresh tokens; the other keeps receiving and shipping, its refreshes wait (events pending,
// nobody asked to sign in again), and it takes over — after reading the token rows back — once the first stops or dies.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { LeaseTimings } from "../../src/databricks/token-lease.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { FakeDatabricks } from "../fake-databricks.ts";
import { FakeOura } from "../fake-oura.ts";
import { cleanupsAfterEach, WAREHOUSE_APP_SECRET_KEY } from "../helpers/cleanups.ts";
import { TEST_API_TOKEN, testConfig } from "../helpers/config.ts";
import { waitFor } from "../helpers/ports.ts";
import { type ChildServer, spawnServer, tempDir } from "../helpers/servers.ts";

const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
const USER = "USER-L";
/** The in-process server asks again for the lease every 30 ms; the child servers run the production timings. */
const QUICK: Partial<LeaseTimings> = { retryEveryMs: 30, renewEveryMs: 200 };

const cleanups = cleanupsAfterEach();

const getJson = async (url: URL, path: string) => (await (await fetch(new URL(path, url), { headers: auth })).json()) as Record<string, any>;
const eventOf = async (url: URL, objectId: string) => ((await getJson(url, `/events?user_id=${USER}`)).events as any[]).find((e) => e.object_id === objectId);

/** A fake Oura whose access tokens last a minute: every fetch needs a refresh (the server refreshes 5 minutes early). */
function world() {
  const oura = new FakeOura({ accessTokenSeconds: 60 }).start();
  const databricks = new FakeDatabricks().start();
  cleanups.push(() => oura.stop(), () => databricks.stop());
  oura.addUser(USER);
  const env = { ...oura.env(), ...databricks.env(), APP_SECRET_KEY: WAREHOUSE_APP_SECRET_KEY, API_TOKEN: TEST_API_TOKEN };
  const deliver = (url: URL, objectId: string) => {
    oura.putDocument(USER, "daily_sleep", { id: objectId, day: "2026-12-01", score: 80 });
    return oura.deliver(new URL("/webhooks", url).href, { event_type: "create", data_type: "daily_sleep", object_id: objectId, event_time: new Date().toISOString(), user_id: USER });
  };
  return { oura, databricks, env, deliver, leaseRow: () => databricks.rows("main.oura.events_lease")[0] };
}

async function child(env: Record<string, string>): Promise<ChildServer> {
  const server = await spawnServer({ ...env, DATABASE_PATH: join(tempDir(), "oura.db") });
  cleanups.push(() => server.stop("SIGKILL"));
  return server;
}

async function inProcess(env: Record<string, string>, lease: Partial<LeaseTimings> = QUICK): Promise<{ server: RunningServer; lines: string[] }> {
  const lines: string[] = [];
  const logger = createLogger("info", { write: (line) => void lines.push(line), drain: async () => {} });
  const server = await startServer(testConfig({ ...env, DATABASE_PATH: join(tempDir(), "oura.db") }), logger, { tokenLease: lease });
  cleanups.push(() => server.stop());
  return { server, lines };
}

/**
 * The first server (a child process) links the user and holds the lease after a refresh of its own; the second starts
 * on the same table, and a notification it receives needs a refresh: it waits, and says who holds the lease.
 */
async function holderAndStandby() {
  const w = world();
  const first = await child({ ...w.env, OURA_INITIAL_REFRESH_TOKEN: w.oura.issueTokens(USER).refresh_token });
  await waitFor(() => w.databricks.rows("main.oura.events_tokens")[0], 5000, "the link in Delta");
  expect(Number(w.leaseRow()!.pid)).toBe(first.process.pid);
  const second = await inProcess(w.env);
  expect((await getJson(second.server.url, "/auth/status")).linked_users.map((u: any) => u.user_id)).toEqual([USER]);
  // The first rotates once more after the second read the rows: the second's copy is now spent at Oura.
  const versionRead = Number(w.databricks.rows("main.oura.events_tokens")[0]!.token_version);
  expect((await w.deliver(first.url, "at-first")).status).toBe(201);
  await waitFor(async () => ((await eventOf(first.url, "at-first"))?.fetch_status === "fetched" ? true : undefined), 5000, "the first server's fetch");
  await waitFor(() => Number(w.databricks.rows("main.oura.events_tokens")[0]!.token_version) > versionRead || undefined, 5000, "the rotation in Delta");
  const refreshesByFirst = w.oura.counters.refreshes;

  expect((await w.deliver(second.server.url, "at-second")).status).toBe(201);
  const told = await waitFor(() => second.lines.find((line) => line.includes("warehouse.token_lease_held_elsewhere")), 5000, "the standby's log line");
  expect(told).toContain(`pid ${first.process.pid}`);
  await Bun.sleep(300); // ten of the standby's retries
  const waiting = await eventOf(second.server.url, "at-second");
  expect(waiting.fetch_status).toBe("pending");
  const status = await getJson(second.server.url, "/auth/status");
  expect(status.linked_users.map((u: any) => [u.user_id, u.needs_reauth])).toEqual([[USER, false]]);
  expect(w.oura.counters.refreshes).toBe(refreshesByFirst);
  expect(second.lines.filter((line) => line.includes("warehouse.token_lease_held_elsewhere"))).toHaveLength(1);
  // The operator reads the same in /health: who holds the lease, and that a refresh waits for it.
  const lease = (await getJson(second.server.url, "/health")).warehouse.token_lease;
  expect(lease).toMatchObject({ state: "elsewhere", holder: { pid: first.process.pid }, waiting_refreshes: 1 });
  return { ...w, first, second, refreshesByFirst };
}

async function takenOver(w: Awaited<ReturnType<typeof holderAndStandby>>) {
  const { second } = w;
  const fetched = await waitFor(async () => {
    const event = await eventOf(second.server.url, "at-second");
    return event?.fetch_status === "fetched" ? event : undefined;
  }, 8000, "the standby's fetch after taking over");
  expect(fetched.document.score).toBe(80);
  expect((await getJson(second.server.url, "/health")).warehouse.token_lease).toMatchObject({ state: "held", holder: { pid: process.pid }, waiting_refreshes: 0 });
  // Not one spent refresh token presented: the rows were read back from Delta before the refresh.
  expect(w.oura.counters.refreshReuse).toBe(0);
  expect(w.oura.counters.refreshes).toBeGreaterThan(w.refreshesByFirst);
  expect(second.lines.some((line) => line.includes("warehouse.tokens_reread") && /installed=1\b/.test(line))).toBe(true);
  expect(second.lines.some((line) => line.includes("warehouse.token_lease_acquired") && line.includes("previous_holder="))).toBe(true);
  expect((await getJson(second.server.url, "/auth/status")).linked_users.map((u: any) => [u.user_id, u.needs_reauth])).toEqual([[USER, false]]);
  // Fetches after that refresh with the lease it holds.
  expect((await w.deliver(second.server.url, "later")).status).toBe(201);
  await waitFor(async () => ((await eventOf(second.server.url, "later"))?.fetch_status === "fetched" ? true : undefined), 5000, "a later fetch");
  expect(w.oura.counters.refreshReuse).toBe(0);
}

describe("one token lease for servers sharing a Delta token table", () => {
  test("the holder stops: it gives the lease back, and the waiting server takes over with the tokens read back from Delta", async () => {
    const w = await holderAndStandby();
    expect(await w.first.stop("SIGTERM")).toBe(0);
    expect((await w.first.readRest()).filter((line) => line.includes("warehouse.token_lease_released"))[0]).toContain("reason=stop");
    await takenOver(w);
  }, 20_000);

  test("the holder is killed: its lease ends by itself after its TTL (the warehouse's clock moved on), then the waiting server takes over", async () => {
    const w = await holderAndStandby();
    w.first.stop("SIGKILL");
    await w.first.process.exited;
    await Bun.sleep(200);
    // Still the dead server's lease: the standby keeps waiting.
    expect(Number(w.leaseRow()!.pid)).toBe(w.first.process.pid);
    expect((await eventOf(w.second.server.url, "at-second")).fetch_status).toBe("pending");
    w.databricks.advanceClock(61_000);
    await takenOver(w);
  }, 20_000);

  test("two servers started at once on an empty table with the same OURA_INITIAL_REFRESH_TOKEN: it is spent once", async () => {
    const w = world();
    const env = { ...w.env, OURA_INITIAL_REFRESH_TOKEN: w.oura.issueTokens(USER).refresh_token };
    const [a, b] = await Promise.all([inProcess(env, { ...QUICK, idleReleaseMs: 300 }), inProcess(env, { ...QUICK, idleReleaseMs: 300 })]);
    for (const { server } of [a, b]) {
      await waitFor(async () => ((await getJson(server.url, "/auth/status")).linked_users.length === 1 ? true : undefined), 8000, "both linked");
    }
    expect(w.oura.counters.refreshes).toBe(1);
    expect(w.oura.counters.refreshReuse).toBe(0);
    for (const { server } of [a, b]) expect((await getJson(server.url, "/auth/status")).linked_users[0].needs_reauth).toBe(false);
  }, 20_000);
});
