// Warehouse mode against the fake Statement Execution API (real HTTP on loopback): what is acknowledged here ends up in
// Delta once, whatever the warehouse does meanwhile.
import { describe, expect, test } from "bun:test";
import { cleanupsAfterEach, WAREHOUSE_APP_SECRET_KEY } from "../helpers/cleanups.ts";
import { join } from "node:path";
import type { RunningServer, ServerTimings } from "../../src/server.ts";
import { FakeDatabricks } from "../fake-databricks.ts";
import { FakeOura } from "../fake-oura.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { waitFor } from "../helpers/ports.ts";
import { movableClock } from "../helpers/clock.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";

const APP_SECRET_KEY = WAREHOUSE_APP_SECRET_KEY;
const EVENTS = "main.oura.events";

const cleanups = cleanupsAfterEach();

function startFake(options: ConstructorParameters<typeof FakeDatabricks>[0] = {}): FakeDatabricks {
  const fake = new FakeDatabricks(options).start();
  cleanups.push(() => fake.stop());
  return fake;
}

/**
 * The shipper looks every 100 ms and retries after 100 ms (doubling), where production takes 1 s; a pending statement is
 * asked about after 50 ms (doubling to 200 ms), where production starts at 200 ms and doubles to 5 s, and 300 ms of
 * PENDING is a cold start (production: 3 s). The same behaviour, sooner.
 */
const QUICK_SHIPPER: ServerTimings = { shipper: { intervalMs: 100, retryBaseMs: 100, pendingIsWaitingMs: 300 }, statementPolling: { firstMs: 50, maxMs: 200 } };

async function startWarehouseServer(fake: FakeDatabricks, env: Record<string, string> = {}, timings: ServerTimings = {}): Promise<RunningServer> {
  const server = await startTestServer({ ...fake.env(), APP_SECRET_KEY, API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: join(tempDir(), "oura.db"), ...env }, { ...QUICK_SHIPPER, ...timings });
  cleanups.push(() => server.stop());
  return server;
}

