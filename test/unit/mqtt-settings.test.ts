// MQTT_* as an operator writes them: off when MQTT_URL is unset; the broker's URL checked at start with a sentence
// naming the variable; credentials from the URL or apart (apart wins); the password never in what is shown.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";

const mqttOf = (env: Record<string, string>) => {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config.mqtt;
};
const errorsOf = (env: Record<string, string>) => {
  const result = loadConfig(env);
  return result.ok ? [] : result.errors;
};

describe("MQTT settings", () => {
  test("off when MQTT_URL is unset or blank", () => {
    expect(mqttOf({})).toBeUndefined();
    expect(mqttOf({ MQTT_URL: " " })).toBeUndefined();
  });

  test("defaults: port 1883 (8883 for mqtts), prefixes oura_streaming and homeassistant, a client id that is the same on every start", () => {
    expect(mqttOf({ MQTT_URL: "mqtt://broker.local" })).toEqual({
      brokerUrl: "mqtt://broker.local:1883",
      username: undefined,
      password: undefined,
      clientId: "oura-streaming-oura_streaming",
      topicPrefix: "oura_streaming",
      discoveryPrefix: "homeassistant",
    });
    expect(mqttOf({ MQTT_URL: "mqtts://broker.local" })!.brokerUrl).toBe("mqtts://broker.local:8883");
  });

  test("user and password from the URL (percent-decoded), or apart, which wins; the broker shown without them", () => {
    const inUrl = mqttOf({ MQTT_URL: "mqtt://ha:p%40ss@homeassistant.local:1883" })!;
    expect(inUrl).toMatchObject({ brokerUrl: "mqtt://homeassistant.local:1883", username: "ha", password: "p@ss" });
    const apart = mqttOf({ MQTT_URL: "mqtt://ha:old@homeassistant.local:1883", MQTT_USERNAME: "oura", MQTT_PASSWORD: "new" })!;
    expect(apart).toMatchObject({ brokerUrl: "mqtt://homeassistant.local:1883", username: "oura", password: "new" });
    expect(apart.brokerUrl).not.toContain("old");
  });

  test("a wrong scheme, no host, a path or a wildcard in a prefix is refused at start, naming the variable", () => {
    expect(errorsOf({ MQTT_URL: "http://broker.local:1883" })).toEqual(["MQTT_URL: expected mqtt:// or mqtts://, not http://"]);
    expect(errorsOf({ MQTT_URL: "broker.local:1883" })[0]).toStartWith("MQTT_URL:");
    expect(errorsOf({ MQTT_URL: "mqtt://broker.local/topic" })[0]).toContain("without a path");
    expect(errorsOf({ MQTT_URL: "mqtt://broker.local", MQTT_TOPIC_PREFIX: "oura/#" })[0]).toStartWith("MQTT_TOPIC_PREFIX:");
    expect(errorsOf({ MQTT_URL: "mqtt://broker.local", MQTT_DISCOVERY_PREFIX: "home//assistant" })[0]).toStartWith("MQTT_DISCOVERY_PREFIX:");
    expect(errorsOf({ MQTT_URL: "mqtt://broker.local", MQTT_TOPIC_PREFIX: "home/oura", MQTT_CLIENT_ID: "kitchen" })).toEqual([]);
    expect(errorsOf({ MQTT_URL: "mqtt://broker.local", MQTT_CA_FILE: "/etc/ssl/ca.pem" })[0]).toStartWith("MQTT_CA_FILE: only used with mqtts://");
    // A CA file the server could not read stops the start (and check-config) here, not at the first connection.
    const caFile = join(mkdtempSync(join(tmpdir(), "mqtt-ca-")), "ca.pem");
    expect(errorsOf({ MQTT_URL: "mqtts://broker.local", MQTT_CA_FILE: caFile })[0]).toStartWith(`MQTT_CA_FILE: cannot read ${caFile}`);
    writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\n");
    expect(mqttOf({ MQTT_URL: "mqtts://broker.local", MQTT_CA_FILE: caFile })!.caFile).toBe(caFile);
    // No message quotes a password.
    expect(errorsOf({ MQTT_URL: "ftp://ha:secret-pass@broker.local" }).join()).not.toContain("secret-pass");
  });
});
