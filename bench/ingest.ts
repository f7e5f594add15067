// Ingest benchmark: this server against a bare Bun.serve, in the same run, with the load generator on another core —
// in the configuration users run (Oura sign-in configured, ten linked users and ten unlinked ones, the fetcher and
// every background job on, against a fake Oura that answers after 100 ms and enforces Oura's rate limit), and with
// only the webhook secret set, for comparison. Then POST→WebSocket latency against a bare and a durable floor.
// Usage: npm run bench [-- --seconds 10 --warmup 2 --connections 64 --rounds 5 --ws-clients 100 --ws-rate 1000 --ws-seconds 5 --ws-rounds 3 --ws-warmup 3]
import { Database } from "bun:sqlite";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { API_TOKEN, appServer, median, realServer, runWorker, SECRET, startProcess, stop } from "./harness.ts";
import { runStageCosts } from "./stages.ts";

const { values: options } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "64" },
    "ws-clients": { type: "string", default: "100" },
    "ws-rate": { type: "string", default: "1000" },
    "ws-seconds": { type: "string", default: "5" },
    "ws-rounds": { type: "string", default: "3" },
    "ws-warmup": { type: "string", default: "3" },
    rounds: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
  },
});

const cores = navigator.hardwareConcurrency;
const taskset = Bun.which("taskset") && cores >= 2 ? Bun.which("taskset") : null;
/** The fetcher's progress, read from /metrics as an operator would. */
async function fetcherState(url: string) {
  const text = await (await fetch(new URL("/metrics", url), { headers: { authorization: `Bearer ${API_TOKEN}` } })).text();
  return {
    fetched: Number(/^oura_fetch_outcomes_total\{outcome="fetched"\} (\d+)/m.exec(text)?.[1] ?? 0),
    queue: Number(/^oura_fetch_queue_depth (\d+)/m.exec(text)?.[1] ?? 0),
  };
}

const seconds = options.seconds!;
const connections = options.connections!;
console.log(`oura-streaming ingest benchmark: ${connections} connections, ${seconds} s per target, ${cores} cores, ${taskset ? "server on core 0, load on core 1" : "no CPU pinning"}`);

const results: Record<string, any> = { date: new Date().toISOString(), bun: Bun.version, cores, connections: Number(connections), seconds: Number(seconds) };

// Warm-up so the first target is not penalised by cold caches.
{
  const bare = await startProcess([process.execPath, "bench/bare-server.ts"], {});
  await runWorker(["ingest", bare.url, connections, "1", SECRET]);
  await stop(bare.child);
}

/** --warmup seconds of the same load, untimed, then the measured run: a server in service is past its JIT warm-up. */
async function measureIngest(url: string) {
  const warmup = await runWorker(["ingest", url, connections, options.warmup!, SECRET]);
  const run = await runWorker(["ingest", url, connections, seconds, SECRET]);
  run.warmup_acknowledged = warmup.ok;
  return run;
}


