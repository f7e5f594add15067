// Sinks benchmark (#22): ingest as users run it (bench/harness.ts realServer: Oura sign-in, linked users, every job on,
// the fake Oura answering in 100 ms) with Home Assistant's MQTT publishing to a local mosquitto and three outgoing
// webhook endpoints (one answering at once, one after 5 s, one always failing), against the same run without them and
// a bare Bun.serve, interleaved round by round; then the latency from a webhook's 2xx to the MQTT state and to the
// first outgoing delivery, beside POST→WebSocket in the same run.
// Usage: bun run bench/sinks.ts [-- --seconds 10 --warmup 2 --connections 64 --rounds 5 --rate 5 --count 150]
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { API_TOKEN, median, realServer, runBenchScript, runWorker, SECRET, startProcess, stop } from "./harness.ts";
import { startBroker } from "../test/helpers/mosquitto.ts";

const { values: options } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "64" },
    rounds: { type: "string", default: "5" },
    rate: { type: "string", default: "5" },
    count: { type: "string", default: "150" },
    /** Which sinks the "with" runs have: both (default), mqtt or hooks (to tell their costs apart). */
    sinks: { type: "string", default: "both" },
  },
});
const connections = options.connections!;

const broker = await startBroker();
const MQTT_URL = broker.url;
// The endpoints live in this process (core 1, beside the fake Oura and away from the server's core).
const immediate = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(null, { status: 204 }) });
const slow = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async () => (await Bun.sleep(5_000), new Response(null, { status: 204 })) });
const failing = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("down for maintenance", { status: 500 }) });
const SINK_ENV = { MQTT_URL, HOOKS_ALLOW_PRIVATE_ADDRESSES: "true" };

async function registerEndpoints(url: string, endpoints: { url: string; description: string }[]) {
  for (const endpoint of endpoints) {
    const response = await fetch(new URL("/hooks", url), { method: "POST", headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(endpoint) });
    if (response.status !== 201) throw new Error(`POST /hooks answered ${response.status}: ${await response.text()}`);
  }
}

async function health(url: string) {
  return (await fetch(new URL("/health", url), { headers: { authorization: `Bearer ${API_TOKEN}` } })).json() as Promise<any>;
}

async function ingestRun(withSinks: boolean) {
  const dbPath = join(mkdtempSync(join(tmpdir(), "oura-bench-sinks-")), "bench.db");
  const env: Record<string, string> = !withSinks ? {} : options.sinks === "hooks" ? { HOOKS_ALLOW_PRIVATE_ADDRESSES: "true" } : options.sinks === "mqtt" ? { MQTT_URL } : SINK_ENV;
  const server = await realServer(dbPath, env);
  if (withSinks && options.sinks !== "mqtt") {
    await registerEndpoints(server.url, [
      { url: `http://127.0.0.1:${immediate.port}/oura`, description: "answers at once" },
      { url: `http://127.0.0.1:${slow.port}/oura`, description: "answers after 5 s" },
      { url: `http://127.0.0.1:${failing.port}/oura`, description: "always 500" },
    ]);
  }
  const warmup = await runWorker(["ingest", server.url, connections, options.warmup!, SECRET]);
  const run = await runWorker(["ingest", server.url, connections, options.seconds!, SECRET]);
  run.warmup_acknowledged = warmup.ok;
  if (withSinks) {
    const state = await health(server.url);
    run.mqtt = state.mqtt ?? null;
    run.hooks = state.hooks ?? null;
  }
  run.exit_code = await stop(server.child);
  server.fake.stop();
  return run;
}

console.log(`sinks benchmark: ${connections} connections, ${options.seconds} s per target, ${options.rounds} rounds; mosquitto at ${MQTT_URL}`);
const rounds: { bare: any; plain: any; sinks: any }[] = [];
for (let round = 0; round < Number(options.rounds); round++) {
  const bare = await startProcess([process.execPath, "bench/bare-server.ts"], {});
  await runWorker(["ingest", bare.url, connections, options.warmup!, SECRET]);
  const bareRun = await runWorker(["ingest", bare.url, connections, options.seconds!, SECRET]);
  await stop(bare.child);
  // Alternate which of the two goes first, so neither always meets the machine warmer.
  const [first, second] = round % 2 === 0 ? [false, true] : [true, false];
  const a = await ingestRun(first);
  const b = await ingestRun(second);
  const [plain, sinks] = first ? [b, a] : [a, b];
  rounds.push({ bare: bareRun, plain, sinks });
  console.log(`round ${round + 1}: bare ${bareRun.rps.toFixed(0)}, as users run it ${plain.rps.toFixed(0)}, with MQTT + 3 endpoints ${sinks.rps.toFixed(0)} req/s (${(sinks.rps / plain.rps).toFixed(2)}×)`);
}

