// What the events' triggers put in the outgoing-webhook queue, in the event's own commit (migration 11), and how
// retention treats events with deliveries to come: on real SQLite, no server.
import { beforeEach, describe, expect, test } from "bun:test";
import type { NewHookEndpoint } from "../../src/storage/hooks.ts";
import { openSqliteStorage, type SqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";
import { sampleNotification } from "../helpers/notifications.ts";

let store: SqliteStorage;
const queued = () => store.connection.database.query<{ event_id: number }, []>("SELECT event_id FROM hook_queue ORDER BY event_id").all().map((r) => r.event_id);
const endpoint = (id: string, enabled = true, filters: Partial<NewHookEndpoint> = {}) =>
  store.hooks
    .createEndpoint({ id, owner_user_id: null, url: "https://receiver.example.org/", sealed_secret: "sealed", data_types: null, event_types: null, user_ids: null, description: null, ...filters })
    .then(async (e) => (enabled ? e : store.hooks.updateEndpoint(e.id, { enabled: false })));
const deliveries = (id: string) => store.hooks.listDeliveries(id, 100).map((d) => d.event_id).sort((a, b) => a - b);

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
    expect(await store.hooks.expandQueue(100, 0)).toBe(2);
    const stillQueued = await append("not_fetched");
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
  test("each enabled endpoint whose filters want it, with its own message id; a wearer's endpoint only its owner's events", async () => {
    await endpoint("hook_all");
    await endpoint("hook_off", false);
    await endpoint("hook_sleep", true, { data_types: ["daily_sleep"], event_types: ["create"] });
    await endpoint("hook_b", true, { user_ids: ["USER-B"] });
    await endpoint("hook_owner_a", true, { owner_user_id: "USER-A" });
    // A filter cannot widen a wearer's endpoint beyond its owner.
    await endpoint("hook_owner_a_asks_b", true, { owner_user_id: "USER-A", user_ids: ["USER-B"] });
    const sleepA = await append("not_fetched", { user_id: "USER-A", data_type: "daily_sleep" });
    const workoutA = await append("not_fetched", { user_id: "USER-A", data_type: "workout" });
    const sleepB = await append("not_fetched", { user_id: "USER-B", data_type: "daily_sleep" });
    const updateB = await append("not_fetched", { user_id: "USER-B", data_type: "daily_sleep", event_type: "update" });
    expect(await store.hooks.expandQueue(2, 0)).toBe(2);
    expect(await store.hooks.expandQueue(100, 0)).toBe(2);
    expect(queued()).toEqual([]);
    expect(deliveries("hook_all")).toEqual([sleepA, workoutA, sleepB, updateB]);
    expect(deliveries("hook_off")).toEqual([]);
    expect(deliveries("hook_sleep")).toEqual([sleepA, sleepB]);
    expect(deliveries("hook_b")).toEqual([sleepB, updateB]);
    expect(deliveries("hook_owner_a")).toEqual([sleepA, workoutA]);
    expect(deliveries("hook_owner_a_asks_b")).toEqual([]);
    const ids = store.hooks.listDeliveries("hook_all", 100).map((d) => d.message_id);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});
