// Read latency at scale: builds a database of N events (default 1,000,000) for 50 users plus one user with 100
// events, 10 data types, 90 days of event times and of documents (the build is not timed), starts the server on it
// as users run it (Oura sign-in against a fake Oura answering in 100 ms, polling, the fetcher, renewer, pruner,
// imports, drawing ahead and the storage check on, default retention:
// every event was received in the last day) and measures p50/p99 of each read over a few hundred requests.
// Usage: bun run bench/reads.ts [events, default 1000000] [--requests 300]
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { FakeOura } from "../src/demo/fake-oura.ts";
import { openDatabase } from "../src/storage/sqlite/database.ts";
import { documentsForDay } from "../src/demo/sample-data.ts";
import { calendarDayOr } from "../src/time/calendar-day.ts";
import { browse, CookieJar } from "../test/helpers/browser.ts";

const { values, positionals } = parseArgs({ args: Bun.argv.slice(2), allowPositionals: true, options: { requests: { type: "string", default: "300" } } });
const total = Number(positionals[0] ?? 1_000_000);
const requests = Number(values.requests);
const TOKEN = "reads-bench-api-token-0123456789";
const TYPES = ["daily_sleep", "sleep", "daily_readiness", "daily_activity", "workout", "session", "tag", "daily_spo2", "daily_stress", "vo2_max"];
const DAY = 86_400_000;

function sleepDocument(day: string, type: string, seed: number): string {
  const series = (base: number) => ({ interval: 300, items: Array.from({ length: 96 }, (_, i) => base + ((seed + i) % 9)), timestamp: `${day}T23:00:00.000+00:00` });
  return JSON.stringify({
    id: `${type}-${day}-${seed}`,
    day,
    type,
    average_hrv: 30 + (seed % 40),
    lowest_heart_rate: 45 + (seed % 15),
    heart_rate: series(50),
    hrv: series(30),
    sleep_phase_5_min: "4".repeat(10) + "2".repeat(30) + "1".repeat(20) + "3".repeat(30) + "4".repeat(6),
    movement_30_sec: "1".repeat(960),
    bedtime_start: `${day}T23:00:00.000+00:00`,
    bedtime_end: `${day}T07:00:00.000+00:00`,
  });
}

const dbPath = join(mkdtempSync(join(tmpdir(), "oura-reads-")), "reads.db");
const built = performance.now();
openDatabase(dbPath).close();
const db = new Database(dbPath);
const start = Date.now() - 90 * DAY;
// Received within the last day (a backfill, say), so the default 30-day retention keeps them all.
const receivedAt = new Date(Date.now() - DAY).toISOString();
const insert = db.query(
  `INSERT INTO events (received_at, source, event_type, data_type, object_id, event_time, event_time_ms, user_id, notification, fetch_status)
   VALUES (?, 'webhook', ?, ?, ?, ?, ?, ?, ?, 'fetched')`,
);
db.transaction(() => {
  for (let i = 0; i < total; i++) {
    const rare = i % 10_000 === 0 && i / 10_000 < 100;
    // A user of ≈ √(total × page) events: the most expensive size for a user filter (see SqliteEventLog#userTerm).
    const mid = i % Math.round(Math.sqrt(total / 51)) === 3;
    const user = rare ? "USER-RARE" : mid ? "USER-MID" : `USER-${i % 50}`;
    // The rare type only every 5,000th event; deletes 1 in 50.
    const dataType = i % 5000 === 1 ? "rest_mode_period" : TYPES[i % TYPES.length]!;
    const eventType = i % 50 === 7 ? "delete" : i % 3 === 0 ? "update" : "create";
    const at = start + Math.floor((i / total) * 90 * DAY);
    const iso = new Date(at).toISOString();
    insert.run(receivedAt, eventType, dataType, `doc-${i}`, iso, at, user, `{"event_type":"${eventType}","data_type":"${dataType}","object_id":"doc-${i}","event_time":"${iso}","user_id":"${user}"}`);
  }
})();
const documents = db.query(`INSERT INTO documents (user_id, data_type, document_id, day, payload, deleted, event_id, fetched_at) VALUES (?, ?, ?, ?, ?, 0, NULL, ?)`);
db.transaction(() => {
  for (let u = 0; u < 50; u++) {
    for (let d = 0; d <= 90; d++) {
      const day = new Date(start + d * DAY).toISOString().slice(0, 10);
      // Every document type of a day as the demo's person has them (a night with its series, activity with a day of
      // MET, stress, resilience, SpO2, workouts, sessions, tags …), as a wearer's dashboard reads them.
      for (const { path, document } of documentsForDay(day)) {
        const dataType = path === "vO2_max" ? "vo2_max" : path;
        documents.run(`USER-${u}`, dataType, document.id, calendarDayOr(document.day) ?? calendarDayOr(document.start_day), JSON.stringify(document), new Date().toISOString());
      }
      // A nap every fourth day, which the charts leave out.
      if (d % 4 === 0) documents.run(`USER-${u}`, "sleep", `nap-${u}-${d}`, day, sleepDocument(day, "late_nap", u + d), new Date().toISOString());
    }
  }
})();
const documentCount = (db.query("SELECT count(*) AS n FROM documents").get() as { n: number }).n;
db.close();
console.log(`built ${total.toLocaleString("en-US")} events and ${documentCount.toLocaleString("en-US")} documents (a realistic sleep document each night) in ${((performance.now() - built) / 1000).toFixed(1)} s (not timed below)`);

