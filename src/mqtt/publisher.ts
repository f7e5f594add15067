// Home Assistant over MQTT, the sink: a periodic job, woken by every committed event, that publishes each linked user's
// device (retained discovery configs) and the states of their entities whenever their documents, their sign-in or
// their name changed — whichever path the document came by (webhook, poll, import) — and removes the devices of users
// no longer linked. On every (re)connection it forgets what it sent, so a broker that lost its retained messages gets
// them all again. Ingest never waits for it: the job reads what is committed, at its own pace.
import type { Logger } from "../log.ts";
import { PeriodicJob } from "../jobs/periodic.ts";
import type { CommitListeners } from "../realtime/committed.ts";
import type { Event } from "../storage/events.ts";
import type { IngestPressure } from "../realtime/ingest-pressure.ts";
import type { Accounts, AccountSummary } from "../storage/accounts.ts";
import type { Documents } from "../storage/documents.ts";
import type { Settings } from "../storage/settings.ts";
import type { Clock } from "../time/clock.ts";
import { chosenName } from "../views/names.ts";
import { type ConnectionTimings, createConnection, type LinkState } from "./connection.ts";
import { discoveryMessages, type Message, removalMessages, topicsOf, userSlug } from "./discovery.ts";
import { ENTITY_KEYS, entityStates, ringOf } from "./states.ts";
import type { MqttConfig } from "./settings.ts";

/** The slugs of users that have a device in Home Assistant, kept so that one unlinked while the server was down still goes. */
const DEVICES_SETTING = "mqtt.devices";

export interface MqttTimings extends ConnectionTimings {
  /** How often the job looks for what no committed event announces (a name, a sign-in lost, an unlink; default 2 s). */
  tickMs?: number;
  /** A document committed within this long of the last pass waits for one pass after it, shared with the rest of its burst (default 200 ms). */
  settleMs?: number;
  /** The same while committed events arrive faster than ingest-pressure.ts's busy rate (default 1 s). */
  busySettleMs?: number;
}

export interface MqttStatus {
  state: LinkState;
  broker: string;
  connected_since: string | null;
  last_error: string | null;
  last_error_at: string | null;
  last_published_at: string | null;
  /** Users with a device in Home Assistant. */
  devices: number;
  /** Linked users whose latest states are not published yet. */
  pending_users: number;
}

export interface MqttPublisher {
  start(): void;
  stop(): Promise<void>;
  /** One pass now (tests call it; the job calls it on its own). */
  tick(): Promise<void>;
  status(): MqttStatus;
}

export interface MqttPublisherDeps {
  config: MqttConfig;
  accounts: Pick<Accounts, "list">;
  documents: Documents;
  settings: Settings;
  committed: CommitListeners;
  /** The server's one measure of ingest (fed by every committed event). */
  pressure: IngestPressure;
  logger: Logger;
  now: Clock;
  version: string;
  timings?: MqttTimings;
}

