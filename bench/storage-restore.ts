// How long the server refuses webhooks (503) after its database file is removed, and how long the restore holds the
// event loop: fills a database with N events, starts the server on it, removes the file (and its log, shared memory
// and key), then probes /health every 10 ms until it answers 200 again.
// Usage: bun run bench/storage-restore.ts [rows, default 200000]
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeOura } from "../src/demo/fake-oura.ts";
import { fillEvents } from "./fill-events.ts";

const rows = Number(process.argv[2] ?? 200_000);
const dbPath = join(mkdtempSync(join(tmpdir(), "oura-restore-")), "restore.db");

fillEvents(dbPath, rows, new Date().toISOString());
const megabytes = (statSync(dbPath).size / 1024 / 1024).toFixed(1);
console.log(`${rows} events written (${megabytes} MiB)`);

const fake = new FakeOura().start();
const port = 30_000 + Math.floor(Math.random() * 20_000);
const child = Bun.spawn([process.execPath, "src/main.ts"], {
  cwd: join(import.meta.dir, ".."),
  // As users run it: Oura sign-in (against a fake Oura), every background job, default retention.
  env: { PATH: process.env.PATH ?? "", PORT: String(port), DATABASE_PATH: dbPath, ...fake.env(), LOG_LEVEL: "warn" },
  stdout: "inherit",
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 200; i++) {
  if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
  await Bun.sleep(50);
}

for (const suffix of ["", "-wal", "-shm", ".key"]) rmSync(`${dbPath}${suffix}`, { force: true });
const removedAt = performance.now();
let slowest = 0;
let refusedFor = 0;
for (;;) {
  const sent = performance.now();
  const response = await fetch(`${base}/health`);
  slowest = Math.max(slowest, performance.now() - sent);
  if (response.ok) {
    refusedFor = performance.now() - removedAt;
    break;
  }
  await Bun.sleep(10);
}
const restored = new Database(dbPath, { readonly: true });
const count = (restored.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
restored.close();
child.kill("SIGTERM");
await child.exited;
fake.stop();
console.log(
  `database of ${megabytes} MiB removed: unavailable for ${refusedFor.toFixed(0)} ms (1 s of it deliberate), slowest /health answer ${slowest.toFixed(0)} ms (the restore holding the loop); ${count} of ${rows} events in the restored file`,
);
