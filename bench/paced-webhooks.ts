// Runs in its own process, so that nothing else in the benchmark's process (a fake Oura serving big pages) delays
// the measurement: signed notifications at a steady rate until SIGTERM, then one JSON line with the latencies.
// Usage: bun bench/paced-webhooks.ts URL SECRET RATE LINKED_USERS (comma list; one notification in 20 is for them)
import { createHmac } from "node:crypto";

const [url = "", secret = "", rateText = "20", linkedText = ""] = process.argv.slice(2);
const rate = Number(rateText);
const linked = linkedText.split(",").filter(Boolean);
const latencies: number[] = [];
let sequence = 0;
let stopping = false;
const inFlight = new Set<Promise<void>>();

process.on("SIGTERM", () => (stopping = true));

while (!stopping) {
  sequence++;
  // One in 20 for a linked user (a document fetch, within Oura's budget); the rest for users who never signed in.
  const user = sequence % 20 === 0 && linked.length > 0 ? linked[(sequence / 20) % linked.length]! : `NOT-LINKED-${sequence % 7}`;
  const body = JSON.stringify({ event_type: "create", data_type: "daily_sleep", object_id: `paced-${process.pid}-${sequence}`, event_time: new Date().toISOString(), user_id: user });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", secret).update(timestamp + body).digest("hex").toUpperCase();
  const sent = performance.now();
  const request = fetch(`${url}/webhooks`, { method: "POST", headers: { "content-type": "application/json", "x-oura-timestamp": timestamp, "x-oura-signature": signature }, body })
    .then(async (response) => {
      await response.arrayBuffer();
      if (response.status >= 300) throw new Error(`webhook answered ${response.status}`);
      latencies.push(performance.now() - sent);
    })
    .finally(() => inFlight.delete(request));
  inFlight.add(request);
  await Bun.sleep(1000 / rate);
}
await Promise.all(inFlight);
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
console.log(JSON.stringify({ count: latencies.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1) }));
