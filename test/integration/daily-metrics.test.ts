// Daily metric values are extracted when a document is written: naps left out, a newer version replaces the value,
// a delete or a purge removes it, and without a user each day is the mean over users. Also: values of documents
// stored before this table existed are filled in by the migration.
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { join } from "node:path";
import { openSqliteStorage, type SqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";
import { MIGRATIONS } from "../../src/storage/sqlite/migrations.ts";
import type { EventType } from "../../src/storage/events.ts";
import { tempDir } from "../helpers/servers.ts";

let clock = Date.parse("2026-11-20T08:00:00Z");
function polled(store: SqliteStorage, user: string, dataType: string, id: string, eventType: EventType, document?: Record<string, unknown>) {
  const event_time = new Date((clock += 1000)).toISOString();
  const identity = { user_id: user, data_type: dataType, object_id: id, event_type: eventType, event_time };
  return store.events.appendEvent({ source: "poll", identity, raw: JSON.stringify(identity), received: identity, fetch: "pending", document });
}
const values = async (store: SqliteStorage, user?: string) =>
  Object.fromEntries((await store.documents.dailyMetricValues({ user_id: user, start_day: "2026-11-01" })).map((v) => [`${v.metric} ${v.day}`, [v.value, v.users]]));

test("values follow the documents: naps ignored, updates replace, deletes and purges remove, mean over users", async () => {
  const store = await openSqliteStorage(":memory:");
  await polled(store, "U1", "daily_sleep", "ds-1", "create", { id: "ds-1", day: "2026-11-19", score: 80 });
  await polled(store, "U2", "daily_sleep", "ds-2", "create", { id: "ds-2", day: "2026-11-19", score: 70 });
  await polled(store, "U1", "sleep", "s-1", "create", { id: "s-1", day: "2026-11-19", type: "long_sleep", average_hrv: 40, lowest_heart_rate: 50 });
  await polled(store, "U1", "sleep", "nap-1", "create", { id: "nap-1", day: "2026-11-19", type: "late_nap", average_hrv: 90, lowest_heart_rate: 70 });
  await polled(store, "U1", "daily_activity", "a-1", "create", { id: "a-1", day: "2026-11-19", score: "n/a", steps: 9000 });
  // The activity score was not a number: no value for it.
  expect(await values(store, "U1")).toEqual({
    "hrv 2026-11-19": [40, 1],
    "resting_hr 2026-11-19": [50, 1],
    "sleep 2026-11-19": [80, 1],
    "steps 2026-11-19": [9000, 1],
  });
  expect((await values(store))["sleep 2026-11-19"]).toEqual([75, 2]);

  await polled(store, "U1", "daily_sleep", "ds-1", "update", { id: "ds-1", day: "2026-11-19", score: 88 });
  expect((await values(store, "U1"))["sleep 2026-11-19"]).toEqual([88, 1]);
  await polled(store, "U1", "sleep", "s-1", "delete");
  expect((await values(store, "U1"))["hrv 2026-11-19"]).toBeUndefined();
  await store.events.purgeUser("U2");
  expect((await values(store))["sleep 2026-11-19"]).toEqual([88, 1]);
  await store.close();
});

test("the migration fills in values for documents stored before it", async () => {
  const path = join(tempDir("oura-metrics-"), "old.db");
  const db = new Database(path);
  for (const migration of MIGRATIONS.slice(0, 3)) db.exec(migration);
  db.exec("PRAGMA user_version = 3");
  db.query("INSERT INTO documents (user_id, data_type, document_id, day, payload, fetched_at) VALUES ('U1', 'daily_readiness', 'r-1', '2026-11-18', ?, '2026-11-18T09:00:00Z')").run(
    JSON.stringify({ id: "r-1", day: "2026-11-18", score: 77 }),
  );
  db.close();
  const store = await openSqliteStorage(path);
  expect((await values(store, "U1"))["readiness 2026-11-18"]).toEqual([77, 1]);
  await store.close();
});

test("migration 10: the newer daily numbers (levels by position) are filled in, and enhanced tags stored undated get their start_day", async () => {
  const path = join(tempDir("oura-metrics-"), "v9.db");
  const db = new Database(path);
  for (const migration of MIGRATIONS.slice(0, 9)) db.exec(migration);
  db.exec("PRAGMA user_version = 9");
  const insert = db.query("INSERT INTO documents (user_id, data_type, document_id, day, payload, fetched_at) VALUES ('U1', ?, ?, ?, ?, '2026-11-18T09:00:00Z')");
  insert.run("daily_resilience", "res-1", "2026-11-18", JSON.stringify({ id: "res-1", day: "2026-11-18", level: "strong", contributors: { sleep_recovery: 70.1 } }));
  insert.run("daily_resilience", "res-2", "2026-11-17", JSON.stringify({ id: "res-2", day: "2026-11-17", level: "heroic" }));
  insert.run("daily_spo2", "o-1", "2026-11-18", JSON.stringify({ id: "o-1", day: "2026-11-18", spo2_percentage: { average: 97.5 }, breathing_disturbance_index: 4 }));
  insert.run("daily_spo2", "o-2", "2026-11-17", JSON.stringify({ id: "o-2", day: "2026-11-17", spo2_percentage: null, breathing_disturbance_index: null }));
  insert.run("daily_stress", "st-1", "2026-11-18", JSON.stringify({ id: "st-1", day: "2026-11-18", stress_high: 2700, recovery_high: 9900, day_summary: "restored" }));
  // Stored before documents were dated by start_day: undated, so no range of days found it.
  insert.run("enhanced_tag", "t-1", null, JSON.stringify({ id: "t-1", tag_type_code: "tag_sleep_alcohol", start_day: "2026-11-17", end_day: null }));
  insert.run("enhanced_tag", "t-2", null, JSON.stringify({ id: "t-2", tag_type_code: "custom", start_day: "<script>" }));
  db.close();
  const store = await openSqliteStorage(path);
  const after = await values(store, "U1");
  expect(after["resilience 2026-11-18"]).toEqual([4, 1]);
  // An unknown level costs that value, not the migration.
  expect(after["resilience 2026-11-17"]).toBeUndefined();
  expect(after["spo2 2026-11-18"]).toEqual([97.5, 1]);
  expect(after["breathing_disturbance 2026-11-18"]).toEqual([4, 1]);
  expect(after["spo2 2026-11-17"]).toBeUndefined();
  expect(after["stress_high 2026-11-18"]).toEqual([2700, 1]);
  expect(after["recovery_high 2026-11-18"]).toEqual([9900, 1]);
  // Values written after the migration follow the same rules (the triggers were replaced).
  await polled(store, "U1", "daily_resilience", "res-3", "create", { id: "res-3", day: "2026-11-19", level: "limited" });
  expect((await values(store, "U1"))["resilience 2026-11-19"]).toEqual([1, 1]);
  const tags = await store.documents.listDocuments({ data_type: "enhanced_tag", user_id: "U1", start_day: "2026-11-01" }, 10);
  expect(tags.map((t) => [t.document_id, t.day])).toEqual([["t-1", "2026-11-17"]]);
  // A new enhanced tag is dated by its start_day too.
  await polled(store, "U1", "enhanced_tag", "t-3", "create", { id: "t-3", tag_type_code: "tag_generic_caffeine", start_day: "2026-11-19", end_day: null });
  expect((await store.documents.listDocuments({ data_type: "enhanced_tag", user_id: "U1", start_day: "2026-11-19" }, 10)).map((t) => t.document_id)).toEqual(["t-3"]);
  await store.close();
});

test("the dashboard's reads: fields by JSON path with their types kept, a damaged payload skipped, names checked, usual values as medians", async () => {
  const store = await openSqliteStorage(join(tempDir("oura-fields-"), "fields.db"));
  await polled(store, "U2", "workout", "w-1", "create", { id: "w-1", day: "2026-11-18", activity: "running", label: { evil: 1 }, intensity: ["hard"], calories: true });
  await polled(store, "U2", "workout", "w-2", "create", { id: "w-2", day: "2026-11-17", activity: "cycling", calories: 300 });
  const rows = await store.documents.listFields({ data_type: "workout", user_id: "U2" }, { activity: "$.activity", label: "$.label", intensity: "$.intensity", calories: "$.calories", missing: "$.nope" }, 10);
  expect(rows.map((r) => [r.document_id, r.activity, r.label, r.intensity, r.calories, r.missing])).toEqual([
    ["w-1", "running", { evil: 1 }, ["hard"], true, null],
    ["w-2", "cycling", null, null, 300, null],
  ]);
  // A payload that is not JSON (a damaged file) costs that document, not the read.
  store.connection.database.run("UPDATE documents SET payload = '{not json' WHERE document_id = 'w-2'");
  expect((await store.documents.listFields({ data_type: "workout", user_id: "U2" }, { activity: "$.activity" }, 10)).map((r) => r.document_id)).toEqual(["w-1"]);
  expect(() => store.documents.listFields({ data_type: "workout" }, { "x FROM documents; --": "$.a" }, 1)).toThrow("not a field name");
  // Usual values: medians of odd and even counts.
  for (const [day, score] of [["2026-11-10", 60], ["2026-11-11", 70], ["2026-11-12", 90]] as const) await polled(store, "U2", "daily_sleep", `s-${day}`, "create", { id: `s-${day}`, day, score });
  expect(store.documents.usualValue("U2", "sleep", "2026-11-01")).toBe(70);
  await polled(store, "U2", "daily_sleep", "s-4", "create", { id: "s-4", day: "2026-11-13", score: 80 });
  expect(store.documents.usualValue("U2", "sleep", "2026-11-01")).toBe(75);
  expect(store.documents.usualValue("U2", "readiness", "2026-11-01")).toBeUndefined();
  // Change counts: per user for documents; linking and names count for every user's view.
  const before = { u2: store.documents.changeCount("U2"), all: store.documents.changeCount() };
  const db = store.connection.database;
  db.run("INSERT INTO oura_accounts (user_id, linked_at, updated_at, email) VALUES ('U3', 'now', 'now', 'u3@example.com')");
  expect(store.documents.changeCount("U2")).toBe(before.u2);
  const linked = store.documents.changeCount();
  expect(linked).toBeGreaterThan(before.all);
  db.run("UPDATE oura_accounts SET display_name = 'Ann' WHERE user_id = 'U3'");
  expect(store.documents.changeCount()).toBeGreaterThan(linked);
  const named = store.documents.changeCount();
  db.run("DELETE FROM oura_accounts WHERE user_id = 'U3'");
  expect(store.documents.changeCount()).toBeGreaterThan(named);
  await polled(store, "U2", "daily_sleep", "s-5", "create", { id: "s-5", day: "2026-11-14", score: 81 });
  expect(store.documents.changeCount("U2")).toBe(before.u2 + 1);
  await store.close();
});
