// A history import at scale, as users run it: 10 users linked, each importing a year of every data type (daily
// documents, sleep, workouts, heart rate) from a fake Oura that answers each request after 100 ms and enforces Oura's
// rate limit (5,000 requests per 5 minutes), the server's request budget set to the same. Reports requests per stored
// document, documents stored per second, whether Oura ever answered 429, and the webhook path's p99 (signed
// notifications at 20/s, one in 20 for a linked user whose document is then fetched) throughout the imports, against
// the same server idle for --webhook-seconds just before.
// Usage: bun run bench/backfill.ts [--users 10] [--days 365] [--webhook-seconds 60]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FakeOura } from "../src/demo/fake-oura.ts";
import { documentsForDay, heartRateSince } from "../src/demo/sample-data.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { users: { type: "string", default: "10" }, days: { type: "string", default: "365" }, "webhook-seconds": { type: "string", default: "60" } },
});
const USERS = Number(values.users);
const DAYS = Number(values.days);
const WEBHOOK_SECONDS = Number(values["webhook-seconds"]);
const TOKEN = "backfill-bench-api-token-0123456789";
const DAY = 86_400_000;
const day = (ago: number) => new Date(Date.now() - ago * DAY).toISOString().slice(0, 10);

// Oura's list pages are large; 1,000 here (a week of 5-minute heart rate is two pages).
const fake = new FakeOura({ pageSize: 1000, documentDelayMs: 100, rateLimit: { requests: 5000, windowMs: 300_000 }, inventDocuments: true }).start();
const users = Array.from({ length: USERS }, (_, u) => `BENCH-${u}`);
const built = performance.now();
for (const user of users) {
  for (let ago = 0; ago < DAYS; ago++) {
    for (const { path, document } of documentsForDay(day(ago))) fake.putDocument(user, path, { ...document, id: `${user}-${document.id}` });
    if (ago % 3 === 0) fake.putDocument(user, "workout", { id: `${user}-w-${ago}`, day: day(ago), activity: "running", calories: 300 + (ago % 200) });
  }
  fake.putHeartRate(user, heartRateSince(Date.now() - DAYS * DAY, Date.now()));
}
console.log(`fake Oura: ${USERS} users × ${DAYS} days (${(performance.now() - built) / 1000 < 1 ? "<1" : ((performance.now() - built) / 1000).toFixed(0)} s to build)`);

const dir = mkdtempSync(join(tmpdir(), "oura-backfill-bench-"));
const port = 30_000 + Math.floor(Math.random() * 20_000);
const base = `http://127.0.0.1:${port}`;
const first = users[0]!;
const env = {
  PATH: process.env.PATH ?? "",
  PORT: String(port),
  DATABASE_PATH: join(dir, "bench.db"),
  API_TOKEN: TOKEN,
  OURA_INITIAL_REFRESH_TOKEN: fake.issueTokens(first).refresh_token,
  OURA_REQUEST_BUDGET: "5000",
  OURA_REQUEST_BUDGET_WINDOW_SECONDS: "300",
  LOG_LEVEL: "warn",
  ...fake.env(),
};
const child = Bun.spawn([process.execPath, "src/main.ts"], { cwd: join(import.meta.dir, ".."), env, stdout: "ignore", stderr: "inherit" });
for (let i = 0; i < 200 && !(await fetch(`${base}/health`).then((r) => r.ok, () => false)); i++) await Bun.sleep(50);
const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

// The other users sign in the way Oura's OAuth does (code flow against the fake), through the server's own routes.
for (const user of users.slice(1)) {
  fake.nextAuthorizeUser = user;
  const login = await fetch(`${base}/auth/login`, { redirect: "manual" });
  const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const authorize = await fetch(login.headers.get("location")!, { redirect: "manual" });
  const callback = await fetch(authorize.headers.get("location")!, { redirect: "manual", headers: { cookie } });
  if (callback.status >= 400) throw new Error(`sign-in of ${user} failed: ${callback.status}`);
}
const linked = ((await (await fetch(`${base}/auth/status`, { headers: auth })).json()) as { linked_users: unknown[] }).linked_users.length;
console.log(`server: ${linked} users linked`);

