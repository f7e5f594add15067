// Home Assistant over MQTT against a real broker (mosquitto) and a real server: what a Home Assistant subscribed to
// the broker would read — the retained discovery configs of one device per linked user, and the states that follow
// each document whichever way it came (a webhook's fetch, a poll, an import) — and what happens when the broker goes
// away, comes back, or refuses the password: ingest carries on, /health and the dashboard say so.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { FakeOura } from "../fake-oura.ts";
import * as oura from "../fixtures/oura-documents.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { type Broker, retained, startBroker, type Watcher, watch } from "../helpers/mosquitto.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";
import { userSlug } from "../../src/mqtt/discovery.ts";
import type { RunningServer } from "../../src/server.ts";

const WEARER = "WEARER-NY";
const OTHER = "WEARER-OTHER";
const TIMINGS = { mqtt: { tickMs: 50, reconnectMs: 50, maxReconnectMs: 200 }, fetcher: { intervalMs: 20 } };
const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
const today = new Date().toISOString().slice(0, 10);

/**
 * Home Assistant's rules for the device classes used (homeassistant/components/sensor/const.py: DEVICE_CLASS_UNITS,
 * DEVICE_CLASS_STATE_CLASSES, NON_NUMERIC_DEVICE_CLASSES), written out here so the test checks against them, not
 * against our own catalogue.
 */
const HA_SENSOR_RULES: Record<string, { units: (string | undefined)[]; stateClasses: (string | undefined)[] }> = {
  duration: { units: ["d", "h", "min", "s", "ms"], stateClasses: ["measurement", "total", "total_increasing", undefined] },
  energy: { units: ["J", "kJ", "MJ", "GJ", "mWh", "Wh", "kWh", "MWh", "GWh", "TWh", "cal", "kcal", "Mcal", "Gcal"], stateClasses: ["total", "total_increasing"] },
  temperature_delta: { units: ["°C", "°F", "K"], stateClasses: ["measurement"] },
  timestamp: { units: [undefined], stateClasses: [undefined] },
  enum: { units: [undefined], stateClasses: [undefined] },
};
/** binary_sensor device classes Home Assistant has (a subset: the ones that could mean "needs sign-in"). */
const HA_BINARY_CLASSES = ["problem", "connectivity", "safety"];

/** What the issue asks for, and the entity key each one has: the device must have every one. */
const REQUIRED = {
  sensor: [
    "sleep_score", "readiness_score", "activity_score", "steps", "active_calories", "total_sleep", "time_in_bed", "sleep_efficiency", "average_hrv",
    "lowest_heart_rate", "respiratory_rate", "temperature_deviation", "spo2", "stress_summary", "resilience_level", "vo2_max", "bedtime_start",
    "bedtime_end", "last_workout",
  ],
  binary_sensor: ["needs_sign_in"],
};

let broker: Broker;
let fake: FakeOura;
let running: RunningServer;
let base: string;
let env: Record<string, string>;
let watcher: Watcher;
const slug = userSlug(WEARER);
const otherSlug = userSlug(OTHER);
const stateTopic = (key: string, of = slug) => `oura_streaming/${of}/${key}/state`;
const attributesOf = (key: string, of = slug) => JSON.parse(watcher.last.get(`oura_streaming/${of}/${key}/attributes`) ?? "null") as Record<string, unknown> | null;
/** The attributes once they name `day` (they follow their state, a message later). */
const attributesOfDay = async (key: string, day: string) => {
  await waitFor(() => attributesOf(key)?.day === day, 5000, `${key}'s attributes of ${day}`);
  return attributesOf(key);
};
const configsOf = (messages: Map<string, string>, of: string) =>
  new Map([...messages].filter(([topic]) => topic.startsWith("homeassistant/") && topic.includes(`/oura_${of}/`)).map(([topic, payload]) => [topic, JSON.parse(payload) as Record<string, any>]));

async function notify(userId: string, dataType: string, objectId: string, eventType = "create") {
  const response = await fake.deliver(`${base}/webhooks`, { event_type: eventType, data_type: dataType, object_id: objectId, event_time: new Date().toISOString(), user_id: userId });
  expect(response.status).toBeLessThan(300);
  return ((await response.json()) as { id: number }).id;
}

async function health() {
  return (await (await fetch(`${base}/health`, { headers: auth })).json()) as { mqtt: Record<string, any> | null };
}

