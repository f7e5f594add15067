// The event log's plain domain type and the API's zod schema describe the same shape: an event the store returns is
// exactly what the schema accepts, with no field missing or extra.
import { describe, expect, test } from "bun:test";
import { Event as EventSchema } from "../../src/schemas/event.ts";
import type { Event } from "../../src/storage/events.ts";
import { SqliteStore } from "../../src/storage/sqlite/sqlite-store.ts";

describe("event shapes", () => {
  test("a stored event is exactly what the API schema describes", async () => {
    const store = await SqliteStore.open(":memory:");
    const identity = { event_type: "create" as const, data_type: "sleep", object_id: "o-1", event_time: "2026-11-24T08:00:00+00:00", user_id: "u" };
    const raw = JSON.stringify({ ...identity, extra: 1 });
    const { event } = await store.appendEvent({ source: "webhook", identity, raw, received: JSON.parse(raw), fetch: "pending" });
    const read: Event = (await store.getEvent(event.id))!;
    for (const candidate of [event, read]) {
      expect(EventSchema.strict().safeParse(candidate).success).toBe(true);
      expect(Object.keys(candidate).sort()).toEqual(Object.keys(EventSchema.shape).sort());
    }
    await store.close();
  });
});
