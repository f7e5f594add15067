// The listed reads do not grow with the table: each is timed (in-process, median of many) on 100,000 events and on
// 1,000, and must not be more than a few times slower on the large one. A read that scans the table is ~100× slower.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/storage/sqlite/database.ts";
import { openSqliteStorage, type SqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";
import { tempDir } from "../helpers/servers.ts";

const DAY = 86_400_000;
const START = Date.parse("2026-08-01T00:00:00Z");
const TYPES = ["daily_sleep", "sleep", "daily_readiness", "daily_activity", "workout", "session", "tag", "daily_spo2", "daily_stress", "vo2_max"];

/**
 * `total` events for 50 users, one user with 20 events, one rare type, deletes 1 in 50, 20 waiting to be fetched and
 * 20 awaiting a sign-in, over 90 days.
 */
function build(total: number): string {
  const path = join(tempDir("oura-reads-"), "reads.db");
  openDatabase(path).close();
  const db = new Database(path);
  const insert = db.query(
    `INSERT INTO events (received_at, source, event_type, data_type, object_id, event_time, event_time_ms, user_id, notification, fetch_status)
     VALUES (?, 'webhook', ?, ?, ?, ?, ?, ?, '{}', ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < total; i++) {
      const at = START + Math.floor((i / total) * 90 * DAY);
      const iso = new Date(at).toISOString();
      const user = i % Math.floor(total / 20) === 0 ? "USER-RARE" : `USER-${i % 50}`;
      const dataType = i % Math.floor(total / 20) === 1 ? "rest_mode_period" : TYPES[i % TYPES.length]!;
      const fetchStatus = i % Math.floor(total / 20) === 2 ? "pending" : i % Math.floor(total / 20) === 3 ? "awaiting_link" : "fetched";
      insert.run(iso, i % 50 === 7 ? "delete" : "create", dataType, `doc-${i}`, iso, at, user, fetchStatus);
    }
  })();
  // 90 days of daily documents for each of 50 users (2 on the small table): a read for one user, or the mean over
  // users, must not read every user's documents.
  const documents = db.query(`INSERT INTO documents (user_id, data_type, document_id, day, payload, fetched_at) VALUES (?, ?, ?, ?, ?, ?)`);
  const users = total >= 100_000 ? Array.from({ length: 50 }, (_, u) => u) : [7, 8];
  db.transaction(() => {
    for (const u of users) {
      for (let d = 0; d < 90; d++) {
        const day = new Date(START + d * DAY).toISOString().slice(0, 10);
        for (const type of ["daily_sleep", "daily_readiness", "daily_activity"]) {
          // ~2 KiB each, as real documents are: reading other users' rows must show in the time.
          documents.run(`USER-${u}`, type, `${type}-${u}-${d}`, day, JSON.stringify({ day, score: 60 + ((u + d) % 40), steps: 8000, contributors: "x".repeat(2000) }), day);
        }
      }
    }
  })();
  db.close();
  return path;
}

const READS: [string, (store: SqliteStorage, total: number) => Promise<unknown>][] = [
  ["first page", (store) => store.events.listEvents({}, { limit: 50 })],
  ["one of 50 users", (store) => store.events.listEvents({ user_id: "USER-7" }, { limit: 50 })],
  ["a user with 20 events", (store) => store.events.listEvents({ user_id: "USER-RARE" }, { limit: 50 })],
  ["a common data type", (store) => store.events.listEvents({ data_type: "sleep" }, { limit: 50 })],
  ["a rare data type", (store) => store.events.listEvents({ data_type: "rest_mode_period" }, { limit: 50 })],
  ["deletes", (store) => store.events.listEvents({ event_type: "delete" }, { limit: 50 })],
  ["an hour's window", (store) => store.events.listEvents({ since: new Date(START + 45 * DAY).toISOString(), until: new Date(START + 45 * DAY + 3_600_000).toISOString() }, { limit: 50 })],
  ["a deep cursor page", (store, total) => store.events.listEvents({}, { limit: 50, cursor: String(Math.floor(total / 2)) })],
  ["count (total_stored)", (store) => store.events.countEvents()],
  ["count for one user", (store) => store.events.countEvents("USER-7")],
  ["fetch queue depth (/metrics)", (store) => store.fetchQueue.countPendingFetches()],
  ["last event of a user", (store) => store.events.lastEventAt("USER-7")],
  ["one user's documents of a type, 90 days", (store) => store.documents.listDocuments({ user_id: "USER-7", data_type: "daily_sleep", start_day: "2026-08-01" }, 100)],
  ["one user's daily metrics, 90 days", (store) => store.documents.dailyMetricValues({ user_id: "USER-7", start_day: "2026-08-01" })],
  ["every user's daily metrics (their mean), 90 days", (store) => store.documents.dailyMetricValues({ start_day: "2026-08-01" })],
  ["a page halfway through the documents export", (store) => store.documents.pageDocuments({}, { limit: 50, cursor: halfwayThroughExport.get(store) })],
];

/** Each store's export cursor after half its documents: the next page must seek there, not sort or walk up to it. */
const halfwayThroughExport = new Map<SqliteStorage, string>();

async function medianMicros(read: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i++) await read();
  const times: number[] = [];
  for (let i = 0; i < 41; i++) {
    const started = performance.now();
    await read();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[20]! * 1000;
}

const LARGE = 100_000;
const SMALL = 1_000;
let large: SqliteStorage;
let small: SqliteStorage;
beforeAll(async () => {
  large = await openSqliteStorage(build(LARGE));
  small = await openSqliteStorage(build(SMALL));
  for (const [store, documents] of [[large, 50 * 90 * 3], [small, 2 * 90 * 3]] as const) {
    halfwayThroughExport.set(store, (await store.documents.pageDocuments({}, { limit: documents / 2 })).nextCursor!);
  }
}, 120_000);
afterAll(async () => {
  await large.close();
  await small.close();
});

describe(`reads on ${LARGE.toLocaleString("en-US")} events cost about what they cost on ${SMALL.toLocaleString("en-US")}`, () => {
  test.each(READS)("%s", async (_, read) => {
    const onLarge = await medianMicros(() => read(large, LARGE));
    const onSmall = await medianMicros(() => read(small, SMALL));
    // A table scan is ~100× slower on the large table; an index lookup about the same. 10× leaves room for noise.
    expect(onLarge).toBeLessThan(Math.max(onSmall, 50) * 10);
  });

  test("the counts the triggers keep are the true counts", async () => {
    expect(await large.events.countEvents()).toBe(LARGE);
    expect(await large.events.countEvents("USER-RARE")).toBe(20);
    expect(await large.events.deleteEvents({ user_id: "USER-RARE" })).toBe(20);
    expect(await large.events.countEvents("USER-RARE")).toBe(0);
    expect(await large.events.countEvents()).toBe(LARGE - 20);
    // More rows than one bulk slice (2,000 per commit): deleted over several commits, every one counted.
    const many = await large.events.countEvents("USER-8");
    expect(many).toBeGreaterThanOrEqual(2000);
    expect(await large.events.deleteEvents({ user_id: "USER-8", event_type: "create" }) + (await large.events.purgeUser("USER-8")).events).toBe(many);
    expect(await large.events.countEvents("USER-8")).toBe(0);
    expect(await large.events.countEvents()).toBe(LARGE - 20 - many);
  });
});
