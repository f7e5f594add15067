// The fetch queue's depth (/metrics: oura_fetch_queue_depth) is read from the queue's own indexes; it must stay the
// true count of events waiting for a document through every way an event enters, changes or leaves that state.
import { afterAll, expect, test } from "bun:test";
import type { NewEvent } from "../../src/storage/events.ts";
import { openSqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";

const store = await openSqliteStorage(":memory:");
afterAll(() => store.close());

function notification(userId: string, objectId: string, options: { eventType?: "create" | "delete"; fetch?: NewEvent["fetch"]; document?: Record<string, unknown> } = {}): NewEvent {
  const identity = { user_id: userId, data_type: "daily_sleep", object_id: objectId, event_type: options.eventType ?? "create", event_time: "2026-08-01T06:00:00Z" } as const;
  return { source: "webhook", identity, raw: JSON.stringify(identity), received: { ...identity }, fetch: options.fetch ?? "pending", document: options.document };
}

/** The depth as /metrics reads it, checked against a count of the whole table. */
async function depth(): Promise<number> {
  const scanned = store.connection.database.query("SELECT count(*) AS n FROM events WHERE fetch_status IN ('pending', 'awaiting_link')").get() as { n: number };
  const counted = await store.fetchQueue.countPendingFetches();
  expect(counted).toBe(scanned.n);
  return counted;
}

test("the depth is the true count after every change of fetch status", async () => {
  const ids: Record<string, number> = {};
  for (const [key, event] of [
    ["a1", notification("USER-A", "a1")],
    ["a2", notification("USER-A", "a2")],
    ["a3", notification("USER-A", "a3")],
    ["b1", notification("USER-B", "b1", { fetch: "awaiting_link" })],
    ["b2", notification("USER-B", "b2", { fetch: "awaiting_link" })],
    ["a4", notification("USER-A", "a4", { fetch: "not_fetched" })],
    ["a5", notification("USER-A", "a5", { eventType: "delete" })],
    ["a6", notification("USER-A", "a6", { document: { id: "a6", day: "2026-08-01" } })],
  ] as const) {
    ids[key] = (await store.events.appendEvent(event)).event.id;
  }
  // A redelivery adds nothing.
  await store.events.appendEvent(notification("USER-A", "a1"));
  expect(await depth()).toBe(5);

  await store.fetchQueue.recordFetched({ eventId: ids.a1!, userId: "USER-A", dataType: "daily_sleep", objectId: "a1", attempts: 0 }, { id: "a1", day: "2026-08-01" });
  expect(await depth()).toBe(4);
  await store.fetchQueue.recordFetchOutcome(ids.a2!, "missing");
  expect(await depth()).toBe(3);
  await store.fetchQueue.recordFetchOutcome(ids.a3!, "awaiting_link");
  expect(await depth()).toBe(3);
  await store.fetchQueue.rescheduleFetch(ids.a3!, Date.now() + 60_000, 1, "try later");
  expect(await store.fetchQueue.requeueAwaitingLink("USER-B")).toBe(2);
  expect(await depth()).toBe(3);
  // Nobody is signed in: the pending ones are parked as awaiting a sign-in, and still waiting.
  expect(await store.fetchQueue.parkUnlinkedFetches(100)).toBe(2);
  expect(await depth()).toBe(3);

  // Retention deletes what is done with and keeps what still waits.
  expect(await store.retention.pruneEvents("9999-01-01T00:00:00Z", 1000)).toBe(5);
  expect(await depth()).toBe(3);
  await store.events.purgeUser("USER-A");
  expect(await depth()).toBe(2);
  expect(await store.events.deleteEvents({ user_id: "USER-B" })).toBe(2);
  expect(await depth()).toBe(0);
});
