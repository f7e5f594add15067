// The demo, run as a user runs it: `bun src/main.ts demo` in a child process, with the built-in fake Oura.
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { REPO_ROOT, tempDir } from "../helpers/servers.ts";

describe("demo", () => {
  test("produces events and fetched documents within seconds, and stops cleanly", async () => {
    const port = freePort();
    const dbPath = join(tempDir(), "demo.db");
    const realDb = join(tempDir(), "real.db");
    const child = Bun.spawn([process.execPath, "src/main.ts", "demo", "--rate", "20", "--days", "3", "--port", String(port), "--database", dbPath], {
      cwd: REPO_ROOT,
      // A real DATABASE_PATH in the environment must not receive the demo's sample data.
      env: { PATH: process.env.PATH ?? "", HOME: "/tmp", DATABASE_PATH: realDb, API_TOKEN: TEST_API_TOKEN, LOG_LEVEL: "warn" },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
      const documents = await waitFor(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/documents?limit=1000`, { headers: auth }).catch(() => undefined);
        if (!response?.ok) return undefined;
        const body = (await response.json()) as { count: number };
        return body.count >= 12 ? body : undefined;
      }, 8000, "demo documents");
      expect(documents.count).toBeGreaterThanOrEqual(12);
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`, { headers: auth })).json()) as { events_stored: number; oura: { linked_users: number } };
      expect(health.events_stored).toBeGreaterThanOrEqual(12);
      expect(health.oura.linked_users).toBe(1);
      const before = health.events_stored;
      await Bun.sleep(500);
      const after = ((await (await fetch(`http://127.0.0.1:${port}/health`, { headers: auth })).json()) as { events_stored: number }).events_stored;
      expect(after).toBeGreaterThan(before);
      // Today's readiness is revised with every few notifications, but its value moves as a ring syncs: not within
      // the first minutes.
      const today = new Date().toISOString().slice(0, 10);
      const revisions = await waitFor(async () => {
        const body = (await (await fetch(`http://127.0.0.1:${port}/events?data_type=daily_readiness&limit=200`, { headers: auth })).json()) as { events: { fetch_status: string; document: { day?: string; score?: number } | null }[] };
        const fetched = body.events.filter((e) => e.fetch_status === "fetched" && e.document?.day === today);
        return fetched.length >= 2 ? fetched : undefined;
      }, 8000, "two fetched revisions of today's readiness");
      expect(new Set(revisions.map((e) => e.document!.score)).size).toBe(1);
    } finally {
      child.kill("SIGINT");
      expect(await child.exited).toBe(0);
    }
    expect(await new Response(child.stdout).text()).toContain("/dashboard");
    expect(existsSync(dbPath)).toBe(true);
    expect(existsSync(realDb)).toBe(false);
  }, 30_000);

  test("restarted on the same database: signed in still, no second history, and its address is not buried in log lines", async () => {
    const dbPath = join(tempDir(), "demo.db");
    const run = async (fetchedAtLeast: number) => {
      const port = freePort();
      const child = Bun.spawn([process.execPath, "src/main.ts", "demo", "--rate", "20", "--days", "3", "--port", String(port), "--database", dbPath], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: "/tmp", API_TOKEN: TEST_API_TOKEN },
        stdout: "pipe",
        stderr: "pipe",
      });
      const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
      await waitFor(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/events?limit=1000`, { headers: auth }).catch(() => undefined);
        if (!response?.ok) return undefined;
        const body = (await response.json()) as { events: { fetch_status: string }[] };
        return body.events.filter((e) => e.fetch_status === "fetched").length >= fetchedAtLeast ? true : undefined;
      }, 10_000, "fetched demo events");
      child.kill("SIGINT");
      expect(await child.exited).toBe(0);
      return (await new Response(child.stdout).text()).trim().split("\n");
    };
    const creates = () => {
      const db = new Database(dbPath, { readonly: true });
      try {
        return db.query("SELECT count(*) AS n, count(DISTINCT object_id) AS distinct_ids FROM events WHERE event_type = 'create'").get() as { n: number; distinct_ids: number };
      } finally {
        db.close();
      }
    };
    const firstLines = await run(30);
    const afterFirst = creates();
    // The second run must fetch what it receives itself (it is past the first run's 30).
    const secondLines = await run(60);
    expect(creates()).toEqual(afterFirst);
    const db = new Database(dbPath, { readonly: true });
    const waiting = (db.query("SELECT count(*) AS n FROM events WHERE fetch_status = 'awaiting_link'").get() as { n: number }).n;
    db.close();
    expect(waiting).toBe(0);
    // Quiet by default: the address, a line about the history, the goodbye (and the first run's key-file warning) —
    // not a line per event, though about 60 arrived in each run.
    for (const lines of [firstLines, secondLines]) {
      expect(lines.length).toBeLessThanOrEqual(4);
      expect(lines.filter((line) => /webhook\.|fetch\.|event/.test(line))).toEqual([]);
      expect(lines.some((line) => line.includes("/dashboard"))).toBe(true);
    }
    expect(secondLines.join("\n")).toContain("carrying on with the history already in");
  }, 40_000);

  test("--polling: no webhooks; poll events, then an import of the fake's 90 days to 100%", async () => {
    const port = freePort();
    const dbPath = join(tempDir(), "demo-polling.db");
    const child = Bun.spawn([process.execPath, "src/main.ts", "demo", "--polling", "--rate", "5", "--port", String(port), "--database", dbPath], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: "/tmp", API_TOKEN: TEST_API_TOKEN, LOG_LEVEL: "warn" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${TEST_API_TOKEN}`, "content-type": "application/json" };
    const getJson = async (path: string) => (await (await fetch(base + path, { headers: auth })).json()) as any;
    try {
      // The first cycle reads the last days of every document type (and heart rate): poll events only.
      const first = await waitFor(async () => {
        const body = await fetch(`${base}/events?limit=100`, { headers: auth }).then((r) => (r.ok ? r.json() : undefined), () => undefined);
        return body && body.events.length >= 8 ? body : undefined;
      }, 10_000, "the first poll's events");
      expect(first.events.every((e: any) => e.source === "poll")).toBe(true);
      const polling = await getJson("/polling");
      expect(polling.mode).toBe("poll");
      const created = await (await fetch(`${base}/backfill`, { method: "POST", headers: auth, body: JSON.stringify({ user_id: "DEMO-USER", start_date: new Date(Date.now() - 89 * 86_400_000).toISOString().slice(0, 10), end_date: new Date().toISOString().slice(0, 10) }) })).json() as any;
      const done = await waitFor(async () => {
        const body = await getJson(`/backfill/${created.id}`);
        return body.state === "done" ? body : undefined;
      }, 30_000, "the demo import");
      expect(done.percent).toBe(100);
      // 90 days of every document type, less what the first poll had already stored, plus heart-rate samples.
      expect(done.documents_stored).toBeGreaterThan(300);
      const documents = await getJson("/documents?data_type=daily_sleep&limit=1000");
      expect(documents.count).toBe(90);
    } finally {
      child.kill("SIGINT");
      expect(await child.exited).toBe(0);
    }
  }, 60_000);
});
