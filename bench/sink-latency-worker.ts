// Runs in its own process (pinned to core 1): sends signed notifications for one linked user at a steady rate and
// times, for each, when it reaches a live WebSocket client (the event, then its fetched document), Home Assistant's
// MQTT state (the broker's message whose attributes carry the document's day) and the first outgoing webhook delivery
// (a receiver of this process, registered here through POST /hooks). Prints one JSON line.
// Usage: bun bench/sink-latency-worker.ts URL SECRET API_TOKEN MQTT_URL USER RATE COUNT RUN_ID FIRST_DAY
import { createHmac } from "node:crypto";
import mqtt from "mqtt";
import { percentile } from "./http-load.ts";

const [url = "", secret = "", apiToken = "", mqttUrl = "", user = "", rateText = "5", countText = "100", runId = "", firstDay = ""] = process.argv.slice(2);
const rate = Number(rateText);
const count = Number(countText);
const dayOf = (i: number) => new Date(Date.parse(`${firstDay}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
const objectIdOf = (i: number) => `${runId}-${i}`;
const indexByObjectId = new Map(Array.from({ length: count }, (_, i) => [objectIdOf(i), i]));
const indexByDay = new Map(Array.from({ length: count }, (_, i) => [dayOf(i), i]));

const sentAt: number[] = [];
const acknowledgedAt: number[] = [];
const seen = { ws_event: [] as number[], ws_document: [] as number[], mqtt_state: [] as number[], hook_delivery: [] as number[] };
const first = (series: number[], i: number, at: number) => {
  if (series[i] === undefined) series[i] = at;
};

// A receiver that answers at once, like an automation tool's webhook node.
const receiver = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const at = performance.now();
    const body = await request.text();
    const objectId = /"object_id":"([^"]+)"/.exec(body)?.[1];
    const i = objectId === undefined ? undefined : indexByObjectId.get(objectId);
    if (i !== undefined) first(seen.hook_delivery, i, at);
    return new Response(null, { status: 204 });
  },
});
const auth = { authorization: `Bearer ${apiToken}`, "content-type": "application/json" };
const registered = await fetch(new URL("/hooks", url), { method: "POST", headers: auth, body: JSON.stringify({ url: `http://127.0.0.1:${receiver.port}/oura`, user_ids: [user], description: "bench: immediate" }) });
if (registered.status !== 201) throw new Error(`POST /hooks answered ${registered.status}: ${await registered.text()}`);

const socket = new WebSocket(new URL("/ws/events", url.replace(/^http/, "ws")), { headers: { authorization: `Bearer ${apiToken}` } } as never);
await new Promise<void>((resolve, reject) => {
  socket.onerror = () => reject(new Error("websocket failed"));
  socket.onmessage = (message) => {
    const at = performance.now();
    const data = JSON.parse(String(message.data));
    if (data.type === "ready") return resolve();
    const i = indexByObjectId.get(data.event?.object_id);
    if (i === undefined) return;
    if (data.type === "event") first(seen.ws_event, i, at);
    if (data.type === "event.updated" && data.event.fetch_status === "fetched") first(seen.ws_document, i, at);
  };
});

const client = await mqtt.connectAsync(mqttUrl, { clientId: `bench-${process.pid}` });
client.on("message", (_topic, payload) => {
  const at = performance.now();
  const text = payload.toString();
  const day = /"day":"(\d{4}-\d{2}-\d{2})"/.exec(text)?.[1];
  const i = day === undefined ? undefined : indexByDay.get(day);
  if (i !== undefined && acknowledgedAt[i] !== undefined) first(seen.mqtt_state, i, at);
});
await client.subscribeAsync("#");

const inFlight: Promise<void>[] = [];
const started = performance.now();
for (let i = 0; i < count; i++) {
  const wait = started + (i * 1000) / rate - performance.now();
  if (wait > 0) await Bun.sleep(wait);
  const body = JSON.stringify({ event_type: "create", data_type: "daily_sleep", object_id: objectIdOf(i), event_time: new Date().toISOString(), user_id: user });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", secret).update(timestamp + body).digest("hex").toUpperCase();
  sentAt[i] = performance.now();
  inFlight.push(
    fetch(new URL("/webhooks", url), { method: "POST", headers: { "content-type": "application/json", "x-oura-timestamp": timestamp, "x-oura-signature": signature }, body }).then(async (response) => {
      await response.arrayBuffer();
      if (response.status === 201) acknowledgedAt[i] = performance.now();
    }),
  );
}
await Promise.all(inFlight);
// What is still on its way (a fetch takes the fake Oura's 100 ms, a retry of a refused fetch longer).
for (let waited = 0; waited < 15_000; waited += 100) {
  if ([seen.ws_document, seen.mqtt_state, seen.hook_delivery].every((series) => series.filter((v) => v !== undefined).length >= acknowledgedAt.filter((v) => v !== undefined).length)) break;
  await Bun.sleep(100);
}

const summary = (series: number[], from: number[]) => {
  const latencies = series.flatMap((at, i) => (at === undefined || from[i] === undefined ? [] : [at - from[i]!])).sort((a, b) => a - b);
  return { count: latencies.length, p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99) };
};
console.log(
  JSON.stringify({
    sent: count,
    acknowledged: acknowledgedAt.filter((v) => v !== undefined).length,
    post_to_websocket_event: summary(seen.ws_event, sentAt),
    ack_to_websocket_document: summary(seen.ws_document, acknowledgedAt),
    ack_to_mqtt_state: summary(seen.mqtt_state, acknowledgedAt),
    ack_to_first_delivery: summary(seen.hook_delivery, acknowledgedAt),
  }),
);
socket.close();
await client.endAsync();
receiver.stop(true);
process.exit(0);
