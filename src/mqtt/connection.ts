// The link to the broker: one mqtt.js client, its last will, reconnects with a doubling back-off (a broker down or
// refusing is asked again, less and less often), and the link's state in words for /health and the dashboard.
// It publishes what it is given; what and when is publisher.ts's business.
import { readFileSync } from "node:fs";
import mqtt, { type MqttClient } from "mqtt";
import { maskSecrets } from "../auth/mask-secrets.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../time/clock.ts";
import type { Message } from "./discovery.ts";
import type { MqttConfig } from "./settings.ts";

/** connecting: the first attempt is under way; refused: the broker said no (credentials); disconnected: unreachable or lost. */
export type LinkState = "connecting" | "connected" | "refused" | "disconnected" | "stopped";

export interface LinkStatus {
  state: LinkState;
  connected_since: string | null;
  last_error: string | null;
  last_error_at: string | null;
}

export interface ConnectionTimings {
  /** First wait before connecting again after a failure; doubled after each failure up to maxReconnectMs (default 1 s). */
  reconnectMs?: number;
  /** Longest wait between two attempts (default 60 s). */
  maxReconnectMs?: number;
  /** Seconds between pings: how soon the broker notices a server that vanished without closing its socket (default 30). */
  keepaliveSeconds?: number;
}

export interface Connection {
  start(): void;
  /** Sends each message retained at QoS 1; rejects when the link is lost before the broker acknowledged them all. */
  publish(messages: Message[]): Promise<void>;
  connected(): boolean;
  status(): LinkStatus;
  /** Says "offline" on the availability topic when it can, then closes. */
  stop(): Promise<void>;
}

export interface ConnectionEvents {
  /** Every (re)connection: a broker that restarted without persistence has forgotten every retained message. */
  onConnect(): void;
  /** A message on a subscribed topic (Home Assistant's birth message). */
  onMessage(topic: string, payload: string, retained: boolean): void;
}

const ONLINE = "online";
const OFFLINE = "offline";

export function createConnection(config: MqttConfig, topics: { availability: string; subscribe: string[] }, events: ConnectionEvents, logger: Logger, now: Clock, timings: ConnectionTimings = {}): Connection {
  const firstDelay = timings.reconnectMs ?? 1000;
  const longestDelay = Math.max(firstDelay, timings.maxReconnectMs ?? 60_000);
  let delay = firstDelay;
  // Read now, while the server is starting: a wrong path stops the start instead of a connection that never works.
  const ca = config.caFile ? readCa(config.caFile) : undefined;
  let client: MqttClient | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopping = false;
  const status: LinkStatus = { state: "connecting", connected_since: null, last_error: null, last_error_at: null };
  /** Rejected when the connection in use closes: a publish waits for its acknowledgements or for this. */
  let lost = Promise.withResolvers<never>();
  lost.promise.catch(() => {});

  const iso = () => new Date(now()).toISOString();
  const failed = (error: Error & { code?: unknown }) => {
    // The broker's refusal (a CONNACK code: a wrong password, a client id not allowed) is retried like an outage, but said apart.
    const refused = /^Connection refused/i.test(error.message);
    status.state = refused ? "refused" : "disconnected";
    status.last_error = maskSecrets(error.message || String(error.code ?? "connection failed"));
    status.last_error_at = iso();
    logger.warn("mqtt.error", { broker: config.brokerUrl, error: status.last_error });
  };

  const scheduleReconnect = () => {
    if (stopping || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (!stopping) client?.reconnect();
    }, delay);
    delay = Math.min(delay * 2, longestDelay);
  };

  return {
    start() {
      client = mqtt.connect(config.brokerUrl, {
        ...(ca ? { ca } : {}),
        clientId: config.clientId,
        username: config.username,
        password: config.password,
        clean: true,
        keepalive: timings.keepaliveSeconds ?? 30,
        // Reconnects are ours (scheduleReconnect): mqtt.js's own retry runs at one fixed period.
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        will: { topic: topics.availability, payload: Buffer.from(OFFLINE), qos: 1, retain: true },
      });
      client.on("connect", () => {
        delay = firstDelay;
        status.state = "connected";
        status.connected_since = iso();
        logger.info("mqtt.connected", { broker: config.brokerUrl });
        lost = Promise.withResolvers<never>();
        lost.promise.catch(() => {});
        client!.publish(topics.availability, ONLINE, { qos: 1, retain: true });
        if (topics.subscribe.length) client!.subscribe(topics.subscribe, { qos: 1 });
        events.onConnect();
      });
      client.on("message", (topic, payload, packet) => events.onMessage(topic, payload.toString(), packet.retain));
      client.on("error", failed);
      client.on("close", () => {
        if (status.connected_since !== null) logger.warn("mqtt.disconnected", { broker: config.brokerUrl });
        if (status.state === "connected") status.state = "disconnected";
        status.connected_since = null;
        lost.reject(new Error("the connection to the broker closed"));
        scheduleReconnect();
      });
    },

    async publish(messages) {
      const sending = client;
      if (!sending?.connected) throw new Error("not connected to the broker");
      await Promise.race([Promise.all(messages.map((m) => sending.publishAsync(m.topic, m.payload, { qos: 1, retain: true }))), lost.promise]);
    },

    connected: () => client?.connected === true,

    status: () => ({ ...status }),

    async stop() {
      stopping = true;
      clearTimeout(retry);
      const closing = client;
      if (!closing) return;
      // A stop says so at once (the last will is for a death); a broker out of reach gets a second, not more.
      if (closing.connected) await Promise.race([closing.publishAsync(topics.availability, OFFLINE, { qos: 1, retain: true }).catch(() => {}), Bun.sleep(1000)]);
      await Promise.race([closing.endAsync(false).catch(() => {}), Bun.sleep(1000)]);
      if (!closing.disconnected) await closing.endAsync(true).catch(() => {});
      status.state = "stopped";
      status.connected_since = null;
    },
  };
}

/** The private CA's PEM, read once at start: a file that cannot be read stops the start with a sentence saying which. */
function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`MQTT_CA_FILE: cannot read ${path} (${(error as { code?: string }).code ?? String(error)})`);
  }
}