async function link(server: RunningServer, userId: string) {
  const issued = fake.issueTokens(userId);
  await server.deps.accounts.link(userId, { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresInSeconds: issued.expires_in }, `${userId.toLowerCase()}@example.com`);
}

beforeAll(async () => {
  broker = await startBroker();
  fake = new FakeOura().start();
  // Polled at start: today's activity, which only the poll brings.
  fake.putDocument(WEARER, "daily_activity", { ...oura.dailyActivity, id: "activity-today", day: today, steps: 4321 });
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  env = {
    ...fake.env(),
    API_TOKEN: TEST_API_TOKEN,
    PORT: String(port),
    PUBLIC_URL: base,
    DATABASE_PATH: join(tempDir(), "mqtt.db"),
    APP_SECRET_KEY: "mqtt-test-app-secret-key-0123456789abcdef",
    POLLING_ENABLED: "true",
    POLL_DATA_TYPES: "daily_activity",
    MQTT_URL: broker.url,
  };
  watcher = await watch(broker.url, ["homeassistant/#", "oura_streaming/#"]);
  running = await startTestServer(env, TIMINGS);
  await link(running, WEARER);
  await link(running, OTHER);
});
afterAll(async () => {
  await running?.stop();
  await watcher?.close();
  await broker?.stop();
  fake?.stop();
});

describe("discovery", () => {
  test("one device per linked user, every required entity, unique_ids, and device/state classes and units as Home Assistant documents them", async () => {
    await waitFor(() => configsOf(watcher.last, slug).size === 20 && configsOf(watcher.last, otherSlug).size === 20, 5000, "both devices' configs");
    const configs = configsOf(await retained(broker.url, ["homeassistant/#"]), slug);
    for (const [component, keys] of Object.entries(REQUIRED)) {
      for (const key of keys) {
        const config = configs.get(`homeassistant/${component}/oura_${slug}/${key}/config`);
        expect(config, `${component} ${key}`).toBeDefined();
        expect(config!.unique_id).toBe(`oura_${slug}_${key}`);
        expect(config!.state_topic).toBe(stateTopic(key));
        expect(config!.availability_topic).toBe("oura_streaming/status");
        expect(config!.device).toMatchObject({ identifiers: [`oura_${slug}`], name: "wearer-ny@example.com", manufacturer: "Oura" });
      }
    }
    for (const config of configs.values()) {
      if (config.device_class === undefined) {
        // Scores, counts and values without a class of their own: a number with (at most) a unit, or a text.
        expect([undefined, "measurement", "total_increasing"]).toContain(config.state_class);
        continue;
      }
      if (config.unique_id.endsWith("needs_sign_in")) {
        expect(HA_BINARY_CLASSES).toContain(config.device_class);
        continue;
      }
      const rules = HA_SENSOR_RULES[config.device_class];
      expect(rules, config.device_class).toBeDefined();
      expect(rules!.units).toContain(config.unit_of_measurement);
      expect(rules!.stateClasses).toContain(config.state_class);
    }
    // The issue's units: durations in minutes, timestamps for bedtimes, none for scores.
    expect(configs.get(`homeassistant/sensor/oura_${slug}/total_sleep/config`)).toMatchObject({ device_class: "duration", unit_of_measurement: "min" });
    expect(configs.get(`homeassistant/sensor/oura_${slug}/bedtime_start/config`)).toMatchObject({ device_class: "timestamp" });
    expect(configs.get(`homeassistant/sensor/oura_${slug}/sleep_score/config`)!.unit_of_measurement).toBeUndefined();
    expect(configs.get(`homeassistant/sensor/oura_${slug}/stress_summary/config`)!.options).toEqual(["restored", "normal", "stressful"]);
  });

  test("the device is named by the display name once set, and its model comes from ring_configuration", async () => {
    // The ring worn now, and the one it replaced.
    const oldRing = { ...oura.ringConfiguration, id: "old-ring", hardware_type: "gen2", firmware_version: "1.0.0", set_up_at: "2021-05-01T08:00:00+00:00" };
    for (const ring of [oura.ringConfiguration, oldRing]) {
      fake.putDocument(WEARER, "ring_configuration", ring);
      await notify(WEARER, "ring_configuration", ring.id);
    }
    await running.deps.accounts.setDisplayName(WEARER, "Alex");
    const config = await watcher.until(`homeassistant/sensor/oura_${slug}/sleep_score/config`, (p) => JSON.parse(p).device.name === "Alex" && JSON.parse(p).device.model.includes("gen3"));
    expect(JSON.parse(config).device).toEqual({ identifiers: [`oura_${slug}`], name: "Alex", manufacturer: "Oura", model: "Oura Ring gen3 (heritage, brushed silver)", sw_version: "2.9.21" });
  });
});

