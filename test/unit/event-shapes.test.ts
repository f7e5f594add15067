// The event shape is written once (storage/events.ts; the API's schema extends it, so the two agree by construction).
// What is left to check is that what storage actually returns — the appended event built from its bindings, and a row
// read back — is exactly that shape, with no field missing or extra (a type does not catch an extra field).
import { describe, expect, test } from "bun:test";
import { Event as EventSchema } from "../../src/schemas/event.ts";
import type { Event } from "../../src/storage/events.ts";
import { openSqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";

describe("event shapes", () => {
  test("a stored event is exactly the event shape the API describes", async () => {
    const store = await openSqliteStorage(":memory:");
    const identity = { event_type: "create" as const, data_type: "sleep", object_id: "o-1", event_time: "2026-11-24T08:00:00+00:00", user_id: "u" };
    const raw = JSON.stringify({ ...identity, extra: 1 });
    const { event } = await store.events.appendEvent({ source: "webhook", identity, raw, received: JSON.parse(raw), fetch: "pending" });
    const read: Event = (await store.events.getEvent(event.id))!;
    for (const candidate of [event, read]) {
      expect(EventSchema.strict().safeParse(candidate).success).toBe(true);
      expect(Object.keys(candidate).sort()).toEqual(Object.keys(EventSchema.shape).sort());
    }
    await store.close();
  });

  test("a document that comes with the event (as a poll reads it) is stored at once: fetched, nothing queued, the later version kept", async () => {
    const store = await openSqliteStorage(":memory:");
    const identity = { event_type: "update" as const, data_type: "daily_sleep", object_id: "ds-1", event_time: "2026-11-24T08:00:00Z", user_id: "u" };
    const document = { id: "ds-1", day: "2026-11-24", score: 81 };
    const { event } = await store.events.appendEvent({ source: "poll", identity, raw: JSON.stringify(document), received: document, fetch: "pending", document });
    expect(event).toMatchObject({ source: "poll", fetch_status: "fetched", document, fetch_error: null });
    expect(await store.events.getEvent(event.id)).toMatchObject({ fetch_status: "fetched", document });
    expect(await store.fetchQueue.dueFetches(Date.now() + 60_000, 10)).toEqual([]);
    expect(await store.documents.getDocument("daily_sleep", "ds-1", "u")).toMatchObject({ day: "2026-11-24", document, event_id: event.id });
    // A later version replaces it; the same version again is a duplicate, stored once.
    const changed = { ...document, score: 84 };
    const later = await store.events.appendEvent({ source: "poll", identity: { ...identity, event_time: "2026-11-25T08:00:00Z" }, raw: "{}", received: changed, fetch: "pending", document: changed });
    expect((await store.documents.getDocument("daily_sleep", "ds-1", "u"))!.document).toMatchObject({ score: 84 });
    const again = await store.events.appendEvent({ source: "poll", identity: { ...identity, event_time: "2026-11-25T08:00:00Z" }, raw: "{}", received: changed, fetch: "pending", document: changed });
    expect(again).toMatchObject({ created: false, event: { id: later.event.id } });
    await store.close();
  });
});
