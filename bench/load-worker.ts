// Runs in its own process (pinned to its own core when taskset exists): generates load, prints one JSON result.
// Usage: bun bench/load-worker.ts ingest URL CONNECTIONS SECONDS SECRET
//        bun bench/load-worker.ts ws-latency URL CLIENTS RATE SECONDS SECRET
// BENCH_USERS=N spreads notifications over users BENCH-USER-0 … N-1 (default: one user, BENCH-USER);
// BENCH_API_TOKEN authenticates the WebSocket clients.
import { createHmac } from "node:crypto";
import { httpRequest, openConnection, percentile, runClosedLoop } from "./http-load.ts";

const [mode = "", rawUrl = "", ...args] = process.argv.slice(2);
const url = new URL("/webhooks", rawUrl);
let sequence = 0;
const users = Number(process.env.BENCH_USERS ?? 1);
const apiToken = process.env.BENCH_API_TOKEN;

function signedNotification(secret: string, runId: string): { bytes: Uint8Array; objectId: string } {
  const objectId = `${runId}-${++sequence}`;
  const body = JSON.stringify({
    event_type: "create",
    data_type: "daily_sleep",
    object_id: objectId,
    event_time: "2026-11-24T08:00:00+00:00",
    user_id: users > 1 ? `BENCH-USER-${sequence % users}` : "BENCH-USER",
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", secret).update(timestamp + body).digest("hex").toUpperCase();
  return {
    objectId,
    bytes: httpRequest(url, { "content-type": "application/json", "x-oura-timestamp": timestamp, "x-oura-signature": signature }, body),
  };
}

const runId = `${process.pid}-${Date.now()}`;

const MARKER = '"object_id":"';

/** Upgrades a raw TCP socket to /ws/events and reports each object_id seen in the stream; resolves once "ready". */
function openFrameScanner(target: URL, onObjectId: (objectId: string, at: number) => void) {
  return new Promise<Awaited<ReturnType<typeof Bun.connect>>>(async (resolve) => {
    let pending = "";
    let ready = false;
    // Each event carries its object_id twice (the event and the raw notification): count a message once.
    let lastSeen = "";
    const socket = await Bun.connect({
      hostname: target.hostname,
      port: Number(target.port),
      socket: {
        data(sock, chunk) {
          const at = performance.now();
          pending += chunk.toString("latin1");
          if (!ready && pending.includes('"type":"ready"')) {
            ready = true;
            pending = "";
            resolve(sock);
            return;
          }
          let from = 0;
          for (;;) {
            const start = pending.indexOf(MARKER, from);
            if (start < 0) break;
            const end = pending.indexOf('"', start + MARKER.length);
            if (end < 0) {
              from = start;
              break;
            }
            const objectId = pending.slice(start + MARKER.length, end);
            if (objectId !== lastSeen) onObjectId(objectId, at);
            lastSeen = objectId;
            from = end;
          }
          pending = pending.slice(Math.max(from, pending.length - MARKER.length - 128));
        },
      },
    });
    socket.write(
      `GET /ws/events HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n` +
        (apiToken ? `Authorization: Bearer ${apiToken}\r\n` : "") +
        "\r\n",
    );
  });
}

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
  // Raw-socket WebSocket clients: a browser-style WebSocket object per client costs the generator more CPU than the
  // server spends, which would measure the generator. These only scan frames for the object_id.
  const target = new URL(rawUrl);
  const sockets = await Promise.all(
    Array.from({ length: Number(clients) }, () => openFrameScanner(target, (objectId, at) => {
      const sent = sentAt.get(objectId);
      if (sent !== undefined) latencies.push(at - sent);
    })),
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
    // Never early: sending ahead of schedule would turn a steady rate into bursts.
    if (wait > 0) await Bun.sleep(wait);
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
  for (const socket of sockets) socket.end();
  for (const connection of pool) connection.close();
}
process.exit(0);
