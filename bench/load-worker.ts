// Runs in its own process (pinned to its own core when taskset exists): generates load, prints one JSON result.
// Usage: bun bench/load-worker.ts ingest URL CONNECTIONS SECONDS SECRET
//        bun bench/load-worker.ts ws-latency URL CLIENTS RATE SECONDS SECRET
import { createHmac } from "node:crypto";
import { httpRequest, openConnection, percentile, runClosedLoop } from "./http-load.ts";

const [mode = "", rawUrl = "", ...args] = process.argv.slice(2);
const url = new URL("/webhooks", rawUrl);
let sequence = 0;

function signedNotification(secret: string, runId: string): { bytes: Uint8Array; objectId: string } {
  const objectId = `${runId}-${++sequence}`;
  const body = JSON.stringify({
    event_type: "create",
    data_type: "daily_sleep",
    object_id: objectId,
    event_time: "2026-11-24T08:00:00+00:00",
    user_id: "BENCH-USER",
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", secret).update(timestamp + body).digest("hex").toUpperCase();
  return {
    objectId,
    bytes: httpRequest(url, { "content-type": "application/json", "x-oura-timestamp": timestamp, "x-oura-signature": signature }, body),
  };
}

const runId = `${process.pid}-${Date.now()}`;

if (mode === "ingest") {
  const [connections, seconds, secret] = args;
  const result = await runClosedLoop(url, Number(connections), Number(seconds), () => signedNotification(secret!, runId).bytes);
  const sorted = result.latenciesMs.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      requests: result.requests,
      ok: result.ok,
      failed: result.failed,
      rps: result.requests / result.seconds,
      p50_ms: percentile(sorted, 50),
      p99_ms: percentile(sorted, 99),
    }),
  );
} else if (mode === "ws-latency") {
  const [clients, rate, seconds, secret] = args;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const wsUrl = new URL("/ws/events", rawUrl.replace(/^http/, "ws"));
  const sockets = await Promise.all(
    Array.from(
      { length: Number(clients) },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(wsUrl.href);
          socket.onmessage = (message) => {
            const text = String(message.data);
            if (text.startsWith('{"type":"ready"')) return resolve(socket);
            const at = performance.now();
            // Cheaper than JSON.parse for 100k messages/s: the object_id is a fixed-shape field.
            const start = text.indexOf('"object_id":"') + 13;
            const sent = sentAt.get(text.slice(start, text.indexOf('"', start)));
            if (sent !== undefined) latencies.push(at - sent);
          };
          socket.onerror = reject;
        }),
    ),
  );
  const sender = await openConnection(url);
  const total = Number(rate) * Number(seconds);
  const intervalMs = 1000 / Number(rate);
  const started = performance.now();
  let statusFailures = 0;
  const pending: Promise<number>[] = [];
  // Open loop at a fixed rate: one request per interval, each on its own connection if the last is still running.
  const pool = [sender, ...(await Promise.all(Array.from({ length: 15 }, () => openConnection(url))))];
  const free = [...pool];
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await Bun.sleep(wait);
    const connection = free.pop() ?? (await openConnection(url));
    const { bytes, objectId } = signedNotification(secret!, runId);
    sentAt.set(objectId, performance.now());
    pending.push(
      connection.request(bytes).then((status) => {
        if (status < 200 || status >= 300) statusFailures++;
        free.push(connection);
        return status;
      }),
    );
  }
  await Promise.all(pending);
  await Bun.sleep(500);
  const expected = total * Number(clients);
  const sorted = latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      events: total,
      clients: Number(clients),
      achieved_rate: total / ((performance.now() - started - 500) / 1000),
      delivered: latencies.length,
      expected,
      failed_posts: statusFailures,
      p50_ms: percentile(sorted, 50),
      p99_ms: percentile(sorted, 99),
    }),
  );
  for (const socket of sockets) socket.close();
  for (const connection of pool) connection.close();
}
process.exit(0);
