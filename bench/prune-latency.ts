// Webhook latency while retention deletes a large backlog: fills a database with N expired events, starts the server
// (which prunes at start), and measures signed POSTs sent every 5 ms until pruning is done.
// Usage: bun run bench/prune-latency.ts [rows, default 1000000]
import { createHmac } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fillEvents } from "./fill-events.ts";

const rows = Number(process.argv[2] ?? 1_000_000);
const dbPath = join(mkdtempSync(join(tmpdir(), "oura-prune-")), "prune.db");
const SECRET = "prune-bench-secret-0123456789";

const old = new Date(Date.now() - 90 * 86_400_000).toISOString();
fillEvents(dbPath, rows, old, "old");
console.log(`${rows} expired events written`);

const port = 30_000 + Math.floor(Math.random() * 20_000);
const child = Bun.spawn([process.execPath, "src/main.ts"], {
  cwd: join(import.meta.dir, ".."),
  env: { PATH: process.env.PATH ?? "", PORT: String(port), DATABASE_PATH: dbPath, OURA_CLIENT_SECRET: SECRET, RETENTION_DAYS: "30", LOG_LEVEL: "info" },
  stdout: "pipe",
});
const reader = child.stdout.getReader();
let log = "";
void (async () => {
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    log += new TextDecoder().decode(value);
    if (log.includes("retention.pruned")) break;
  }
  // Keep draining the server's log, as a log collector would.
  while (!(await reader.read()).done);
})();
while (!log.includes("server.listening")) await Bun.sleep(5);

let i = 0;
async function send(): Promise<number> {
  const payload = JSON.stringify({ event_type: "create", data_type: "sleep", object_id: `live-${i++}`, event_time: new Date().toISOString(), user_id: "U" });
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", SECRET).update(ts + payload).digest("hex");
  const sent = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/webhooks`, { method: "POST", headers: { "content-type": "application/json", "x-oura-timestamp": ts, "x-oura-signature": signature }, body: payload });
  if (response.status !== 201) throw new Error(`status ${response.status}`);
  return performance.now() - sent;
}

function summary(latencies: number[]): string {
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  return `${latencies.length} webhooks: p50 ${at(50)} ms, p99 ${at(99)} ms, max ${at(100)} ms`;
}

const during: number[] = [];
let finished = false;
const watch = setInterval(() => {
  if (log.includes("retention.pruned")) finished = true;
}, 5);
const started = performance.now();
while (!finished) {
  during.push(await send());
  await Bun.sleep(5);
}
clearInterval(watch);
const seconds = (performance.now() - started) / 1000;
// The same server afterwards, with nothing to prune: the baseline.
const after: number[] = [];
const until = performance.now() + 5000;
while (performance.now() < until) {
  after.push(await send());
  await Bun.sleep(5);
}
child.kill("SIGTERM");
await child.exited;
console.log(`while pruning (~${seconds.toFixed(1)} s): ${summary(during)}`);
console.log(`afterwards (5 s):          ${summary(after)}`);
console.log(log.split("\n").find((line) => line.includes("retention.pruned")));
