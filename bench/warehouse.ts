// Warehouse backend benchmark. 1) Outbox drain rate to the fake warehouse answering every statement after 200 ms, for
// several batch sizes. 2) Ingest with STORAGE_BACKEND=warehouse vs sqlite, in the configuration users run (Oura
// sign-in, linked users, fake Oura, every job on; the warehouse mode's shipper draining meanwhile), interleaved over
// rounds, each ratio taken within its round.
// Usage: bun run bench/warehouse.ts [--events 20000 --batches 250,500,1000,2000,4000 --latency 200 --seconds 10 --rounds 5]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Database } from "bun:sqlite";
import { loadConfig } from "../src/config.ts";
import { DeltaWarehouse } from "../src/databricks/delta-warehouse.ts";
import { workspaceCredentials } from "../src/databricks/credentials.ts";
import { StatementClient } from "../src/databricks/statement-client.ts";
import { WarehouseShipper } from "../src/jobs/shipper.ts";
import { silentLogger } from "../src/log.ts";
import { Metrics } from "../src/metrics.ts";
import { openSqliteStorage, type SqliteStorage } from "../src/storage/sqlite/sqlite-storage.ts";
import { APP_SECRET_KEY, API_TOKEN, median, ROOT, realServer, runWorker, SECRET, startProcess, stop, taskset } from "./harness.ts";

/** Fake warehouses started by this run: none outlives it, even when a step throws. */
const children: ReturnType<typeof Bun.spawn>[] = [];
process.on("exit", () => {
  for (const child of children) child.kill();
});

const { values: options } = parseArgs({
  options: {
    events: { type: "string", default: "20000" },
    batches: { type: "string", default: "250,500,1000,2000,4000" },
    latency: { type: "string", default: "200" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "64" },
    rounds: { type: "string", default: "5" },
  },
});

async function startFakeWarehouse(latencyMs: number, sink = false) {
  // Pinned beside the load generator: a real warehouse runs elsewhere, not on the server's core. For the ingest rounds
  // it is a sink (MERGEs not unpacked): otherwise its work would slow the load generator on the same core, and the
  // figure would measure this machine's two cores rather than the server.
  const command = [process.execPath, join(ROOT, "bench/fake-databricks-server.ts"), String(latencyMs), ...(sink ? ["sink"] : [])];
  const child = Bun.spawn(taskset ? [taskset, "-c", "1", ...command] : command, { stdout: "pipe", stderr: "inherit" });
  children.push(child);
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the fake warehouse did not start");
    text += new TextDecoder().decode(value);
  }
  const [, url, warehouse, token] = text.match(/url=(\S+) warehouse=(\S+) token=(\S+)/)!;
  const env = { STORAGE_BACKEND: "warehouse", DATABRICKS_HOST: url!, DATABRICKS_WAREHOUSE_ID: warehouse!, DATABRICKS_TOKEN: token!, DELTA_TABLE: "main.oura.events", APP_SECRET_KEY };
  return { child, env };
}

