// A real MQTT broker for tests: Debian's mosquitto (installed by `npm test` like Chromium, see system-packages.ts) on a
// free port of 127.0.0.1, persistence off, anonymous or with one user; started by each test file that needs it, stopped
// by its pid, and restartable on the same port (a broker that went away and came back without its retained messages).
import type { Subprocess } from "bun";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { freePort, waitFor } from "./ports.ts";
import { tempDir } from "./servers.ts";
import { TEST_PACKAGES } from "./system-packages.ts";

export const MOSQUITTO = TEST_PACKAGES.mosquitto;
const MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd";

export interface Broker {
  port: number;
  /** mqtt://127.0.0.1:port, or mqtts:// with `tls`. */
  url: string;
  /** With `tls`: the PEM of the test CA that signed the broker's certificate. */
  caFile?: string;
  /** Stops the broker (SIGTERM, by its pid); its retained messages are gone with it. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/** With `user`, only that user and password may connect; with `tls`, it speaks TLS only, with a certificate of a test CA. */
export async function startBroker(options: { user?: { name: string; password: string }; tls?: boolean } = {}): Promise<Broker> {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing: run the tests with \`npm test\`, which installs it`);
  const dir = tempDir("mosquitto-");
  const port = freePort();
  const lines = [`listener ${port} 127.0.0.1`, "persistence false", "log_dest stderr", "log_type error"];
  // Started as root (CI), mosquitto would switch to its own user, who may not read this test's files: it stays root.
  if (process.getuid?.() === 0) lines.push("user root");
  if (options.user) {
    const passwords = join(dir, "passwords");
    writeFileSync(passwords, "");
    const made = Bun.spawnSync([MOSQUITTO_PASSWD, "-b", passwords, options.user.name, options.user.password]);
    if (made.exitCode !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr.toString()}`);
    lines.push("allow_anonymous false", `password_file ${passwords}`);
  } else {
    lines.push("allow_anonymous true");
  }
  const caFile = options.tls ? makeCertificates(dir) : undefined;
  if (caFile) lines.push(`cafile ${caFile}`, `certfile ${join(dir, "server.pem")}`, `keyfile ${join(dir, "server.key")}`);
  const configFile = join(dir, "mosquitto.conf");
  writeFileSync(configFile, `${lines.join("\n")}\n`);
  let child: Subprocess | undefined;
  const broker: Broker = {
    port,
    url: `${caFile ? "mqtts" : "mqtt"}://127.0.0.1:${port}`,
    caFile,
    async start() {
      child = Bun.spawn([MOSQUITTO, "-c", configFile], { stdout: "ignore", stderr: "pipe" });
      await waitFor(async () => {
        if (child!.exitCode !== null) throw new Error(`mosquitto exited: ${await new Response(child!.stderr as ReadableStream).text()}`);
        return canConnect(port);
      }, 5000, "mosquitto to accept connections");
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      process.kill(child.pid, "SIGTERM");
      await child.exited;
    },
  };
  await broker.start();
  process.on("exit", () => {
    if (child && child.exitCode === null) process.kill(child.pid, "SIGKILL");
  });
  return broker;
}

/** A test CA and a certificate it signed for 127.0.0.1 (P-256 keys: made in milliseconds); returns the CA's file. */
function makeCertificates(dir: string): string {
  const openssl = (...args: string[]) => {
    const made = Bun.spawnSync([TEST_PACKAGES.openssl, ...args], { cwd: dir });
    if (made.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${made.stderr.toString()}`);
  };
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...key, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Oura Streaming test CA");
  openssl("req", ...key, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
  return join(dir, "ca.pem");
}

async function canConnect(port: number): Promise<boolean> {
  try {
    const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

/** A subscriber that keeps the last message of every topic it has seen (retained ones arrive on subscribe). */
export interface Watcher {
  client: MqttClient;
  /** Topic → last payload ("" for a retained message cleared). */
  last: Map<string, string>;
  /** Topic → every payload seen, in order. */
  seen: Map<string, string[]>;
  /** Resolves with the payload once `topic` holds a message that `accept` takes. */
  until(topic: string, accept?: (payload: string) => boolean, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export async function watch(url: string, topics: string[], options: IClientOptions = {}): Promise<Watcher> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 100, ...options });
  const last = new Map<string, string>();
  const seen = new Map<string, string[]>();
  client.on("message", (topic, payload) => {
    last.set(topic, payload.toString());
    seen.set(topic, [...(seen.get(topic) ?? []), payload.toString()]);
  });
  await client.subscribeAsync(topics, { qos: 1 });
  return {
    client,
    last,
    seen,
    until(topic, accept = () => true, timeoutMs = 5000) {
      return waitFor(() => {
        const payload = last.get(topic);
        return payload !== undefined && accept(payload) ? payload : undefined;
      }, timeoutMs, `${topic} on the broker`);
    },
    close: () => client.endAsync(true),
  };
}

/**
 * What the broker retains under `topics` now: a fresh client's view, as Home Assistant gets it when it starts. The
 * broker sends retained messages right after the subscription, in order on one connection: once a marker published
 * afterwards comes back, every retained message is in.
 */
export async function retained(url: string, topics: string[], options: IClientOptions = {}): Promise<Map<string, string>> {
  const marker = `test-marker/${crypto.randomUUID()}`;
  const watcher = await watch(url, [...topics, marker], options);
  await watcher.client.publishAsync(marker, "end", { qos: 1 });
  await watcher.until(marker);
  await watcher.close();
  watcher.last.delete(marker);
  return new Map([...watcher.last].filter(([, payload]) => payload !== ""));
}