describe("states", () => {
  test("after a webhook's fetch: the score, with the document's day in the attributes", async () => {
    fake.putDocument(WEARER, "daily_sleep", oura.dailySleep);
    await notify(WEARER, "daily_sleep", oura.dailySleep.id);
    expect(await watcher.until(stateTopic("sleep_score"), (p) => p === "76")).toBe("76");
    expect(await attributesOfDay("sleep_score", "2026-01-18")).toEqual({ day: "2026-01-18" });
  });

  test("after a poll: today's steps", async () => {
    // A poll now, as its loop would run it (the users were linked after the server's first one).
    await running.deps.sync!.poller!.tick();
    expect(await watcher.until(stateTopic("steps"), (p) => p === "4321")).toBe("4321");
    expect(await attributesOfDay("steps", today)).toEqual({ day: today });
  });

  test("after an import: VO2 max", async () => {
    fake.putDocument(WEARER, "vO2_max", oura.vo2Max);
    const response = await fetch(`${base}/backfill`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ user_id: WEARER, start_date: "2026-01-10", end_date: "2026-01-20", data_types: ["vo2_max"] }),
    });
    expect(response.status).toBeLessThan(300);
    expect(await watcher.until(stateTopic("vo2_max"), (p) => p === "43")).toBe("43");
    expect(await attributesOfDay("vo2_max", "2026-01-17")).toEqual({ day: "2026-01-17" });
  });

  test("the night: minutes, bedtimes as instants with their offset, and a nap's 255 never published as the lowest heart rate", async () => {
    for (const night of [oura.sleep, oura.sleepNap, oura.sleepWithoutReadings]) {
      fake.putDocument(WEARER, "sleep", night);
      await notify(WEARER, "sleep", night.id);
    }
    await watcher.until(stateTopic("lowest_heart_rate"), (p) => p === "57");
    const minutes = String(Math.round(oura.sleep.total_sleep_duration / 60));
    expect(await watcher.until(stateTopic("total_sleep"), (p) => p === minutes)).toBe(minutes);
    expect(await watcher.until(stateTopic("bedtime_start"), (p) => p === oura.sleep.bedtime_start)).toBe(oura.sleep.bedtime_start);
    expect(await attributesOfDay("bedtime_end", "2026-01-18")).toEqual({ day: "2026-01-18" });
    // The next day has a short rest only: Oura's 255 ("no reading") is no heart rate.
    const rest = { ...oura.sleepWithoutReadings, id: "rest-2026-01-19", day: "2026-01-19" };
    fake.putDocument(WEARER, "sleep", rest);
    await notify(WEARER, "sleep", rest.id);
    await waitFor(() => attributesOf("lowest_heart_rate")?.day === "2026-01-19", 5000, "the next day's night");
    expect(watcher.last.get(stateTopic("lowest_heart_rate"))).toBe("None");
    expect(watcher.seen.get(stateTopic("lowest_heart_rate"))).not.toContain("255");
  });

  test("the last workout: the newest one's activity, its start, minutes and calories as attributes", async () => {
    // The run comes second but was the day before: the walk stays the last workout.
    for (const done of [oura.workout, oura.workoutRun]) {
      fake.putDocument(WEARER, "workout", done);
      await notify(WEARER, "workout", done.id);
    }
    await watcher.until(stateTopic("last_workout"), (p) => p === "walking");
    expect(await attributesOfDay("last_workout", "2026-01-18")).toEqual({ day: "2026-01-18", start: oura.workout.start_datetime, minutes: 52, calories: 187.412, distance_m: null, intensity: "moderate" });
    const later = { ...oura.workoutRun, id: "run-2026-01-19", day: "2026-01-19", start_datetime: "2026-01-19T07:00:00-05:00", end_datetime: "2026-01-19T07:40:00-05:00" };
    fake.putDocument(WEARER, "workout", later);
    await notify(WEARER, "workout", later.id);
    // A label the wearer gave wins over the activity's name.
    expect(await watcher.until(stateTopic("last_workout"), (p) => p === "Park loop")).toBe("Park loop");
  });

  test("a change is published again", async () => {
    const changed = { ...oura.dailySleep, score: 81 };
    fake.putDocument(WEARER, "daily_sleep", changed);
    await notify(WEARER, "daily_sleep", changed.id, "update");
    expect(await watcher.until(stateTopic("sleep_score"), (p) => p === "81")).toBe("81");
  });

  test("a wearer's data goes only under their own device", async () => {
    const theirs = { ...oura.dailyReadiness, id: "other-readiness", score: 41 };
    fake.putDocument(OTHER, "daily_readiness", theirs);
    await notify(OTHER, "daily_readiness", theirs.id);
    expect(await watcher.until(stateTopic("readiness_score", otherSlug), (p) => p === "41")).toBe("41");
    expect(watcher.seen.get(stateTopic("readiness_score")) ?? []).not.toContain("41");
    expect(watcher.last.get(stateTopic("sleep_score", otherSlug))).toBe("None");
  });

  test("needs sign-in turns on when Oura refused the user's refresh token", async () => {
    await running.deps.accounts.markNeedsReauth(OTHER, "refresh token refused");
    expect(await watcher.until(stateTopic("needs_sign_in", otherSlug), (p) => p === "ON")).toBe("ON");
  });
});

