// A Databricks App loses its disk on every redeploy: tokens and recent history come back from Delta, and a refresh
// token is never presented twice.
import { describe, expect, test } from "bun:test";
import { cleanupsAfterEach, WAREHOUSE_APP_SECRET_KEY } from "../helpers/cleanups.ts";
import { join } from "node:path";
import type { RunningServer } from "../../src/server.ts";
import { FakeDatabricks } from "../fake-databricks.ts";
import { FakeOura } from "../fake-oura.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { waitFor } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";

const APP_SECRET_KEY = WAREHOUSE_APP_SECRET_KEY;
const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };

const cleanups = cleanupsAfterEach();

async function start(env: Record<string, string>): Promise<RunningServer> {
  const server = await startTestServer(env);
  cleanups.push(() => server.stop());
  return server;
}

const getJson = async (server: RunningServer, path: string) => (await (await fetch(new URL(path, server.url), { headers: auth })).json()) as Record<string, any>;

describe("redeploy on an empty disk", () => {
  test("tokens, events and documents are read back from Delta; the spent initial token is not presented again", async () => {
    const oura = new FakeOura().start();
    const databricks = new FakeDatabricks().start();
    cleanups.push(() => oura.stop(), () => databricks.stop());
    oura.addUser("USER-APP");
    const initial = oura.issueTokens("USER-APP");
    oura.putDocument("USER-APP", "daily_sleep", { id: "sleep-1", day: "2026-11-30", score: 81 });
    oura.putDocument("USER-APP", "daily_sleep", { id: "sleep-2", day: "2026-12-01", score: 77 });
    const env = {
      ...oura.env(),
      ...databricks.env(),
      APP_SECRET_KEY,
      API_TOKEN: TEST_API_TOKEN,
      OURA_INITIAL_REFRESH_TOKEN: initial.refresh_token,
    };

    const first = await start({ ...env, DATABASE_PATH: join(tempDir(), "oura.db") });
    const linkedVersion = Number((await waitFor(() => databricks.rows("main.oura.events_tokens")[0], 5000, "the linked token in Delta")).token_version);
    for (const id of ["sleep-1", "sleep-2"]) {
      const response = await oura.deliver(new URL("/webhooks", first.url).href, { event_type: "create", data_type: "daily_sleep", object_id: id, event_time: new Date().toISOString(), user_id: "USER-APP" });
      expect(response.status).toBe(201);
    }
    await waitFor(async () => ((await getJson(first, "/events?user_id=USER-APP")).events.every((e: any) => e.fetch_status === "fetched") ? true : undefined), 10_000, "documents fetched");
    // Rotate once more, so Delta must hold a pair the initial token no longer is.
    oura.expireAccessTokens("USER-APP");
    oura.putDocument("USER-APP", "daily_sleep", { id: "sleep-3", day: "2026-12-02", score: 70 });
    await oura.deliver(new URL("/webhooks", first.url).href, { event_type: "create", data_type: "daily_sleep", object_id: "sleep-3", event_time: new Date().toISOString(), user_id: "USER-APP" });
    await waitFor(async () => ((await getJson(first, "/documents?user_id=USER-APP")).documents?.length === 3 ? true : undefined), 10_000, "third document");
    await waitFor(async () => ((await getJson(first, "/health")).warehouse.pending_documents === 0 && (await getJson(first, "/health")).warehouse.pending_events === 0 ? true : undefined), 10_000, "everything shipped");
    const tokenRows = databricks.rows("main.oura.events_tokens");
    expect(tokenRows).toHaveLength(1);
    expect(Number(tokenRows[0]!.token_version)).toBe(linkedVersion + 1);
    // Sealed, never in clear.
    expect(JSON.stringify(tokenRows)).not.toContain(oura.currentRefresh.get("USER-APP")!);
    const refreshesBefore = oura.counters.refreshes;
    await first.stop();
    cleanups.pop();

    // The redeploy: same settings, a new empty disk.
    const second = await start({ ...env, DATABASE_PATH: join(tempDir(), "oura.db") });
    const status = await getJson(second, "/auth/status");
    expect(status.linked_users.map((u: any) => [u.user_id, u.needs_reauth])).toEqual([["USER-APP", false]]);
    // History comes back in the background (listening does not wait for the warehouse).
    const events = await waitFor(async () => {
      const page = (await getJson(second, "/events?user_id=USER-APP")).events;
      return page.length === 3 ? page : undefined;
    }, 10_000, "the restored history");
    expect(events.map((e: any) => e.object_id).sort()).toEqual(["sleep-1", "sleep-2", "sleep-3"]);
    expect(events.every((e: any) => e.fetch_status === "fetched")).toBe(true);
    const documents = (await getJson(second, "/documents?user_id=USER-APP")).documents;
    expect(documents.map((d: any) => d.document.score).sort()).toEqual([70, 77, 81]);
    // The restored token works: a new notification is fetched with it.
    oura.putDocument("USER-APP", "daily_sleep", { id: "sleep-4", day: "2026-12-03", score: 88 });
    await oura.deliver(new URL("/webhooks", second.url).href, { event_type: "create", data_type: "daily_sleep", object_id: "sleep-4", event_time: new Date().toISOString(), user_id: "USER-APP" });
    await waitFor(async () => ((await getJson(second, "/documents?user_id=USER-APP")).documents?.length === 4 ? true : undefined), 10_000, "fetch with the restored token");
    expect(oura.counters.refreshReuse).toBe(0);
    expect(oura.counters.refreshes).toBe(refreshesBefore);
    // Nothing restored was shipped twice.
    await waitFor(async () => ((await getJson(second, "/health")).warehouse.pending_events === 0 ? true : undefined), 10_000, "the new event shipped");
    expect(databricks.rows("main.oura.events")).toHaveLength(4);
  }, 60_000);

  test("no refresh while Delta cannot take the new pair; then the pair lands in Delta before it is used", async () => {
    const oura = new FakeOura().start();
    const databricks = new FakeDatabricks().start();
    cleanups.push(() => oura.stop(), () => databricks.stop());
    oura.addUser("USER-R");
    const initial = oura.issueTokens("USER-R");
    const server = await start({
      ...oura.env(),
      ...databricks.env(),
      APP_SECRET_KEY,
      API_TOKEN: TEST_API_TOKEN,
      OURA_INITIAL_REFRESH_TOKEN: initial.refresh_token,
      DATABASE_PATH: join(tempDir(), "oura.db"),
    });
    const linkedVersion = Number((await waitFor(() => databricks.rows("main.oura.events_tokens")[0], 5000, "the linked token in Delta")).token_version);
    const refreshesAfterLink = oura.counters.refreshes;
    databricks.faults.push(...Array.from({ length: 400 }, () => ({ type: "http" as const, status: 503, kind: "merge-token" })));
    oura.expireAccessTokens("USER-R");
    oura.putDocument("USER-R", "daily_sleep", { id: "r-1", day: "2026-12-01", score: 60 });
    await oura.deliver(new URL("/webhooks", server.url).href, { event_type: "create", data_type: "daily_sleep", object_id: "r-1", event_time: new Date().toISOString(), user_id: "USER-R" });
    await waitFor(() => databricks.faults.length < 398 || undefined, 10_000, "the write check before the refresh");
    await Bun.sleep(1000);
    // Delta refuses writes: the refresh token is not spent, and nothing is fetched.
    expect(oura.counters.refreshes).toBe(refreshesAfterLink);
    expect(oura.counters.documentRequests).toBe(0);
    databricks.faults.length = 0;
    await waitFor(async () => ((await getJson(server, "/documents?user_id=USER-R")).documents?.length === 1 ? true : undefined), 20_000, "the fetch once Delta is back");
    expect(oura.counters.refreshes).toBe(refreshesAfterLink + 1);
    expect(Number(databricks.rows("main.oura.events_tokens")[0]!.token_version)).toBe(linkedVersion + 1);
    expect(oura.counters.refreshReuse).toBe(0);
  }, 40_000);

  test("unlinked, then linked again: the new sign-in reaches Delta and is what a redeploy reads back", async () => {
    const oura = new FakeOura().start();
    const databricks = new FakeDatabricks().start();
    cleanups.push(() => oura.stop(), () => databricks.stop());
    oura.addUser("USER-U");
    const env = { ...oura.env(), ...databricks.env(), APP_SECRET_KEY, API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: join(tempDir(), "oura.db") };
    const server = await start({ ...env, OURA_INITIAL_REFRESH_TOKEN: oura.issueTokens("USER-U").refresh_token });
    await waitFor(() => databricks.rows("main.oura.events_tokens")[0], 5000, "the first link in Delta");
    const unlinked = await fetch(new URL("/auth/users/USER-U", server.url), { method: "DELETE", headers: auth });
    expect(unlinked.status).toBe(200);
    await waitFor(() => (databricks.rows("main.oura.events_tokens")[0]?.refresh_token === null ? true : undefined), 5000, "the unlink in Delta");
    await server.stop();
    cleanups.pop();
    // Linked again (a new initial token on a new start of the same disk: nothing is stored for the user any more).
    const again = await start({ ...env, OURA_INITIAL_REFRESH_TOKEN: oura.issueTokens("USER-U").refresh_token });
    await waitFor(() => (databricks.rows("main.oura.events_tokens")[0]?.refresh_token ? true : undefined), 5000, "the new link in Delta");
    await again.stop();
    cleanups.pop();
    const current = oura.currentRefresh.get("USER-U")!;
    const redeployed = await start({ ...env, DATABASE_PATH: join(tempDir(), "oura.db") });
    expect((await getJson(redeployed, "/auth/status")).linked_users.map((u: any) => [u.user_id, u.needs_reauth])).toEqual([["USER-U", false]]);
    expect(oura.currentRefresh.get("USER-U")).toBe(current);
    expect(oura.counters.refreshReuse).toBe(0);
  }, 40_000);
});
