// The server's availability as Home Assistant reads it, with the server in its own process: "online" while it runs,
// "offline" published by the broker (the last will) when the process is killed with -9 and can say nothing itself,
// and "offline" said by the server itself on a graceful stop.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type Broker, startBroker, type Watcher, watch } from "../helpers/mosquitto.ts";
import { waitFor } from "../helpers/ports.ts";
import { spawnServer, tempDir } from "../helpers/servers.ts";

const AVAILABILITY = "oura_streaming/status";
let broker: Broker;
let watcher: Watcher;

beforeAll(async () => {
  broker = await startBroker();
  watcher = await watch(broker.url, [AVAILABILITY]);
});
afterAll(async () => {
  await watcher?.close();
  await broker?.stop();
});

describe("availability", () => {
  test("kill -9: the broker publishes the last will, and Home Assistant's entities go unavailable", async () => {
    const server = await spawnServer({ MQTT_URL: broker.url, DATABASE_PATH: join(tempDir(), "will.db") });
    try {
      expect(await watcher.until(AVAILABILITY, (p) => p === "online")).toBe("online");
      server.process.kill("SIGKILL");
      await server.process.exited;
      // The broker notices the closed socket at once (no keepalive to wait out) and publishes the will, retained.
      expect(await watcher.until(AVAILABILITY, (p) => p === "offline", 3000)).toBe("offline");
    } finally {
      await server.stop("SIGKILL");
    }
  });

  test("a graceful stop says offline itself", async () => {
    const server = await spawnServer({ MQTT_URL: broker.url, DATABASE_PATH: join(tempDir(), "stop.db") });
    expect(await watcher.until(AVAILABILITY, (p) => p === "online")).toBe("online");
    const before = watcher.seen.get(AVAILABILITY)!.length;
    expect(await server.stop("SIGTERM")).toBe(0);
    await waitFor(() => watcher.seen.get(AVAILABILITY)!.length > before, 3000, "a message after the stop");
    expect(watcher.seen.get(AVAILABILITY)!.slice(before)).toEqual(["offline"]);
  });
});
