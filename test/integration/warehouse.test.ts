// Warehouse mode against the fake Statement Execution API (real HTTP on loopback): what is acknowledged here ends up in
// Delta once, whatever the warehouse does meanwhile.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { RunningServer } from "../../src/server.ts";
import { FakeDatabricks } from "../fake-databricks.ts";
import { FakeOura } from "../fake-oura.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { waitFor } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";

const APP_SECRET_KEY = "warehouse-test-app-secret-key-0123456789";
const EVENTS = "main.oura.events";

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function startFake(options: ConstructorParameters<typeof FakeDatabricks>[0] = {}): FakeDatabricks {
  const fake = new FakeDatabricks(options).start();
  cleanups.push(() => fake.stop());
  return fake;
}

async function startWarehouseServer(fake: FakeDatabricks, env: Record<string, string> = {}): Promise<RunningServer> {
  const server = await startTestServer({ ...fake.env(), APP_SECRET_KEY, API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: join(tempDir(), "oura.db"), ...env });
  cleanups.push(() => server.stop());
  return server;
}

const health = async (server: RunningServer) => (await (await fetch(new URL("/health", server.url))).json()) as Record<string, any>;

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
    expect(JSON.parse(trickyRow.payload!).user_id).toBe(tricky);
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
    const server = await startWarehouseServer(fake);
    await waitFor(() => fake.table(EVENTS) || undefined, 5000, "tables created");
    fake.faults.push({ type: "failed", kind: "merge-events", message: "[DELTA_SOMETHING_BROKE] the table is being rewritten" });
    fake.faults.push({ type: "lost-answer", kind: "merge-events" });
    const sent = Array.from({ length: 5 }, () => sampleNotification());
    for (const n of sent) expect((await deliver(server.url, n)).status).toBe(201);
    const failed = await waitFor(async () => {
      const h = await health(server);
      return h.warehouse.last_error ? h : undefined;
    }, 10_000, "the failure in /health");
    expect(failed.warehouse.last_error).toContain("DELTA_SOMETHING_BROKE");
    await waitFor(() => fake.rows(EVENTS).length === 5 || undefined, 15_000, "rows after the retry");
    await Bun.sleep(1500);
    expect(fake.rows(EVENTS)).toHaveLength(5);
  }, 30_000);
});