async function durableRun(real: boolean) {
  const dbPath = join(mkdtempSync(join(tmpdir(), "oura-bench-")), "bench.db");
  const server = real ? await realServer(dbPath) : { ...(await appServer({ DATABASE_PATH: dbPath })), fake: undefined };
  const warmup = await runWorker(["ingest", server.url, connections, options.warmup!, SECRET]);
  const before = real ? await fetcherState(server.url) : undefined;
  const run = await runWorker(["ingest", server.url, connections, seconds, SECRET]);
  run.warmup_acknowledged = warmup.ok;
  if (before) {
    const after = await fetcherState(server.url);
    run.documents_per_second = (after.fetched - before.fetched) / Number(seconds);
    run.fetch_queue_at_end = after.queue;
  }
  run.exit_code = await stop(server.child);
  server.fake?.stop();
  const db = new Database(dbPath, { readonly: true });
  run.stored = (db.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  run.documents = (db.query("SELECT count(*) AS n FROM documents").get() as { n: number }).n;
  db.close();
  return run;
}

// The machine is noisy: targets are interleaved round by round and each figure is the median over the rounds,
// and the ratio is taken within each round (bare and ours measured minutes apart would not be comparable).
const rounds: { bare: any; secretOnly: any; durable: any }[] = [];
for (let round = 0; round < Number(options.rounds); round++) {
  const bare = await startProcess([process.execPath, "bench/bare-server.ts"], {});
  const bareRun = await measureIngest(bare.url);
  await stop(bare.child);
  const secretOnly = await durableRun(false);
  const real = await durableRun(true);
  rounds.push({ bare: bareRun, secretOnly, durable: real });
  console.log(
    `round ${round + 1}: bare ${bareRun.rps.toFixed(0)}, secret only ${secretOnly.rps.toFixed(0)}, as users run it ${real.rps.toFixed(0)} req/s ` +
      `(${real.documents_per_second.toFixed(1)} documents/s, fetch queue ${real.fetch_queue_at_end} at the end)`,
  );
}
const summarise = (key: "bare" | "secretOnly" | "durable") => ({
  rps: median(rounds.map((r) => r[key].rps)),
  p50_ms: median(rounds.map((r) => r[key].p50_ms)),
  p99_ms: median(rounds.map((r) => r[key].p99_ms)),
  ratio: median(rounds.map((r) => r[key].rps / r.bare.rps)),
});
results.rounds = rounds;
results.bare = summarise("bare");
results.secret_only = summarise("secretOnly");
results.durable = {
  ...summarise("durable"),
  documents_per_second: median(rounds.map((r) => r.durable.documents_per_second)),
  fetch_queue_at_end: median(rounds.map((r) => r.durable.fetch_queue_at_end)),
  acknowledged: rounds.reduce((n, r) => n + r.durable.warmup_acknowledged + r.durable.ok + r.secretOnly.warmup_acknowledged + r.secretOnly.ok, 0),
  stored: rounds.reduce((n, r) => n + r.durable.stored + r.secretOnly.stored, 0),
  failed: rounds.reduce((n, r) => n + r.durable.failed + r.secretOnly.failed, 0),
  exit_codes: rounds.flatMap((r) => [r.secretOnly.exit_code, r.durable.exit_code]),
};
results.durable.stored_equals_acknowledged = results.durable.stored === results.durable.acknowledged;

// POST→WebSocket latency against two floors, interleaved over rounds like the ingest figures: a bare Bun.serve that
// publishes each POST at once, and the same server made durable (write + fdatasync before publishing), which is the
// least any server pays that only publishes events that would survive a power cut.
{
  const wsArgs = [options["ws-clients"]!, options["ws-rate"]!, options["ws-seconds"]!, SECRET];
  // Each target first serves the same load untimed for --ws-warmup seconds: a server in service is past its JIT warm-up.
  const measureLatency = async (url: string, env: Record<string, string> = {}) => {
    await runWorker(["ws-latency", url, options["ws-clients"]!, options["ws-rate"]!, options["ws-warmup"]!, SECRET], env);
    return runWorker(["ws-latency", url, ...wsArgs], env);
  };
  const scratch = mkdtempSync(join(tmpdir(), "oura-bench-ws-"));
  const wsRounds: { floor: any; durable_floor: any; server: any }[] = [];
  for (let round = 0; round < Number(options["ws-rounds"]); round++) {
    const floor = await startProcess([process.execPath, "bench/bare-publish-server.ts"], {});
    const floorRun = await measureLatency(floor.url);
    await stop(floor.child);
    const durableFloor = await startProcess([process.execPath, "bench/bare-publish-server.ts"], { DURABLE_FILE: join(scratch, `floor-${round}.bin`) });
    const durableFloorRun = await measureLatency(durableFloor.url);
    await stop(durableFloor.child);
    const server = await realServer(join(scratch, `ws-${round}.db`));
    const serverRun = await measureLatency(server.url, { BENCH_API_TOKEN: API_TOKEN });
    await stop(server.child);
    server.fake.stop();
    wsRounds.push({ floor: floorRun, durable_floor: durableFloorRun, server: serverRun });
    console.log(`websocket round ${round + 1}: p99 floor ${floorRun.p99_ms.toFixed(2)}, durable floor ${durableFloorRun.p99_ms.toFixed(2)}, oura-streaming ${serverRun.p99_ms.toFixed(2)} ms`);
  }
  const wsSummary = (key: "floor" | "durable_floor" | "server") => ({
    ...wsRounds[0]![key],
    achieved_rate: median(wsRounds.map((r) => r[key].achieved_rate)),
    p50_ms: median(wsRounds.map((r) => r[key].p50_ms)),
    p99_ms: median(wsRounds.map((r) => r[key].p99_ms)),
    delivered: wsRounds.reduce((n, r) => n + r[key].delivered, 0),
    expected: wsRounds.reduce((n, r) => n + r[key].expected, 0),
  });
  results.websocket_rounds = wsRounds;
  results.websocket_floor = wsSummary("floor");
  results.websocket_durable_floor = wsSummary("durable_floor");
  results.websocket = wsSummary("server");
}

results.stages = await runStageCosts();

const row = (name: string, r: any) =>
  `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${r.p50_ms.toFixed(2).padStart(6)} ms  p99 ${r.p99_ms.toFixed(2).padStart(6)} ms  ${r.ratio.toFixed(2)}× bare`;
console.log(`\nmedians over ${rounds.length} rounds (ratio = median of per-round ratios):`);
console.log(row("bare Bun.serve (baseline)", results.bare));
console.log(row("oura-streaming, webhook secret only", results.secret_only));
console.log(row("oura-streaming, as users run it", results.durable));
console.log(`  documents fetched: ${results.durable.documents_per_second.toFixed(1)}/s; fetch queue at the end: ${results.durable.fetch_queue_at_end}`);
console.log(
  `stored ${results.durable.stored} = acknowledged ${results.durable.acknowledged}: ${results.durable.stored_equals_acknowledged ? "yes" : "NO"}; non-2xx: ${results.durable.failed}`,
);
const latencyRow = (name: string, ws: any) =>
  `${name.padEnd(34)} ${ws.clients} clients at ${ws.achieved_rate.toFixed(0)} events/s: p50 ${ws.p50_ms.toFixed(2)} ms, p99 ${ws.p99_ms.toFixed(2)} ms (${ws.delivered}/${ws.expected} delivered)`;
console.log("POST→WebSocket latency:");
console.log(`medians over ${options["ws-rounds"]} rounds:`);
console.log(latencyRow("  bare Bun.serve publish (floor)", results.websocket_floor));
console.log(latencyRow("  same + fdatasync (durable floor)", results.websocket_durable_floor));
console.log(latencyRow("  oura-streaming, as users run it", results.websocket));
console.log(`  p99 vs the durable floor: ${(results.websocket.p99_ms / results.websocket_durable_floor.p99_ms).toFixed(2)}×`);
console.log("stage costs (µs per notification, in-process):");
for (const [stage, micros] of Object.entries(results.stages)) console.log(`  ${stage.padEnd(40)} ${(micros as number).toFixed(1)}`);

mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results", "latest.json"), JSON.stringify(results, null, 2));
if (!results.durable.stored_equals_acknowledged || results.durable.failed > 0) process.exit(1);
