// The outbox in SQLite: written in the same commit as the event, never pruned before it is shipped, and off in sqlite mode.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openSqliteStorage, type SqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";
import { sampleNotification } from "../helpers/notifications.ts";
import { tempDir } from "../helpers/servers.ts";

const stores: SqliteStorage[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function open(path: string, outbox: boolean | undefined) {
  const store = await openSqliteStorage(path, undefined, { outbox });
  stores.push(store);
  return { store, outbox: store.outbox };
}

async function append(store: SqliteStorage) {
  const n = sampleNotification();
  return (await store.events.appendEvent({ source: "webhook", identity: n, raw: JSON.stringify(n), received: n, fetch: "awaiting_link" })).event;
}

describe("outbox", () => {
  test("retention never deletes an event that is not shipped yet", async () => {
    const { store, outbox } = await open(join(tempDir(), "o.db"), true);
    const events = [await append(store), await append(store), await append(store)];
    await store.fetchQueue.recordFetchOutcome(events[0]!.id, "missing");
    await store.fetchQueue.recordFetchOutcome(events[1]!.id, "missing");
    await store.fetchQueue.recordFetchOutcome(events[2]!.id, "missing");
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect(await store.retention.countPrunable(future)).toBe(0);
    expect(await store.retention.pruneEvents(future, 100)).toBe(0);
    expect(outbox.pendingEvents(10).map((e) => e.id)).toEqual(events.map((e) => e.id));
    await outbox.markEventsShipped(events[1]!.id);
    expect(await store.retention.pruneEvents(future, 100)).toBe(2);
    expect(outbox.pendingEvents(10).map((e) => e.id)).toEqual([events[2]!.id]);
    expect(outbox.outboxStatus().events).toBe(1);
    // The count is carried forward between calls: new events add to it, shipped ones take away, deletions are seen at
    // the next full count.
    const more = [await append(store), await append(store)];
    expect(outbox.outboxStatus().events).toBe(3);
    await outbox.markEventsShipped(more[0]!.id);
    expect(outbox.outboxStatus().events).toBe(1);
    await outbox.markEventsShipped(more[1]!.id);
    expect(outbox.outboxStatus().events).toBe(0);
  });

  test("a document whose day is no calendar day ships with the day missing (a Delta DATE column would refuse the whole batch)", async () => {
    const { store, outbox } = await open(join(tempDir(), "o.db"), true);
    const event = await append(store);
    for (const [id, day] of [["bad", "9999-99-99"], ["markup", '2026-12-07"><b>'], ["good", "2026-12-06"]] as const) {
      await store.fetchQueue.recordFetched({ eventId: event.id, userId: event.user_id, dataType: "daily_sleep", objectId: id, attempts: 0 }, { id, day, score: 70 });
    }
    const shipped = Object.fromEntries(outbox.pendingDocuments(10).map((d) => [d.document_id, d.day]));
    expect(shipped).toEqual({ bad: null, markup: null, good: "2026-12-06" });
  });

  test("the shipped id survives a restart and never goes back; sqlite mode turns the outbox off, maintenance commands leave it", async () => {
    const path = join(tempDir(), "o.db");
    let { store, outbox } = await open(path, true);
    const a = await append(store);
    const b = await append(store);
    await outbox.markEventsShipped(b.id);
    await outbox.markEventsShipped(a.id);
    await store.close();
    stores.pop();
    ({ store, outbox } = await open(path, undefined));
    expect(outbox.outboxStatus().shipped_through_event_id).toBe(b.id);
    await store.close();
    stores.pop();
    ({ store, outbox } = await open(path, false));
    expect(outbox.outboxStatus().shipped_through_event_id).toBe(0);
    // sqlite mode: retention is bounded by nothing but age.
    await store.fetchQueue.recordFetchOutcome(a.id, "missing");
    expect(await store.retention.countPrunable(new Date(Date.now() + 86_400_000).toISOString())).toBe(1);
  });
});
