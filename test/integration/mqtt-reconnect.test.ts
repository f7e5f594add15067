// The link to the broker on its own, against a real mosquitto: a broker that is not there is asked again less and
// less often (1×, 2×, 4× … the first wait, up to the longest), and once it is there the link connects, says "online",
// and the waits start again from the first.
import { afterAll, describe, expect, test } from "bun:test";
import { createLogger } from "../../src/log.ts";
import { createConnection } from "../../src/mqtt/connection.ts";
import { readMqtt } from "../../src/mqtt/settings.ts";
import { type Broker, startBroker } from "../helpers/mosquitto.ts";
import { waitFor } from "../helpers/ports.ts";

const brokers: Broker[] = [];
afterAll(async () => {
  for (const broker of brokers) await broker.stop();
});

function linkTo(url: string) {
  const attempts: number[] = [];
  const logger = createLogger("debug", { write: (line) => void (line.includes("mqtt.error") && attempts.push(Date.now())), drain: async () => {} });
  const parsed = readMqtt({ MQTT_URL: url, MQTT_TOPIC_PREFIX: "reconnect", MQTT_DISCOVERY_PREFIX: "homeassistant" });
  if (!parsed?.ok) throw new Error("bad settings");
  let connects = 0;
  const connection = createConnection(parsed.value, { availability: "reconnect/status", subscribe: [] }, { onConnect: () => void connects++, onMessage() {} }, logger, Date.now, { reconnectMs: 40, maxReconnectMs: 160 });
  return { connection, attempts, connects: () => connects };
}

describe("reconnecting", () => {
  test("waits double after each failure up to the longest; connects once the broker is back", async () => {
    const broker = await startBroker();
    brokers.push(broker);
    await broker.stop();
    const { connection, attempts, connects } = linkTo(broker.url);
    connection.start();
    try {
      await waitFor(() => attempts.length >= 6, 5000, "six failed attempts");
      expect(connection.status().state).toBe("disconnected");
      expect(connection.status().last_error).toContain("ECONNREFUSED");
      const gaps = attempts.slice(1, 6).map((at, i) => at - attempts[i]!);
      // 40, 80, 160, 160, 160 ms (timers are late, never early): growing, then capped.
      expect(gaps[0]!).toBeGreaterThanOrEqual(35);
      expect(gaps[1]!).toBeGreaterThanOrEqual(75);
      expect(gaps[2]!).toBeGreaterThanOrEqual(155);
      expect(gaps[4]!).toBeLessThan(400);
      await broker.start();
      await waitFor(() => connection.connected(), 3000, "the link back");
      expect(connects()).toBe(1);
      expect(connection.status()).toMatchObject({ state: "connected" });
    } finally {
      await connection.stop();
    }
    expect(connection.status().state).toBe("stopped");
  });
});
