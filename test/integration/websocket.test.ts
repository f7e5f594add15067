import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { RunningServer } from "../../src/server.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { startTestServer } from "../helpers/servers.ts";
import { openSocket } from "../helpers/websocket.ts";
import { waitFor } from "../helpers/ports.ts";

let running: RunningServer;
const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
const wsUrl = (query = "") => new URL(`/ws/events${query}`, running.url.href.replace("http", "ws"));

beforeAll(async () => {
  running = await startTestServer({ API_TOKEN: TEST_API_TOKEN, WEBHOOK_MAX_BYTES: "300000" });
});
afterAll(() => running.stop());

describe("/ws/events", () => {
  test("a committed event arrives once, with its stored id; a redelivery publishes nothing", async () => {
    const socket = await openSocket(wsUrl(), auth);
    const notification = sampleNotification({ data_type: "daily_activity" });
    const ack = (await (await deliver(running.url, notification)).json()) as { id: number };
    const message = await socket.next();
    expect(message.type).toBe("event");
    expect(message.event).toMatchObject({ id: ack.id, data_type: "daily_activity", object_id: notification.object_id });

    expect((await deliver(running.url, notification)).status).toBe(200);
    const later = sampleNotification();
    await deliver(running.url, later);
    // The next message is the later event: the redelivery in between published nothing.
    expect((await socket.next()).event.object_id).toBe(later.object_id);
    expect(socket.pending()).toBe(0);
    socket.close();
  });

  test("?data_type= receives only that type", async () => {
    const sleepOnly = await openSocket(wsUrl("?data_type=sleep"), auth);
    await deliver(running.url, sampleNotification({ data_type: "workout" }));
    const sleep = sampleNotification({ data_type: "sleep" });
    await deliver(running.url, sleep);
    expect((await sleepOnly.next()).event.object_id).toBe(sleep.object_id);
    expect(sleepOnly.pending()).toBe(0);
    sleepOnly.close();
  });

  test("an unauthenticated or wrongly authenticated socket is refused with 401", async () => {
    await expect(openSocket(wsUrl())).rejects.toThrow();
    await expect(openSocket(wsUrl(), { authorization: "Bearer not-the-token" })).rejects.toThrow();
    const upgrade = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" };
    const response = await fetch(new URL("/ws/events", running.url), { headers: upgrade });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });

  test("a plain GET (no upgrade) gets 426 JSON", async () => {
    const response = await fetch(new URL("/ws/events", running.url), { headers: auth });
    expect(response.status).toBe(426);
    expect(response.headers.get("content-type")).toContain("application/json");
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("upgrade_required");
    expect(body.error.message.length).toBeGreaterThan(0);
  });

  test("a client that stops reading is disconnected, and neither ingestion nor other clients wait for it", async () => {
    const openSockets = async () => {
      const text = await (await fetch(new URL("/metrics", running.url), { headers: auth })).text();
      return Number(/^oura_websocket_clients (\d+)$/m.exec(text)?.[1]);
    };
    const healthy = await openSocket(wsUrl(), auth);
    const before = await openSockets();
    // The stuck client holds its connection for 60 s without reading a byte; it is killed at the end of the test.
    const slow = Bun.spawn(["python3", join(import.meta.dir, "../helpers/slow-reader.py"), String(running.url.port), TEST_API_TOKEN, "60"], { stdout: "pipe" });
    try {
      await waitFor(async () => (await openSockets()) === before + 1 || undefined, 10_000, "the stuck client to connect");

      const big = "z".repeat(200_000);
      const started = performance.now();
      for (let i = 0; i < 80; i++) {
        const response = await deliver(running.url, sampleNotification({ padding: big }));
        expect(response.status).toBe(201);
      }
      const elapsed = performance.now() - started;
      for (let i = 0; i < 80; i++) expect((await healthy.next(10_000)).type).toBe("event");

      // 16 MB published while it reads nothing: the server drops it (backpressure limit) instead of buffering for it.
      await waitFor(async () => (await openSockets()) === before || undefined, 20_000, "the stuck client to be disconnected");
      expect(slow.exitCode).toBeNull();
      // Bounded by the server, not by the stuck reader (which would hold ingestion for its whole 60 s otherwise).
      expect(elapsed).toBeLessThan(15_000);
    } finally {
      healthy.close();
      slow.kill();
    }
  }, 60_000);
});