// The warehouse's details in /health are for operators.
const health = async (server: RunningServer) => (await (await fetch(new URL("/health", server.url), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).json()) as Record<string, any>;

describe("warehouse backend", () => {
  test("a burst of webhooks: rows in Delta equal the acknowledged events, once each, by named parameters only", async () => {
    const fake = startFake();
    const server = await startWarehouseServer(fake);
    const tricky = `quote ' double " backslash \\ unicode ü 😀 '; DROP TABLE x; --`;
    const sent = Array.from({ length: 120 }, (_, i) => sampleNotification({ user_id: i === 0 ? tricky : `USER-${i % 5}` }));
    const answers = await Promise.all(sent.map((n) => deliver(server.url, n)));
    expect(answers.every((r) => r.status === 201)).toBe(true);
    // A redelivery of the first ten changes nothing.
    await Promise.all(sent.slice(0, 10).map((n) => deliver(server.url, n)));
    await waitFor(() => fake.rows(EVENTS).length === 120 || undefined, 10_000, "120 rows in Delta");
    const rows = fake.rows(EVENTS);
    expect(new Set(rows.map((r) => r.id)).size).toBe(120);
    expect(rows.map((r) => `${r.user_id}|${r.object_id}`).sort()).toEqual(sent.map((n) => `${n.user_id}|${n.object_id}`).sort());
    const trickyRow = rows.find((r) => r.user_id === tricky)!;
    // Verbatim: the bytes Oura sent, character for character.
    expect(trickyRow.payload).toBe(JSON.stringify(sent[0]));
    for (const statement of fake.statements) expect(statement.statement).not.toContain("DROP TABLE x");
    expect(fake.statements.some((s) => s.kind === "merge-events")).toBe(true);
    const h = await waitFor(async () => {
      const body = await health(server);
      return body.warehouse.pending_events === 0 ? body : undefined;
    }, 5000, "the shipped id to be recorded");
    expect(h.storage_backend).toBe("warehouse");
    expect(h.warehouse.state).toBe("ok");
  }, 30_000);

  test("an outage: the outbox grows, /health says why, and it drains in order with nothing lost or doubled", async () => {
    const fake = startFake();
    const server = await startWarehouseServer(fake);
    await waitFor(() => fake.table(EVENTS) || undefined, 5000, "tables created");
    fake.setOff();
    const first = Array.from({ length: 40 }, () => sampleNotification());
    for (const n of first) expect((await deliver(server.url, n)).status).toBe(201);
    const during = await waitFor(async () => {
      const h = await health(server);
      return h.warehouse.pending_events === 40 && h.warehouse.state === "failing" ? h : undefined;
    }, 10_000, "the outbox to report the outage");
    expect(during.warehouse.last_error).toContain("cannot reach");
    expect(during.warehouse.oldest_pending_at).not.toBeNull();
    const metrics = await (await fetch(new URL("/metrics", server.url), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).text();
    expect(metrics).toMatch(/oura_outbox_events_pending 40/);
    fake.setOn();
    await waitFor(async () => ((await health(server)).warehouse.pending_events === 0 ? true : undefined), 20_000, "the outbox to drain");
    expect((await health(server)).warehouse.state).toBe("ok");
    // In order, each once.
    expect(fake.rows(EVENTS).map((r) => r.object_id)).toEqual(first.map((n) => n.object_id));
  }, 40_000);

  test("FAILED: the warehouse's message is surfaced and the rows stay queued; a lost answer is retried without duplicates", async () => {
    const fake = startFake();
    // The shipper's next attempt comes a minute after a failure, on a clock this test moves: the failure stays in
    // /health until the test has read it, however busy the machine.
    const clock = movableClock();
    const server = await startWarehouseServer(fake, {}, { clock: clock.now, shipper: { ...QUICK_SHIPPER.shipper, retryBaseMs: 60_000 } });
    await waitFor(() => fake.table(EVENTS) || undefined, 5000, "tables created");
    // A warehouse's message can quote a credential or a row: operators see it with anything token-like masked,
    // anonymous callers not at all.
    fake.faults.push({ type: "failed", kind: "merge-events", message: "[DELTA_SOMETHING_BROKE] the table is being rewritten (token=dapi0123456789abcdef0123456789abcdef)" });
    fake.faults.push({ type: "lost-answer", kind: "merge-events" });
    const sent = Array.from({ length: 5 }, () => sampleNotification());
    for (const n of sent) expect((await deliver(server.url, n)).status).toBe(201);
    const failed = await waitFor(async () => {
      const h = await health(server);
      return h.warehouse.last_error ? h : undefined;
    }, 10_000, "the failure in /health");
    expect(failed.warehouse.last_error).toContain("DELTA_SOMETHING_BROKE");
    expect(failed.warehouse.last_error).toContain("token=***");
    expect(failed.warehouse.last_error).not.toContain("dapi0123");
    const anonymous = await (await fetch(new URL("/health", server.url))).text();
    expect(anonymous).not.toContain("DELTA_SOMETHING_BROKE");
    expect(anonymous).not.toContain("main.oura");
    expect(fake.rows(EVENTS)).toHaveLength(0);
    // A minute later the batch is sent again; its answer is lost (a 502), so the client sends it once more.
    clock.advance(60_000);
    await waitFor(async () => ((await health(server)).warehouse.pending_events === 0 ? true : undefined), 15_000, "the batch shipped after the retry");
    expect(fake.statements.filter((s) => s.kind === "merge-events").map((s) => s.outcome)).toEqual(["FAILED", "lost-answer", "SUCCEEDED"]);
    expect(fake.rows(EVENTS)).toHaveLength(5);
  }, 30_000);
});

describe("warehouse down at start", () => {
  test("an empty disk: listens at once, acknowledges webhooks, then reads history back and ships the new events, none twice", async () => {
    const fake = startFake();
    const recent = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const history = [1, 2, 3].map((i) => ({
      id: `history-${i}`, received_at: recent(60 - i), data_type: "daily_sleep", event_type: "create", user_id: "USER-OLD",
      payload: JSON.stringify({ n: i }), object_id: `old-${i}`, event_time: recent(61 - i), source: "webhook", document: JSON.stringify({ id: `old-${i}`, day: "2026-12-01", score: 70 + i }),
    }));
    fake.createTable(EVENTS, [["id", "STRING"], ["received_at", "TIMESTAMP"], ["data_type", "STRING"], ["event_type", "STRING"], ["user_id", "STRING"], ["payload", "STRING"], ["object_id", "STRING"], ["event_time", "TIMESTAMP"], ["source", "STRING"], ["document", "STRING"]].map(([name, type]) => ({ name: name!, type: type! })), history);
    fake.setOff();
    const started = Date.now();
    // Production retries the history every 30 s; here every 200 ms (the behaviour is the same, not the wait).
    const server = await startWarehouseServer(fake, { WAREHOUSE_STATEMENT_TIMEOUT_SECONDS: "5" }, { historyRetryMs: 200, tokenRetryMs: 200, tokenWaitMs: 200 });
    expect(Date.now() - started).toBeLessThan(7000);
    const sent = Array.from({ length: 20 }, () => sampleNotification());
    const acknowledged = Date.now();
    for (const n of sent) expect((await deliver(server.url, n)).status).toBe(201);
    expect(Date.now() - acknowledged).toBeLessThan(2000);
    expect((await health(server)).warehouse.pending_events).toBe(20);
    fake.setOn();
    // The history arrives (at its next retry), and only the 20 new events are shipped.
    await waitFor(async () => {
      const body = (await (await fetch(new URL("/events?user_id=USER-OLD", server.url), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).json()) as { events: unknown[] };
      return body.events.length === 3 ? true : undefined;
    }, 40_000, "the history read back");
    await waitFor(async () => ((await health(server)).warehouse.pending_events === 0 ? true : undefined), 30_000, "the outbox to drain");
    expect(fake.rows(EVENTS).map((r) => r.object_id)).toEqual([...history.map((h) => h.object_id), ...sent.map((n) => n.object_id)]);
    expect(fake.statements.some((s) => s.kind === "select-tokens" && s.outcome === "SUCCEEDED")).toBe(true);
  }, 90_000);
});

describe("warehouse protocol", () => {
  test("a cold start: /health says the warehouse is starting, then ok once it runs the batch", async () => {
    const fake = startFake();
    const server = await startWarehouseServer(fake);
    await waitFor(() => fake.table(EVENTS) || undefined, 5000, "tables created");
    fake.warehouseStopped = true;
    for (let i = 0; i < 3; i++) expect((await deliver(server.url, sampleNotification())).status).toBe(201);
    const waiting = await waitFor(async () => {
      const h = await health(server);
      return h.warehouse.state === "waiting" ? h : undefined;
    }, 10_000, "the waiting state");
    expect(waiting.warehouse.waiting_since).not.toBeNull();
    expect(waiting.warehouse.pending_events).toBe(3);
    const strip = await (await fetch(new URL("/dashboard/warehouse", server.url), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).text();
    expect(strip).toContain("waiting for the warehouse to start");
    fake.warehouseStopped = false;
    // The three may go in more than one batch (the shipper can have taken the first before the others arrived).
    await waitFor(async () => ((await health(server)).warehouse.state === "ok" && fake.rows(EVENTS).length === 3 ? true : undefined), 15_000, "ok, and the three shipped");
    expect(fake.rows(EVENTS)).toHaveLength(3);
  }, 40_000);

  test("an original-schema table gains the new columns and keeps its rows; new rows land in it", async () => {
    const fake = startFake();
    const original = ["id", "received_at", "data_type", "event_type", "user_id", "payload"].map((name) => ({ name, type: name === "received_at" ? "TIMESTAMP" : "STRING" }));
    fake.createTable(EVENTS, original, [
      { id: "0b7c1d2e-original-row", received_at: "2025-06-01T10:00:00Z", data_type: "daily_sleep", event_type: "create", user_id: "OLD", payload: '{"from":"the original"}' },
    ]);
    const server = await startWarehouseServer(fake);
    const n = sampleNotification();
    expect((await deliver(server.url, n)).status).toBe(201);
    await waitFor(() => fake.rows(EVENTS).length === 2 || undefined, 10_000, "the new row");
    expect(fake.table(EVENTS)!.columns.map((c) => c.name)).toEqual(["id", "received_at", "data_type", "event_type", "user_id", "payload", "object_id", "event_time", "source", "document"]);
    expect(fake.rows(EVENTS)[0]).toMatchObject({ id: "0b7c1d2e-original-row", payload: '{"from":"the original"}', object_id: null });
    expect(fake.rows(EVENTS)[1]).toMatchObject({ object_id: n.object_id, source: "webhook" });
    expect(fake.statements.filter((s) => s.kind === "alter")).toHaveLength(1);
    // A second start finds nothing to add.
    await server.stop();
    cleanups.pop();
    await startWarehouseServer(fake);
    await waitFor(() => fake.statements.filter((s) => s.kind === "describe").length >= 6 || undefined, 5000, "the second start's describes");
    expect(fake.statements.filter((s) => s.kind === "alter")).toHaveLength(1);
  }, 30_000);

  test("cold start, CLOSED, 429 with Retry-After, 503 and a concurrent-modification conflict are all ridden out", async () => {
    const fake = startFake();
    const server = await startWarehouseServer(fake);
    await waitFor(() => fake.table(EVENTS) || undefined, 5000, "tables created");
    fake.faults.push(
      { type: "pending", polls: 3, kind: "merge-events" },
      { type: "closed", kind: "merge-events" },
      { type: "http", status: 429, retryAfter: 1, kind: "merge-events" },
      { type: "http", status: 503, kind: "merge-events" },
      { type: "failed", kind: "merge-events", errorCode: "ABORTED", message: "[DELTA_CONCURRENT_APPEND] ConcurrentAppendException: Files were added to the root of the table by a concurrent update." },
    );
    const sent: string[] = [];
    // Three batches, each shipped before the next: the first waits out a cold start, the second is CLOSED, the third
    // meets 429, 503 and a conflict before it lands.
    for (let round = 0; round < 3; round++) {
      const batch = Array.from({ length: 4 }, () => sampleNotification());
      for (const n of batch) expect((await deliver(server.url, n)).status).toBe(201);
      sent.push(...batch.map((n) => n.object_id));
      await waitFor(async () => ((await health(server)).warehouse.pending_events === 0 ? true : undefined), 20_000, `batch ${round + 1} shipped`);
    }
    expect(fake.faults).toHaveLength(0);
    expect(fake.rows(EVENTS).map((r) => r.object_id)).toEqual(sent);
    const merges = fake.statements.filter((s) => s.kind === "merge-events");
    expect(merges.every((s) => s.warehouseId === fake.warehouseId)).toBe(true);
    expect(fake.counters.polls).toBeGreaterThanOrEqual(3);
  }, 40_000);

  test("documents: the latest version per user, type and id, upserted", async () => {
    const oura = new FakeOura().start();
    cleanups.push(() => oura.stop());
    oura.addUser("USER-D");
    const fake = startFake();
    const server = await startWarehouseServer(fake, { ...oura.env(), OURA_INITIAL_REFRESH_TOKEN: oura.issueTokens("USER-D").refresh_token });
    oura.putDocument("USER-D", "daily_readiness", { id: "r-1", day: "2026-12-01", score: 70 });
    await oura.deliver(new URL("/webhooks", server.url).href, { event_type: "create", data_type: "daily_readiness", object_id: "r-1", event_time: "2026-12-01T08:00:00+00:00", user_id: "USER-D" });
    const documents = "main.oura.events_documents";
    await waitFor(() => fake.rows(documents).length === 1 || undefined, 10_000, "the document in Delta");
    oura.putDocument("USER-D", "daily_readiness", { id: "r-1", day: "2026-12-01", score: 74 });
    await oura.deliver(new URL("/webhooks", server.url).href, { event_type: "update", data_type: "daily_readiness", object_id: "r-1", event_time: "2026-12-01T09:00:00+00:00", user_id: "USER-D" });
    await waitFor(() => (fake.rows(documents)[0] && JSON.parse(fake.rows(documents)[0]!.payload!).score === 74) || undefined, 10_000, "the update in Delta");
    expect(fake.rows(documents)).toHaveLength(1);
    expect(fake.rows(documents)[0]).toMatchObject({ user_id: "USER-D", data_type: "daily_readiness", document_id: "r-1", day: "2026-12-01", deleted: "false" });
    await oura.deliver(new URL("/webhooks", server.url).href, { event_type: "delete", data_type: "daily_readiness", object_id: "r-1", event_time: "2026-12-01T10:00:00+00:00", user_id: "USER-D" });
    await waitFor(() => fake.rows(documents)[0]?.deleted === "true" || undefined, 10_000, "the delete in Delta");
    expect(fake.rows(EVENTS).map((r) => r.event_type)).toEqual(["create", "update", "delete"]);
  }, 30_000);

  test("polled heart-rate samples land in their own table, once per user and instant", async () => {
    const oura = new FakeOura().start();
    cleanups.push(() => oura.stop());
    oura.addUser("USER-HR");
    const now = Date.now();
    const at = (minutes: number) => new Date(now - minutes * 60_000).toISOString().replace(/\.\d+Z$/, "+00:00");
    oura.putHeartRate("USER-HR", [30, 25, 20].map((m, i) => ({ timestamp: at(m), bpm: 60 + i, source: "awake" })));
    const fake = startFake();
    const server = await startWarehouseServer(fake, {
      ...oura.env(),
      OURA_INITIAL_REFRESH_TOKEN: oura.issueTokens("USER-HR").refresh_token,
      POLLING_ENABLED: "true",
      POLLING_INTERVAL_SECONDS: "30",
      POLL_DATA_TYPES: "heartrate",
    });
    const table = "main.oura.events_heartrate";
    await waitFor(() => fake.rows(table).length === 3 || undefined, 10_000, "three samples in Delta");
    expect(fake.rows(table).map((r) => [r.user_id, Number(r.bpm)])).toEqual([["USER-HR", 60], ["USER-HR", 61], ["USER-HR", 62]]);
    expect(Date.parse(fake.rows(table)[0]!.measured_at!)).toBe(Date.parse(at(30)));
    await waitFor(async () => ((await health(server)).warehouse.pending_heart_rate_samples === 0 ? true : undefined), 5000, "nothing left to ship");
    // No event per sample.
    expect(fake.rows(EVENTS)).toHaveLength(0);
  }, 30_000);

  test("a service principal: one M2M token for many statements, renewed before it ends, replaced when refused", async () => {
    const fake = startFake({ tokenSeconds: 302 });
    const clock = movableClock();
    const server = await startWarehouseServer(fake, { ...fake.env("m2m"), DATABRICKS_TOKEN: "" }, { clock: clock.now });
    await waitFor(() => fake.table(EVENTS) || undefined, 5000, "tables created");
    for (let i = 0; i < 3; i++) expect((await deliver(server.url, sampleNotification())).status).toBe(201);
    await waitFor(() => fake.rows(EVENTS).length === 3 || undefined, 5000, "rows");
    // 302 s tokens are renewed once less than five minutes remain: 2.5 s later on the server's clock.
    const issuedEarly = fake.counters.tokensIssued;
    expect(issuedEarly).toBeLessThan(fake.counters.statements);
    clock.advance(2500);
    expect((await deliver(server.url, sampleNotification())).status).toBe(201);
    await waitFor(() => fake.rows(EVENTS).length === 4 || undefined, 5000, "row after renewal");
    expect(fake.counters.tokensIssued).toBeGreaterThan(issuedEarly);
    // The workspace refuses a token before its end (revoked): one new token, and the batch goes through.
    const before = fake.counters.tokensIssued;
    fake.advanceClock(400_000);
    expect((await deliver(server.url, sampleNotification())).status).toBe(201);
    await waitFor(() => fake.rows(EVENTS).length === 5 || undefined, 5000, "row after a refused token");
    expect(fake.counters.tokensIssued).toBe(before + 1);
  }, 30_000);
});