/** Events as a webhook leaves them in the outbox: the notification, the document not fetched yet. */
async function fillOutbox(store: SqliteStorage, count: number) {
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const identity = { event_type: "create" as const, data_type: "daily_sleep", object_id: `bench-${i}`, event_time: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(), user_id: `BENCH-USER-${i % 20}` };
    pending.push(store.events.appendEvent({ source: "webhook", identity, raw: JSON.stringify(identity), received: identity, fetch: "awaiting_link" }));
    if (pending.length >= 500) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

console.log(`warehouse benchmark: ${options.events} events per drain, statement latency ${options.latency} ms`);
const drains: { batch_rows: number; events: number; seconds: number; events_per_second: number; statements: number }[] = [];
for (const batchRows of options.batches!.split(",").map(Number)) {
  const fake = await startFakeWarehouse(Number(options.latency));
  const config = loadConfig({ ...fake.env, DATABASE_PATH: ":memory:" });
  if (!config.ok) throw new Error(config.errors.join("; "));
  const warehouseConfig = config.config.warehouse!;
  const store = await openSqliteStorage(join(mkdtempSync(join(tmpdir(), "oura-bench-wh-")), "drain.db"), undefined, { outbox: true });
  const outbox = store.outbox;
  await fillOutbox(store, Number(options.events));
  let statements = 0;
  const counting: typeof fetch = Object.assign((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    if (init?.method === "POST") statements++;
    return fetch(input, init);
  }, { preconnect: fetch.preconnect });
  const client = new StatementClient({ host: warehouseConfig.host, warehouseId: warehouseConfig.warehouseId, credentials: workspaceCredentials(warehouseConfig.host, warehouseConfig.credentials), fetch: counting });
  const warehouse = new DeltaWarehouse(client, warehouseConfig.tables, silentLogger);
  await warehouse.prepare();
  const before = statements;
  const shipper = new WarehouseShipper({ outbox, warehouse, logger: silentLogger, metrics: new Metrics(), batchRows });
  const started = performance.now();
  // A run ships a few batches, then yields; the server's periodic job runs it again at once while rows wait.
  for (let runs = 0; outbox.outboxStatus().events > 0; runs++) {
    if (runs > 10_000) throw new Error("the outbox did not drain");
    await shipper.tick();
  }
  const seconds = (performance.now() - started) / 1000;
  const run = { batch_rows: batchRows, events: Number(options.events), seconds, events_per_second: Number(options.events) / seconds, statements: statements - before };
  drains.push(run);
  console.log(`batch ${String(batchRows).padStart(5)} rows: ${run.events_per_second.toFixed(0).padStart(6)} events/s (${run.statements} statements, ${seconds.toFixed(1)} s)`);
  await store.close();
  fake.child.kill();
  await fake.child.exited;
}

// Ingest, warehouse on vs off, as users run it.
const rounds: { bare: any; sqlite: any; warehouse: any; ratio: number }[] = [];
const ingest = async (env: Record<string, string>) => {
  const dbPath = join(mkdtempSync(join(tmpdir(), "oura-bench-wh-")), "bench.db");
  const server = await realServer(dbPath, env);
  await runWorker(["ingest", server.url, options.connections!, options.warmup!, SECRET]);
  const run = await runWorker(["ingest", server.url, options.connections!, options.seconds!, SECRET]);
  let drained: number | undefined;
  if (env.STORAGE_BACKEND === "warehouse") {
    // How long the outbox takes to empty once the load stops (the shipper ran all along).
    const started = performance.now();
    for (;;) {
      const health = (await (await fetch(new URL("/health", server.url))).json()) as { warehouse: { pending_events: number } };
      run.pending_at_end ??= health.warehouse.pending_events;
      if (health.warehouse.pending_events === 0) break;
      await Bun.sleep(100);
    }
    drained = (performance.now() - started) / 1000;
  }
  run.drain_after_load_seconds = drained;
  run.exit_code = await stop(server.child);
  server.fake.stop();
  const db = new Database(dbPath, { readonly: true });
  run.stored = (db.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  db.close();
  return run;
};
for (let round = 0; round < Number(options.rounds); round++) {
  const fake = await startFakeWarehouse(Number(options.latency), true);
  const bareServer = await startProcess([process.execPath, "bench/bare-server.ts"], {});
  await runWorker(["ingest", bareServer.url, options.connections!, options.warmup!, SECRET]);
  const bare = await runWorker(["ingest", bareServer.url, options.connections!, options.seconds!, SECRET]);
  await stop(bareServer.child);
  const sqlite = await ingest({ API_TOKEN });
  const warehouse = await ingest({ API_TOKEN, ...fake.env });
  fake.child.kill();
  await fake.child.exited;
  rounds.push({ bare, sqlite, warehouse, ratio: warehouse.rps / sqlite.rps });
  console.log(
    `round ${round + 1}: bare ${bare.rps.toFixed(0)}, sqlite ${sqlite.rps.toFixed(0)} (${(sqlite.rps / bare.rps).toFixed(2)}× bare), warehouse ${warehouse.rps.toFixed(0)} req/s (${(warehouse.rps / bare.rps).toFixed(2)}× bare) = ${(warehouse.rps / sqlite.rps).toFixed(2)}× sqlite ` +
      `(outbox ${warehouse.pending_at_end} at the end of the load, empty ${warehouse.drain_after_load_seconds.toFixed(1)} s later)`,
  );
}
console.log(`\nmedians over ${rounds.length} rounds: bare ${median(rounds.map((r) => r.bare.rps)).toFixed(0)} req/s; as users run it (Oura sign-in, fetcher and every job on): sqlite ${median(rounds.map((r) => r.sqlite.rps / r.bare.rps)).toFixed(2)}× bare, warehouse ${median(rounds.map((r) => r.warehouse.rps / r.bare.rps)).toFixed(2)}× bare`);
console.log(`sqlite ${median(rounds.map((r) => r.sqlite.rps)).toFixed(0)} req/s (p99 ${median(rounds.map((r) => r.sqlite.p99_ms)).toFixed(2)} ms), ` +
  `warehouse ${median(rounds.map((r) => r.warehouse.rps)).toFixed(0)} req/s (p99 ${median(rounds.map((r) => r.warehouse.p99_ms)).toFixed(2)} ms); ratio ${median(rounds.map((r) => r.ratio)).toFixed(2)}×`);
const failed = rounds.reduce((n, r) => n + r.sqlite.failed + r.warehouse.failed, 0);
console.log(`non-2xx: ${failed}`);
await Bun.write(join(import.meta.dir, "results", "warehouse.json"), JSON.stringify({ date: new Date().toISOString(), drains, rounds }, null, 2));