// As the other benchmarks run it: each usercollection answer takes 100 ms, as over a real network.
const fake = new FakeOura({ documentDelayMs: 100, rateLimit: { requests: 5000, windowMs: 300_000 } }).start();
const port = 30_000 + Math.floor(Math.random() * 20_000);
const child = Bun.spawn([process.execPath, "src/main.ts"], {
  cwd: join(import.meta.dir, ".."),
  env: { PATH: process.env.PATH ?? "", PORT: String(port), DATABASE_PATH: dbPath, API_TOKEN: TOKEN, ...fake.env(), PUBLIC_URL: `http://127.0.0.1:${port}`, ALLOWED_EMAILS: "*@example.com", POLLING_ENABLED: "true", LOG_LEVEL: "warn" },
  stdout: "ignore",
  stderr: "inherit",
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 400 && !(await fetch(`${base}/health`).then((r) => r.ok, () => false)); i++) await Bun.sleep(50);

// A wearer signed in with Oura (USER-7, one of the 50): their own dashboard, as they open it in the morning.
fake.nextAuthorizeUser = "USER-7";
const jar = new CookieJar();
const visit = await browse(jar, `${base}/auth/login`, ["/dashboard"]);
const wearerCookie = jar.header(new URL(base));
if (!wearerCookie.includes("oura_session=")) {
  child.kill("SIGTERM");
  throw new Error(`the wearer could not sign in: ${visit.response.status} at ${visit.url} ${(await visit.response.text()).slice(0, 300)}`);
}

const middle = Math.floor(total / 2);
const firstDay = new Date(start).toISOString().slice(0, 10);
const windowStart = new Date(start + 45 * DAY).toISOString();
const windowEnd = new Date(start + 45 * DAY + 3_600_000).toISOString();
const reads: [string, string][] = [
  ["GET /events (first page)", "/events"],
  ["GET /events?user_id= (one of 50)", "/events?user_id=USER-7"],
  ["GET /events?user_id= (100 events)", "/events?user_id=USER-RARE"],
  ["GET /events?user_id= (≈ √(total × 51) events)", "/events?user_id=USER-MID"],
  ["GET /events?data_type= (common)", "/events?data_type=sleep"],
  ["GET /events?data_type= (rare)", "/events?data_type=rest_mode_period"],
  ["GET /events?event_type=delete", "/events?event_type=delete"],
  ["GET /events?since=&until= (one hour)", `/events?since=${windowStart}&until=${windowEnd}`],
  ["GET /events?since= (the last 30 days)", `/events?since=${new Date(start + 60 * DAY).toISOString()}`],
  ["GET /events?cursor= (deep page)", `/events?cursor=${middle}`],
  ["GET /documents (one user, 90 days of a type)", `/documents?data_type=daily_sleep&user_id=USER-7&start_day=${firstDay}`],
  ["GET /documents (all users, first page of 100)", `/documents?data_type=daily_sleep&start_day=${firstDay}`],
  ["GET /documents (all users, page of 1,000)", `/documents?data_type=daily_sleep&start_day=${firstDay}&limit=1000`],
  ["GET /health", "/health"],
  ["GET /dashboard (first render)", "/dashboard"],
  ["GET /dashboard?days=90 (50 users)", "/dashboard?days=90"],
  ["GET /dashboard (a wearer, first render)", "/dashboard#wearer"],
  ["GET /dashboard?days=90 (a wearer)", "/dashboard?days=90#wearer"],
  // The first view after new data: a document of the wearer's changes before each request (written by this process,
  // as a fetch would), so nothing drawn before can be reused.
  ["GET /dashboard (a wearer, after a new document)", "/dashboard#wearer#changed"],
  ["GET /dashboard (every user, after a new document)", "/dashboard#changed"],
  // A visit a little after new data (as after a ring's morning sync): the server has drawn the page ahead meanwhile.
  ["GET /dashboard (a wearer, 1.5 s after a new document)", "/dashboard#wearer#changed#later"],
];
/** Reads that wait between requests take fewer of them. */
const LATER_REQUESTS = 40;
const writer = new Database(dbPath);
writer.exec("PRAGMA busy_timeout = 5000");
const touch = writer.query(
  "UPDATE documents SET fetched_at = ? WHERE rowid = (SELECT rowid FROM documents WHERE user_id = 'USER-7' AND data_type = 'daily_readiness' ORDER BY day DESC LIMIT 1)",
);

/** Requests before timing each read: the JIT compiles the page's code over its first few dozen renders. */
const WARM_UP = 50;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const results: Record<string, { p50_ms: number; p99_ms: number }> = {};
console.log(`\n${"read".padEnd(48)} ${"p50".padStart(9)} ${"p99".padStart(9)}   (${requests} requests each, ${total.toLocaleString("en-US")} events)`);
for (const [name, path] of reads) {
  const times: number[] = [];
  const count = path.includes("#later") ? LATER_REQUESTS : requests;
  for (let i = 0; i < count + WARM_UP; i++) {
    if (path.includes("#changed")) touch.run(new Date().toISOString());
    if (path.includes("#later") && i >= WARM_UP) await Bun.sleep(1500);
    const sent = performance.now();
    const headers: Record<string, string> = path.includes("#wearer") ? { cookie: wearerCookie } : { authorization: `Bearer ${TOKEN}` };
    const response = await fetch(base + path.replace(/#.*$/, ""), { headers });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    if (i >= WARM_UP) times.push(performance.now() - sent);
  }
  times.sort((a, b) => a - b);
  results[name] = { p50_ms: percentile(times, 0.5), p99_ms: percentile(times, 0.99) };
  console.log(`${name.padEnd(48)} ${percentile(times, 0.5).toFixed(2).padStart(6)} ms ${percentile(times, 0.99).toFixed(2).padStart(6)} ms`);
}
writer.close();
child.kill("SIGTERM");
await child.exited;
fake.stop();
if (process.env.KEEP_DB) console.log(`kept ${dbPath}`);
else rmSync(dirname(dbPath), { recursive: true, force: true });
await Bun.write(join(import.meta.dir, "results", "reads.json"), JSON.stringify({ date: new Date().toISOString(), bun: Bun.version, events: total, requests, results }, null, 2));
