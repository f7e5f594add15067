// mqtts:// to a broker whose certificate a private CA signed: trusted with MQTT_CA_FILE, refused (and said why) without
// it, and a CA file that cannot be read stops the start with a sentence naming it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { type Broker, startBroker, watch } from "../helpers/mosquitto.ts";
import { waitFor } from "../helpers/ports.ts";
import { startTestServer } from "../helpers/servers.ts";

const TIMINGS = { mqtt: { tickMs: 50, reconnectMs: 50, maxReconnectMs: 200 } };
let broker: Broker;
beforeAll(async () => {
  broker = await startBroker({ tls: true });
});
afterAll(async () => {
  await broker?.stop();
});

describe("mqtts with a private CA", () => {
  test("MQTT_CA_FILE: connected over TLS, online on the availability topic", async () => {
    const server = await startTestServer({ MQTT_URL: broker.url, MQTT_CA_FILE: broker.caFile, MQTT_TOPIC_PREFIX: "tls" }, TIMINGS);
    const watcher = await watch(broker.url, ["tls/status"], { ca: readFileSync(broker.caFile!) });
    try {
      expect(await watcher.until("tls/status", (p) => p === "online")).toBe("online");
      expect(server.deps.mqtt!.status()).toMatchObject({ state: "connected", broker: broker.url });
    } finally {
      await watcher.close();
      await server.stop();
    }
  });

  test("without it the broker's certificate is not trusted: disconnected, and the reason is shown", async () => {
    const server = await startTestServer({ MQTT_URL: broker.url, MQTT_TOPIC_PREFIX: "untrusted" }, TIMINGS);
    try {
      const status = await waitFor(() => (server.deps.mqtt!.status().last_error ? server.deps.mqtt!.status() : undefined), 5000, "the TLS failure");
      expect(status.state).toBe("disconnected");
      expect(status.last_error).toMatch(/certificate|self.signed|issuer/i);
    } finally {
      await server.stop();
    }
  });

  test("a CA file that cannot be read stops the start, naming MQTT_CA_FILE", async () => {
    await expect(startTestServer({ MQTT_URL: broker.url, MQTT_CA_FILE: "/nonexistent/ca.pem" }, TIMINGS)).rejects.toThrow("MQTT_CA_FILE: cannot read /nonexistent/ca.pem; give the PEM file");
  });
});
