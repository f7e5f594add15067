// warehouse check, check-config in warehouse mode, start-up refusals and token handoff, as a user runs them.
import { describe, expect, test } from "bun:test";
import { cleanupsAfterEach, WAREHOUSE_APP_SECRET_KEY } from "../helpers/cleanups.ts";
import { join } from "node:path";
import { FakeDatabricks } from "../fake-databricks.ts";
import { FakeOura } from "../fake-oura.ts";
import { cli } from "../helpers/cli.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { waitFor } from "../helpers/ports.ts";
import { spawnServer, tempDir } from "../helpers/servers.ts";

const APP_SECRET_KEY = WAREHOUSE_APP_SECRET_KEY;

const cleanups = cleanupsAfterEach();

function fake(options: ConstructorParameters<typeof FakeDatabricks>[0] = {}): FakeDatabricks {
  const databricks = new FakeDatabricks(options).start();
  cleanups.push(() => databricks.stop());
  return databricks;
}

const check = (databricks: FakeDatabricks, env: Record<string, string> = {}) =>
  cli(["warehouse", "check"], { ...databricks.env(), APP_SECRET_KEY, DATABASE_PATH: join(tempDir(), "oura.db"), ...env });

describe("warehouse check", () => {
  test("a usable warehouse: every line ok, missing tables announced, exit 0", async () => {
    const result = await check(fake());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ok   warehouse");
    expect(result.stdout).toContain("does not exist yet; the server creates it");
  });

  test.each([
    ["a wrong warehouse id", {}, { DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/0000000000000000" }, "there is no SQL warehouse 0000000000000000"],
    ["no CAN USE", { canUse: false }, {}, "grant it CAN USE"],
    ["a wrong token", {}, { DATABRICKS_TOKEN: "dapi-wrong" }, "refused the credentials: DATABRICKS_TOKEN is wrong"],
  ])("%s is explained in one sentence, exit 1", async (_name, options, env, sentence) => {
    const result = await check(fake(options), env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("FAIL warehouse");
    expect(result.stdout).toContain(sentence);
  });

  test("an unreachable host: said within seconds, naming DATABRICKS_HOST", async () => {
    const started = Date.now();
    const result = await check(fake(), { DATABRICKS_HOST: "http://127.0.0.1:9" });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("cannot reach http://127.0.0.1:9");
    expect(result.stdout).toContain("check DATABRICKS_HOST");
    expect(Date.now() - started).toBeLessThan(12_000);
  }, 30_000);

  test("a stopped warehouse: said so once the check's deadline is up (a minute, or WAREHOUSE_STATEMENT_TIMEOUT_SECONDS)", async () => {
    const databricks = fake();
    databricks.warehouseStopped = true;
    const started = Date.now();
    const result = await check(databricks, { WAREHOUSE_STATEMENT_TIMEOUT_SECONDS: "5" });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("did not run a statement within 5 s: it is stopped or still starting");
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(databricks.counters.cancels).toBeGreaterThanOrEqual(1);
  }, 30_000);

  test("an original-schema table: missing columns announced; no MODIFY: explained", async () => {
    const databricks = fake({ canModify: false });
    databricks.createTable("main.oura.events", ["id", "received_at", "data_type", "event_type", "user_id", "payload"].map((name) => ({ name, type: name === "received_at" ? "TIMESTAMP" : "STRING" })));
    const result = await check(databricks);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("lacks columns object_id, event_time, source, document; the server adds them at start");
    expect(result.stdout).toContain("FAIL write access");
    expect(result.stdout).toContain("grant USE CATALOG, USE SCHEMA, and SELECT and MODIFY");
  });

  test("check-config in warehouse mode runs the same check", async () => {
    const result = await cli(["check-config"], { ...fake().env(), APP_SECRET_KEY });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ok   warehouse");
    expect(result.stdout).toMatch(/DATABRICKS_TOKEN\s+set/);
    expect(result.stdout).not.toContain("dapi-fake-token");
  });
});

describe("start-up refusals name the variable", () => {
  test.each([
    [{ DATABRICKS_HOST: "" }, "DATABRICKS_HOST: not set"],
    [{ DATABRICKS_HTTP_PATH: "/sql/protocolv1/o/123/0123-456789-abc" }, "DATABRICKS_HTTP_PATH:"],
    [{ DELTA_TABLE: "main.oura.events; DROP TABLE x" }, "DELTA_TABLE:"],
    [{ DATABRICKS_TOKEN: "" }, "DATABRICKS_TOKEN: not set"],
    [{ APP_SECRET_KEY: "" }, "APP_SECRET_KEY: not set; warehouse mode"],
    [{ STORAGE_BACKEND: "delta" }, "STORAGE_BACKEND: expected sqlite or warehouse"],
  ])("%o", async (override, message) => {
    const databricks = fake();
    const result = await cli(["serve"], { ...databricks.env(), APP_SECRET_KEY, PORT: "0", DATABASE_PATH: join(tempDir(), "oura.db"), ...override });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});

describe("token handoff", () => {
  test("prints the refresh token once, and the server no longer uses it", async () => {
    const oura = new FakeOura().start();
    cleanups.push(() => oura.stop());
    oura.addUser("USER-H");
    const dir = tempDir();
    const env = { ...oura.env(), DATABASE_PATH: join(dir, "oura.db"), API_TOKEN: TEST_API_TOKEN, OURA_INITIAL_REFRESH_TOKEN: oura.issueTokens("USER-H").refresh_token };
    const server = await spawnServer(env);
    await server.stop();
    const current = oura.currentRefresh.get("USER-H")!;

    const handoff = await cli(["token", "handoff", "--user", "USER-H"], env);
    expect(handoff.code).toBe(0);
    expect(handoff.stdout.trim()).toBe(current);
    expect(handoff.stderr).toContain("OURA_INITIAL_REFRESH_TOKEN");
    const again = await cli(["token", "handoff", "--user", "USER-H"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already handed off");

    const restarted = await spawnServer(env);
    cleanups.push(() => restarted.stop());
    const status = (await (await fetch(new URL("/auth/status", restarted.url), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).json()) as { linked_users: any[] };
    expect(status.linked_users[0].handed_off_at).not.toBeNull();
    expect(status.linked_users[0].needs_reauth).toBe(true);
    // A notification for the user is not fetched with the handed-off token.
    oura.putDocument("USER-H", "daily_sleep", { id: "h-1", day: "2026-12-01", score: 50 });
    await oura.deliver(new URL("/webhooks", restarted.url).href, { event_type: "create", data_type: "daily_sleep", object_id: "h-1", event_time: new Date().toISOString(), user_id: "USER-H" });
    const event = await waitFor(async () => {
      const body = (await (await fetch(new URL("/events?user_id=USER-H", restarted.url), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).json()) as { events: any[] };
      return body.events[0]?.fetch_status === "awaiting_link" ? body.events[0] : undefined;
    }, 5000, "the event parked until a new sign-in");
    expect(event.object_id).toBe("h-1");
    expect(oura.currentRefresh.get("USER-H")).toBe(current);
    expect(oura.counters.documentRequests).toBe(0);
  }, 40_000);

  test("from a server in warehouse mode to an App on the same table: Delta keeps the usable token, the old server never takes it back", async () => {
    const oura = new FakeOura().start();
    const databricks = fake();
    cleanups.push(() => oura.stop());
    oura.addUser("USER-W");
    const shared = { ...oura.env(), ...databricks.env(), APP_SECRET_KEY, API_TOKEN: TEST_API_TOKEN };
    const own = { ...shared, DATABASE_PATH: join(tempDir(), "own.db") };
    const first = await spawnServer({ ...own, OURA_INITIAL_REFRESH_TOKEN: oura.issueTokens("USER-W").refresh_token });
    await waitFor(() => databricks.rows("main.oura.events_tokens")[0], 5000, "the token in Delta");
    await first.stop();
    const handoff = await cli(["token", "handoff", "--user", "USER-W"], own);
    expect(handoff.code).toBe(0);
    const row = databricks.rows("main.oura.events_tokens")[0]!;
    expect([row.handed_off, row.refresh_token === null]).toEqual(["false", false]);

    // The App: a fresh disk, the same table, the printed token as its initial one.
    const app = await spawnServer({ ...shared, DATABASE_PATH: join(tempDir(), "app.db"), OURA_INITIAL_REFRESH_TOKEN: handoff.stdout.trim() });
    cleanups.push(() => app.stop());
    const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
    const appStatus = (await (await fetch(new URL("/auth/status", app.url), { headers: auth })).json()) as { linked_users: any[] };
    expect(appStatus.linked_users.map((u) => [u.user_id, u.needs_reauth])).toEqual([["USER-W", false]]);
    // The App rotates the token; the old server, restarted, still does not use it.
    oura.expireAccessTokens("USER-W");
    oura.putDocument("USER-W", "daily_sleep", { id: "w-1", day: "2026-12-01", score: 66 });
    await oura.deliver(new URL("/webhooks", app.url).href, { event_type: "create", data_type: "daily_sleep", object_id: "w-1", event_time: new Date().toISOString(), user_id: "USER-W" });
    await waitFor(() => oura.counters.documentRequests === 1 || undefined, 10_000, "the App's fetch");
    const again = await spawnServer(own);
    cleanups.push(() => again.stop());
    const ownStatus = (await (await fetch(new URL("/auth/status", again.url), { headers: auth })).json()) as { linked_users: any[] };
    expect(ownStatus.linked_users[0].handed_off_at).not.toBeNull();
    expect(ownStatus.linked_users[0].needs_reauth).toBe(true);
    expect(oura.counters.refreshReuse).toBe(0);
  }, 60_000);

  test("an unknown user or a missing --user: a clear message", async () => {
    const env = { DATABASE_PATH: join(tempDir(), "oura.db") };
    expect((await cli(["token", "handoff"], env)).code).toBe(2);
    const unknown = await cli(["token", "handoff", "--user", "NOBODY"], env);
    expect(unknown.code).toBe(1);
  });
});
