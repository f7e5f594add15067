// What the read indexes and the count triggers (migration 3) cost each ingest commit: the same appends (the real
// statement, batches of 64, synchronous=FULL) into a database with and without migration 3, both prefilled with N
// events, interleaved over rounds.
// Usage: bun run bench/index-cost.ts [prefilled events, default 200000] [--rounds 3] [--appends 20000]
import { Database } from "bun:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { applyConnectionPragmas } from "../src/storage/sqlite/database.ts";
import { prepareAppend } from "../src/storage/sqlite/event-append.ts";
import { MIGRATIONS } from "../src/storage/sqlite/migrations.ts";

const { values, positionals } = parseArgs({ args: Bun.argv.slice(2), allowPositionals: true, options: { rounds: { type: "string", default: "3" }, appends: { type: "string", default: "20000" } } });
const prefill = Number(positionals[0] ?? 200_000);
const appends = Number(values.appends);

function database(migrations: number): Database {
  const db = new Database(join(mkdtempSync(join(tmpdir(), "oura-index-cost-")), "db.sqlite"), { create: true, strict: true });
  applyConnectionPragmas(db);
  db.exec("PRAGMA journal_mode = WAL");
  for (const migration of MIGRATIONS.slice(0, migrations)) db.exec(migration);
  const append = prepareAppend(db);
  db.transaction(() => {
    for (let i = 0; i < prefill; i++) append(row(i, "prefill"));
  })();
  return db;
}

const types = ["daily_sleep", "sleep", "daily_readiness", "daily_activity", "workout"];
function row(i: number, prefix: string) {
  const at = Date.now() - 90 * 86_400_000 + i * 1000;
  const iso = new Date(at).toISOString();
  return { fetch_status: "pending" as const, document: null, day: null, received_at: iso, source: "webhook" as const, event_type: "create" as const, data_type: types[i % 5]!, object_id: `${prefix}-${i}`, event_time: iso, event_time_ms: at, user_id: `USER-${i % 50}`, notification: `{"event_type":"create","object_id":"${prefix}-${i}","pad":"${"p".repeat(120)}"}` };
}

function microsPerAppend(db: Database, round: number): number {
  const append = prepareAppend(db);
  const started = performance.now();
  for (let i = 0; i < appends; i += 64) {
    db.transaction(() => {
      for (let j = i; j < Math.min(appends, i + 64); j++) append(row(j, `round-${round}`));
    })();
  }
  return ((performance.now() - started) * 1000) / appends;
}

const without = database(2);
const withIndexes = database(3);
console.log(`prefilled ${prefill.toLocaleString("en-US")} events into each database`);
const costs = { without: [] as number[], with: [] as number[] };
for (let round = 0; round < Number(values.rounds); round++) {
  costs.without.push(microsPerAppend(without, round));
  costs.with.push(microsPerAppend(withIndexes, round));
  console.log(`round ${round + 1}: ${costs.without.at(-1)!.toFixed(1)} µs without, ${costs.with.at(-1)!.toFixed(1)} µs with migration 3 (per event, commits of 64)`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`median: ${median(costs.without).toFixed(1)} µs → ${median(costs.with).toFixed(1)} µs per appended event (+${(((median(costs.with) - median(costs.without)) / median(costs.without)) * 100).toFixed(0)}%)`);