const summarise = (key: "bare" | "plain" | "sinks") => ({
  rps: median(rounds.map((r) => r[key].rps)),
  p50_ms: median(rounds.map((r) => r[key].p50_ms)),
  p99_ms: median(rounds.map((r) => r[key].p99_ms)),
  vs_bare: median(rounds.map((r) => r[key].rps / r.bare.rps)),
});
const results: Record<string, any> = { date: new Date().toISOString(), bun: Bun.version, cores: navigator.hardwareConcurrency, rounds };
// --rounds 0 measures the latency alone.
if (rounds.length > 0) {
  results.bare = summarise("bare");
  results.plain = summarise("plain");
  results.sinks = { ...summarise("sinks"), vs_without: median(rounds.map((r) => r.sinks.rps / r.plain.rps)) };
}

// Latency: one linked user's notifications at a steady rate, each announcing a document of its own day (the newest
// day each time, so Home Assistant's sleep score state changes with every one and names its day).
{
  const count = Number(options.count);
  const user = "BENCH-USER-0";
  const runId = `sinklat-${Date.now()}`;
  const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
  const firstDay = new Date(today - (count - 1) * 86_400_000).toISOString().slice(0, 10);
  const dbPath = join(mkdtempSync(join(tmpdir(), "oura-bench-sinks-")), "latency.db");
  const server = await realServer(dbPath, SINK_ENV);
  for (let i = 0; i < count; i++) {
    const day = new Date(Date.parse(`${firstDay}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
    server.fake.putDocument(user, "daily_sleep", { id: `${runId}-${i}`, day, score: 60 + (i % 35), timestamp: `${day}T07:00:00+00:00`, contributors: { deep_sleep: 80, efficiency: 90, latency: 70, rem_sleep: 75, restfulness: 60, timing: 85, total_sleep: 88 } });
  }
  await registerEndpoints(server.url, [
    { url: `http://127.0.0.1:${slow.port}/oura`, description: "answers after 5 s" },
    { url: `http://127.0.0.1:${failing.port}/oura`, description: "always 500" },
  ]);
  results.latency = await runBenchScript("sink-latency-worker.ts", [server.url, SECRET, API_TOKEN, MQTT_URL, user, options.rate!, String(count), runId, firstDay]);
  results.latency.health = await health(server.url);
  await stop(server.child);
  server.fake.stop();
}

const row = (name: string, r: any, extra = "") => `${name.padEnd(40)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${r.p50_ms.toFixed(2).padStart(6)} ms  p99 ${r.p99_ms.toFixed(2).padStart(6)} ms  ${r.vs_bare.toFixed(2)}× bare${extra}`;
if (rounds.length > 0) {
  console.log(`\nmedians over ${rounds.length} rounds (ratios = medians of per-round ratios):`);
  console.log(row("bare Bun.serve (baseline)", results.bare));
  console.log(row("oura-streaming, as users run it", results.plain));
  console.log(row("  + MQTT and 3 outgoing endpoints", results.sinks, `  ${results.sinks.vs_without.toFixed(2)}× without them`));
}
const latency = results.latency;
const line = (name: string, s: any) => `  ${name.padEnd(44)} p50 ${s.p50_ms.toFixed(1).padStart(7)} ms  p99 ${s.p99_ms.toFixed(1).padStart(7)} ms  (${s.count}/${latency.acknowledged})`;
console.log(`latency, ${latency.sent} notifications at ${options.rate}/s for a linked user (documents from the fake Oura in 100 ms):`);
console.log(line("POST → WebSocket event", latency.post_to_websocket_event));
console.log(line("2xx → WebSocket event with its document", latency.ack_to_websocket_document));
console.log(line("2xx → Home Assistant's MQTT state", latency.ack_to_mqtt_state));
console.log(line("2xx → first outgoing delivery", latency.ack_to_first_delivery));

mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results", "sinks.json"), JSON.stringify(results, null, 2));
immediate.stop(true);
slow.stop(true);
failing.stop(true);
await broker.stop();
process.exit(0);