describe("when it publishes", () => {
  test("woken by the committed event: with a tick of a minute, a webhook's document is published at once", async () => {
    const port = freePort();
    const server = await startTestServer({ ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, DATABASE_PATH: join(tempDir(), "wake.db"), POLLING_ENABLED: "false", MQTT_TOPIC_PREFIX: "wake", MQTT_CLIENT_ID: "wake" }, { ...TIMINGS, mqtt: { ...TIMINGS.mqtt, tickMs: 60_000 } });
    const wakeWatcher = await watch(broker.url, ["wake/#"]);
    try {
      await link(server, "WAKE-USER");
      const readiness = { ...oura.dailyReadiness, id: "wake-readiness", score: 67 };
      fake.putDocument("WAKE-USER", "daily_readiness", readiness);
      const response = await fake.deliver(`http://127.0.0.1:${port}/webhooks`, { event_type: "create", data_type: "daily_readiness", object_id: readiness.id, event_time: new Date().toISOString(), user_id: "WAKE-USER" });
      expect(response.status).toBe(201);
      expect(await wakeWatcher.until(`wake/${userSlug("WAKE-USER")}/readiness_score/state`, (p) => p === "67", 3000)).toBe("67");
    } finally {
      await wakeWatcher.close();
      await server.stop();
    }
  });

  test("Home Assistant's birth message (homeassistant/status online): every config is sent again", async () => {
    const topic = `homeassistant/sensor/oura_${slug}/sleep_score/config`;
    const config = await watcher.until(topic, (p) => p !== "");
    // As a Home Assistant that lost its discovered entities (and a broker that lost the config) would see it.
    await watcher.client.publishAsync(topic, "", { qos: 1, retain: true });
    await watcher.until(topic, (p) => p === "");
    await watcher.client.publishAsync("homeassistant/status", "online", { qos: 1 });
    expect(await watcher.until(topic, (p) => p !== "")).toBe(config);
  });
});

