// The MQTT settings as an operator writes them, checked once at start: the broker's URL (mqtt:// or mqtts://, with or
// without user:password in it), the credentials given apart, the client id and the two topic prefixes. Each refusal
// names its variable; the password is never part of a message or of the broker address shown anywhere.
import { accessSync, constants, statSync } from "node:fs";

export interface MqttConfig {
  /** The broker's URL without credentials: what /health and the dashboard show. */
  brokerUrl: string;
  username?: string;
  password?: string;
  clientId: string;
  /** mqtts:// with a private CA: the PEM file of that CA (read when the connection starts). */
  caFile?: string;
  /** Where this server's states, attributes and availability go: `<topicPrefix>/…`. */
  topicPrefix: string;
  /** Home Assistant's discovery prefix (its default is `homeassistant`). */
  discoveryPrefix: string;
}

export interface MqttEnv {
  MQTT_URL?: string;
  MQTT_USERNAME?: string;
  MQTT_PASSWORD?: string;
  MQTT_CLIENT_ID?: string;
  MQTT_CA_FILE?: string;
  MQTT_TOPIC_PREFIX: string;
  MQTT_DISCOVERY_PREFIX: string;
}

/** Topic levels without MQTT's wildcards or empty levels: `oura_streaming`, `home/oura`. */
const readable = (path: string) => {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

const TOPIC_PREFIX = /^[^/+#\s]+(\/[^/+#\s]+)*$/;

/** Undefined when MQTT_URL is unset (MQTT is off); else the settings, or every problem found. */
export function readMqtt(e: MqttEnv): { ok: true; value: MqttConfig } | { ok: false; errors: string[] } | undefined {
  if (!e.MQTT_URL) return undefined;
  const errors: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(e.MQTT_URL.trim());
  } catch {
    errors.push("MQTT_URL: not a URL; expected mqtt://host:1883 or mqtts://host:8883 (user and password may be in it)");
  }
  if (url && url.protocol !== "mqtt:" && url.protocol !== "mqtts:") errors.push(`MQTT_URL: expected mqtt:// or mqtts://, not ${url.protocol}//`);
  if (url && !url.hostname) errors.push("MQTT_URL: no host; expected mqtt://host:1883");
  if (url && e.MQTT_CA_FILE && url.protocol !== "mqtts:") errors.push("MQTT_CA_FILE: only used with mqtts://; set MQTT_URL to mqtts://host:8883, or unset MQTT_CA_FILE");
  if (url?.protocol === "mqtts:" && e.MQTT_CA_FILE && !readable(e.MQTT_CA_FILE)) errors.push(`MQTT_CA_FILE: cannot read ${e.MQTT_CA_FILE}; give the PEM file of the broker's certificate authority, or unset it to use the system's CAs`);
  if (url && url.pathname !== "" && url.pathname !== "/") errors.push("MQTT_URL: expected the broker alone, without a path (the topics are set by MQTT_TOPIC_PREFIX)");
  for (const [name, prefix] of [["MQTT_TOPIC_PREFIX", e.MQTT_TOPIC_PREFIX], ["MQTT_DISCOVERY_PREFIX", e.MQTT_DISCOVERY_PREFIX]] as const) {
    if (!TOPIC_PREFIX.test(prefix)) errors.push(`${name}: "${prefix}" is not a topic prefix (levels separated by /, no + or #, no empty level)`);
  }
  if (errors.length > 0 || !url) return { ok: false, errors };
  const username = e.MQTT_USERNAME ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = e.MQTT_PASSWORD ?? (url.password ? decodeURIComponent(url.password) : undefined);
  const port = url.port || (url.protocol === "mqtts:" ? "8883" : "1883");
  return {
    ok: true,
    value: {
      brokerUrl: `${url.protocol}//${url.hostname.includes(":") && !url.hostname.startsWith("[") ? `[${url.hostname}]` : url.hostname}:${port}`,
      username,
      password,
      // Stable across restarts, so the broker sees one client coming back (and drops the older connection).
      clientId: e.MQTT_CLIENT_ID ?? `oura-streaming-${e.MQTT_TOPIC_PREFIX.replaceAll("/", "-")}`,
      caFile: e.MQTT_CA_FILE,
      topicPrefix: e.MQTT_TOPIC_PREFIX,
      discoveryPrefix: e.MQTT_DISCOVERY_PREFIX,
    },
  };
}
