// What the events' triggers put in the outgoing-webhook queue, in the event's own commit (migration 11), and how
// retention treats events with deliveries to come: on real SQLite, no server.
import { beforeEach, describe, expect, test } from "bun:test";
import { matches } from "../../src/hooks/dispatcher.ts";
import type { HookEndpoint } from "../../src/storage/hooks.ts";
import { openSqliteStorage, type SqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";
import { sampleNotification } from "../helpers/notifications.ts";

let store: SqliteStorage;
const queued = () => store.connection.database.query<{ event_id: number }, []>("SELECT event_id FROM hook_queue ORDER BY event_id").all().map((r) => r.event_id);
const endpoint = (id: string, enabled = true) =>
  store.hooks.createEndpoint({ id, owner_user_id: null, url: "https://receiver.example.org/", sealed_secret: "sealed", data_types: null, event_types: null, user_ids: null, description: null }).then(async (e) => (enabled ? e : store.hooks.updateEndpoint(e.id, { enabled: false })));

async function append(fetch: "pending" | "not_fetched", overrides = {}) {
  const notification = sampleNotification(overrides);
  return (await store.events.appendEvent({ source: "webhook", identity: notification, raw: JSON.stringify(notification), received: notification, fetch })).event.id;
}

beforeEach(async () => {
  store = await openSqliteStorage(":memory:");
});

describe("the queue the triggers fill", () => {
  test("without an enabled endpoint nothing is queued (ingest pays nothing)", async () => {
    await append("not_fetched");
    await endpoint("hook_off", false);
    await append("not_fetched");
    expect(queued()).toEqual([]);
  });

  test("an event is queued once final: at once when it needs no fetch, when its fetch ends otherwise", async () => {
    await endpoint("hook_on");
    const unfetched = await append("not_fetched");
    const pending = await append("pending");
    expect(queued()).toEqual([unfetched]);
    await store.fetchQueue.recordFetched({ eventId: pending, userId: "USER-A", dataType: "daily_sleep", objectId: "x", attempts: 0, eventType: "create" }, { id: "x", day: "2026-11-24" });
    expect(queued()).toEqual([unfetched, pending]);
  });

  test("events read back from the warehouse are not delivered again", async () => {
    await endpoint("hook_on");
    const n = sampleNotification();
    const restored = await store.outbox.receiveFromWarehouse([], [{ ...n, received_at: new Date().toISOString(), source: "webhook", payload: JSON.stringify(n), document: JSON.stringify({ id: n.object_id }) }]);
    expect(restored.events).toBe(1);
    expect(queued()).toEqual([]);
  });
});

describe("retention", () => {
  test("keeps events queued or with a delivery to come; deliveries of pruned events go with them", async () => {
    await endpoint("hook_on");
    const delivered = await append("not_fetched");
    const waiting = await append("not_fetched");
    const stillQueued = await append("not_fetched");
    await store.hooks.expandQueue([delivered, waiting], [
      { endpointId: "hook_on", eventId: delivered, messageId: "msg_a" },
      { endpointId: "hook_on", eventId: waiting, messageId: "msg_b" },
    ], 0);
    const [b, a] = store.hooks.listDeliveries("hook_on", 10);
    await store.hooks.recordAttempt(a!.id, { kind: "delivered", statusCode: 200, responseMs: 3 });
    expect(b!.event_id).toBe(waiting);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect(await store.retention.countPrunable(future)).toBe(1);
    expect(await store.retention.pruneEvents(future, 100)).toBe(1);
    expect(await store.events.getEvent(delivered)).toBeUndefined();
    expect(await store.events.getEvent(waiting)).toBeDefined();
    expect(await store.events.getEvent(stillQueued)).toBeDefined();
    expect(store.hooks.listDeliveries("hook_on", 10).map((d) => d.event_id)).toEqual([waiting]);
  });
});

describe("which endpoints an event goes to", () => {
  const base: HookEndpoint = { id: "h", owner_user_id: null, url: "", sealed_secret: "", data_types: null, event_types: null, user_ids: null, description: null, enabled: true, disabled_reason: null, disabled_at: null, failing_since: null, created_at: "", updated_at: "" };
  const event = { id: 1, user_id: "A", data_type: "sleep", event_type: "create" } as Parameters<typeof matches>[1];

  test("a wearer's endpoint only ever gets its owner's events, whatever its filters say", () => {
    expect(matches({ ...base, owner_user_id: "A" }, event)).toBe(true);
    expect(matches({ ...base, owner_user_id: "B" }, event)).toBe(false);
    expect(matches({ ...base, owner_user_id: "B", user_ids: ["A"] }, event)).toBe(false);
  });

  test("filters on data type, event type and user", () => {
    expect(matches({ ...base, data_types: ["sleep"] }, event)).toBe(true);
    expect(matches({ ...base, data_types: ["workout"] }, event)).toBe(false);
    expect(matches({ ...base, event_types: ["delete"] }, event)).toBe(false);
    expect(matches({ ...base, user_ids: ["B"] }, event)).toBe(false);
  });
});