/** Signed notifications at 20/s from a process of their own (see paced-webhooks.ts), until stopped. */
function pacedWebhooks() {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "paced-webhooks.ts"), base, fake.clientSecret, "20", users.join(",")], { stdout: "pipe", stderr: "inherit" });
  return {
    async stop(): Promise<{ count: number; p50_ms: number; p99_ms: number; max_ms: number }> {
      child.kill("SIGTERM");
      const output = await new Response(child.stdout).text();
      await child.exited;
      return JSON.parse(output.trim().split("\n").pop()!);
    },
  };
}

const idleSender = pacedWebhooks();
await Bun.sleep(WEBHOOK_SECONDS * 1000);
const idle = await idleSender.stop();
console.log(`webhooks idle: p50 ${idle.p50_ms.toFixed(2)} ms, p99 ${idle.p99_ms.toFixed(2)} ms, max ${idle.max_ms.toFixed(1)} ms (${idle.count})`);

const started = performance.now();
const ids: number[] = [];
for (const user of users) {
  const response = await fetch(`${base}/backfill`, { method: "POST", headers: auth, body: JSON.stringify({ user_id: user, start_date: day(DAYS - 1), end_date: day(0) }) });
  if (response.status !== 201) throw new Error(`POST /backfill: ${response.status} ${await response.text()}`);
  ids.push(((await response.json()) as { id: number }).id);
}
// Throughout the imports, not only at their start: a p99 of a few hundred samples says little.
const busySender = pacedWebhooks();
let finished: { documents_stored: number; requests_used: number; steps_total: number }[] = [];
for (;;) {
  const all = await Promise.all(ids.map(async (id) => (await (await fetch(`${base}/backfill/${id}`, { headers: auth })).json()) as any));
  const done = all.filter((b) => b.state !== "queued" && b.state !== "running");
  if (process.stdout.isTTY) process.stdout.write(`\rimports: ${all.reduce((n, b) => n + b.percent, 0) / all.length}% … ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (done.length === all.length) {
    finished = all;
    if (all.some((b) => b.state !== "done")) throw new Error(`an import did not finish: ${JSON.stringify(all.filter((b) => b.state !== "done"))}`);
    break;
  }
  await Bun.sleep(1000);
}
const seconds = (performance.now() - started) / 1000;
const busy = await busySender.stop();
const stored = finished.reduce((n, b) => n + b.documents_stored, 0);
const requests = finished.reduce((n, b) => n + b.requests_used, 0);
const health = (await (await fetch(`${base}/health`)).json()) as { events_stored: number };
// Every event is a document a poll or import stored, but for the webhooks sent by this benchmark.
const documents = health.events_stored - idle.count - busy.count;
const samples = stored - documents;
const polling = (await (await fetch(`${base}/polling`, { headers: auth })).json()) as { budget: { requests_total: number } };
console.log(`\n${USERS} imports of ${DAYS} days, every data type: ${seconds.toFixed(0)} s`);
console.log(`  stored ${documents.toLocaleString("en-US")} documents and ${samples.toLocaleString("en-US")} heart-rate samples with ${requests.toLocaleString("en-US")} requests`);
console.log(`  ${(requests / documents).toFixed(3)} requests per document (${(requests / stored).toFixed(4)} per stored item); ${(documents / seconds).toFixed(0)} documents/s, ${(stored / seconds).toFixed(0)} items/s`);
console.log(`  ${polling.budget.requests_total.toLocaleString("en-US")} Oura requests in all (webhook fetches included); answered 429 by Oura: ${fake.counters.rateLimited}`);
console.log(`webhooks during the imports: p50 ${busy.p50_ms.toFixed(2)} ms, p99 ${busy.p99_ms.toFixed(2)} ms, max ${busy.max_ms.toFixed(1)} ms (${busy.count}) = ${(busy.p99_ms / idle.p99_ms).toFixed(2)}× idle p99`);
child.kill("SIGTERM");
await child.exited;
fake.stop();
rmSync(dir, { recursive: true, force: true });