export function createMqttPublisher(deps: MqttPublisherDeps): MqttPublisher {
  const { config, documents, settings, logger, now } = deps;
  const topics = topicsOf(config);
  /** What each topic was last sent since this connection began: only what changed is sent again. */
  const sent = new Map<string, string>();
  /** Per user slug, what their states were read from (documents' change count, sign-in, name). */
  const readFrom = new Map<string, string>();
  let devices: Set<string> | undefined;
  /** Bumped on every connection: a pass that began on an older one records nothing. */
  let generation = 0;
  let lastPublishedAt: string | null = null;
  /** A pass that failed (a publish cut off, the database unreadable): shown beside the link's own errors. */
  let passError: { message: string; at: string } | null = null;

  const connection = createConnection(
    config,
    { availability: topics.availability, subscribe: [topics.homeAssistantStatus] },
    {
      onConnect() {
        generation++;
        sent.clear();
        readFrom.clear();
        job.wake();
      },
      onMessage(topic, payload, retained) {
        // Home Assistant started (its birth message): it has forgotten every discovered entity. A retained "online" is
        // an old birth, already answered by this connection's first pass.
        if (topic === topics.homeAssistantStatus && payload === "online" && !retained) {
          sent.clear();
          readFrom.clear();
          job.wake();
        }
      },
    },
    logger,
    now,
    deps.timings,
  );

  const nameOf = (account: AccountSummary, slug: string) => chosenName(account) ?? `Oura ${slug}`;
  const readKey = (account: AccountSummary, slug: string) => `${documents.changeCount(account.user_id)}|${account.needs_reauth}|${nameOf(account, slug)}`;

  async function knownDevices(): Promise<Set<string>> {
    devices ??= new Set(JSON.parse((await settings.getSetting(DEVICES_SETTING)) ?? "[]") as string[]);
    return devices;
  }
  const saveDevices = (known: Set<string>) => settings.putSetting(DEVICES_SETTING, JSON.stringify([...known].sort()));

  /** Sends what differs from what this connection already carried, and records it once the broker has it. */
  async function send(messages: Message[], pass: number): Promise<void> {
    const changed = messages.filter((m) => sent.get(m.topic) !== m.payload);
    if (changed.length === 0) return;
    await connection.publish(changed);
    if (pass !== generation) return;
    for (const m of changed) sent.set(m.topic, m.payload);
    lastPublishedAt = new Date(now()).toISOString();
  }

  async function userMessages(account: AccountSummary, slug: string): Promise<Message[]> {
    const [ring, states] = await Promise.all([ringOf(documents, account.user_id), entityStates(documents, account)]);
    const configs = discoveryMessages(topics, { slug, name: nameOf(account, slug), model: ring.model, firmware: ring.firmware }, deps.version);
    const values = ENTITY_KEYS.flatMap((key) => [
      { topic: topics.state(slug, key), payload: states[key]!.state },
      { topic: topics.attributes(slug, key), payload: JSON.stringify(states[key]!.attributes) },
    ]);
    return [...configs, ...values];
  }

  async function pass(): Promise<void> {
    if (!connection.connected()) return;
    const current = generation;
    const linked = new Map(deps.accounts.list().map((account) => [userSlug(account.user_id), account]));
    const known = await knownDevices();
    // A device is recorded before its first config goes out: a crash in between still removes it later.
    const added = [...linked.keys()].filter((slug) => !known.has(slug));
    if (added.length) {
      for (const slug of added) known.add(slug);
      await saveDevices(known);
    }
    for (const slug of [...known].filter((slug) => !linked.has(slug))) {
      await send(removalMessages(topics, slug), current);
      if (current !== generation) return;
      known.delete(slug);
      readFrom.delete(slug);
      await saveDevices(known);
      logger.info("mqtt.device_removed", { device: slug });
    }
    for (const [slug, account] of linked) {
      if (current !== generation || !connection.connected()) return;
      const key = readKey(account, slug);
      if (readFrom.get(slug) === key) continue;
      await send(await userMessages(account, slug), current);
      if (current === generation) readFrom.set(slug, key);
    }
  }

  const job = new PeriodicJob(
    "mqtt.publish",
    () =>
      pass().then(
        () => (passError = null),
        (error: unknown) => {
          passError = { message: error instanceof Error ? error.message : String(error), at: new Date(now()).toISOString() };
          throw error;
        },
      ),
    logger,
  );
  let unlisten: (() => void) | undefined;
  let settling: ReturnType<typeof setTimeout> | undefined;
  let lastWokenAt = Number.NEGATIVE_INFINITY;
  // The first document of a quiet spell is published at once (on the next turn, off ingest's path); the others of a
  // burst (an import's thousands) wait for the one pass settleMs after it — busySettleMs while ingest is busy, when
  // a pass per fifth of a second would take the core from the webhooks (Home Assistant needs no more than one a second).
  const wakeSoon = (event: Event) => {
    if (settling || (event.fetch_status !== "fetched" && event.event_type !== "delete")) return;
    const spacing = deps.pressure.busy() ? (deps.timings?.busySettleMs ?? 1000) : (deps.timings?.settleMs ?? 200);
    const wait = Math.max(0, lastWokenAt + spacing - performance.now());
    settling = setTimeout(() => {
      settling = undefined;
      lastWokenAt = performance.now();
      job.wake();
    }, wait);
  };

  return {
    start() {
      connection.start();
      unlisten = deps.committed.add(wakeSoon);
      job.start(deps.timings?.tickMs ?? 2000);
    },
    async stop() {
      unlisten?.();
      clearTimeout(settling);
      // The link first: a pass waiting for acknowledgements ends when it closes.
      await connection.stop();
      await job.stop();
    },
    tick: () => job.tick(),
    status() {
      const link = connection.status();
      let pending = 0;
      let linkedCount = 0;
      try {
        const accounts = deps.accounts.list();
        linkedCount = accounts.length;
        pending = accounts.filter((account) => {
          const slug = userSlug(account.user_id);
          return readFrom.get(slug) !== readKey(account, slug);
        }).length;
      } catch {
        // The database unreadable: the link's own state is still worth showing.
      }
      // The newer of the link's last error and the last failed pass.
      const error = passError && (link.last_error_at === null || passError.at > link.last_error_at) ? { last_error: passError.message, last_error_at: passError.at } : {};
      return { ...link, ...error, broker: config.brokerUrl, last_published_at: lastPublishedAt, devices: devices?.size ?? linkedCount, pending_users: pending };
    },
  };
}