describe("the broker away, a restart, an unlink", () => {
  test("broker stopped: webhooks are still stored, /health and the dashboard say so; back: it reconnects and publishes everything again", async () => {
    await broker.stop();
    await waitFor(async () => (await health()).mqtt?.state === "disconnected", 5000, "/health to show the broker down");
    expect(await (await fetch(`${base}/metrics`, { headers: auth })).text()).toMatch(/^oura_mqtt_connected 0$/m);
    // Oura has the document before it notifies (put after, a fetch under load could find nothing yet: a 404, missing).
    fake.putDocument(WEARER, "daily_stress", oura.dailyStress);
    const id = await notify(WEARER, "daily_stress", oura.dailyStress.id);
    expect(id).toBeGreaterThan(0);
    const dashboard = await (await fetch(`${base}/dashboard`, { headers: auth })).text();
    expect(dashboard).toContain("Home Assistant (MQTT)");
    expect(dashboard).toMatch(new RegExp(`id="mqtt-status">cannot reach ${broker.url.replaceAll(".", "\\.")}`));
    await broker.start();
    await waitFor(async () => (await health()).mqtt?.state === "connected", 5000, "a reconnection");
    expect(await (await fetch(`${base}/metrics`, { headers: auth })).text()).toMatch(/^oura_mqtt_connected 1$/m);
    // The broker kept nothing (no persistence): a fresh client sees it all again, the stress stored meanwhile included.
    await waitFor(async () => (await retained(broker.url, [stateTopic("stress_summary")])).get(stateTopic("stress_summary")) === "restored", 5000, "the states again");
    const again = await retained(broker.url, ["homeassistant/#", "oura_streaming/#"]);
    expect(configsOf(again, slug).size).toBe(20);
    expect(again.get(stateTopic("sleep_score"))).toBe("81");
    expect(again.get("oura_streaming/status")).toBe("online");
    const status = (await health()).mqtt!;
    expect(status).toMatchObject({ broker: broker.url, devices: 2 });
    expect(status.connected_since).not.toBeNull();
  });

  test("unique_ids are the same after a restart; a user unlinked while MQTT was off is removed at the next start", async () => {
    const before = await retained(broker.url, ["homeassistant/#"]);
    await running.stop();
    // A state the broker lost while the server was down comes back with the next start.
    await watcher.client.publishAsync(stateTopic("sleep_score"), "", { qos: 1, retain: true });
    // The same database without MQTT: OTHER unlinks meanwhile.
    const { MQTT_URL: _, ...withoutMqtt } = env;
    running = await startTestServer(withoutMqtt, TIMINGS);
    expect((await fetch(`${base}/auth/users/${OTHER}`, { method: "DELETE", headers: auth })).status).toBe(200);
    await running.stop();
    running = await startTestServer(env, TIMINGS);
    await waitFor(async () => configsOf(await retained(broker.url, ["homeassistant/#"]), otherSlug).size === 0, 5000, "OTHER's device to go");
    await waitFor(async () => (await retained(broker.url, [stateTopic("sleep_score")])).get(stateTopic("sleep_score")) === "81", 5000, "the lost state back");
    const after = await retained(broker.url, ["homeassistant/#", "oura_streaming/#"]);
    const ids = (messages: Map<string, string>) => [...configsOf(messages, slug).values()].map((c) => c.unique_id).sort();
    expect(ids(after)).toEqual(ids(before));
    expect(ids(after).length).toBe(20);
    // Their states went too: nothing of OTHER is retained.
    expect([...after.keys()].filter((topic) => topic.includes(otherSlug))).toEqual([]);
    await waitFor(async () => (await health()).mqtt!.devices === 1, 5000, "one device left in /health");
  });

  test("unlinked now: empty retained configs, the device disappears", async () => {
    expect((await fetch(`${base}/auth/users/${WEARER}?purge=true`, { method: "DELETE", headers: auth })).status).toBe(200);
    await waitFor(async () => configsOf(await retained(broker.url, ["homeassistant/#"]), slug).size === 0, 5000, "WEARER's device to go");
    expect(watcher.last.get(`homeassistant/sensor/oura_${slug}/sleep_score/config`)).toBe("");
  });
});

describe("a broker that refuses the password", () => {
  test("the refusal is in /health (no password shown), retried, and ingest is unaffected", async () => {
    const guarded = await startBroker({ user: { name: "ha", password: "right-password" } });
    const server = await startTestServer({ MQTT_URL: `mqtt://ha:wrong-password@127.0.0.1:${guarded.port}`, API_TOKEN: TEST_API_TOKEN }, TIMINGS);
    try {
      const url = server.url;
      const healthOf = async () => (await (await fetch(new URL("/health", url), { headers: auth })).json()) as { mqtt: Record<string, any> };
      const refused = await waitFor(async () => ((await healthOf()).mqtt.state === "refused" ? (await healthOf()).mqtt : undefined), 5000, "the refusal");
      expect(refused.last_error).toMatch(/not authorized|bad user name or password/i);
      expect(refused.broker).toBe(`mqtt://127.0.0.1:${guarded.port}`);
      expect(JSON.stringify(await healthOf())).not.toContain("wrong-password");
      // Asked again (with a back-off), refused again.
      await waitFor(async () => (await healthOf()).mqtt.last_error_at > refused.last_error_at, 5000, "another attempt");
      const anonymous = (await (await fetch(new URL("/health", url))).json()) as Record<string, unknown>;
      expect(anonymous.mqtt).toBeUndefined();
      expect((await deliver(url, sampleNotification())).status).toBe(201);
      expect(await server.deps.events.countEvents()).toBe(1);
      const dashboard = await (await fetch(new URL("/dashboard", url), { headers: auth })).text();
      expect(dashboard).toMatch(/id="mqtt-status">refused by mqtt:\/\/127\.0\.0\.1:\d+: Connection refused/);
    } finally {
      await server.stop();
      await guarded.stop();
    }
  });
});
