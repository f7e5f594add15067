// `oura-streaming demo`: the real server wired to the built-in fake Oura, which links a sample user and then delivers
// correctly signed notifications at a steady pace. Signature, fetch, storage, WebSocket and charts all run for real.
import { FakeOura } from "../demo/fake-oura.ts";
import { dayOf, documentsForDay, heartRateSince } from "../demo/sample-data.ts";
import { createLogger } from "../log.ts";
import { startServer } from "../server.ts";
import { linkTokens } from "../auth/account-link.ts";
import { type Command, parse, UsageError } from "./args.ts";
import { configOrExit } from "./config-env.ts";
import { RECENT_IMPORT_DAYS } from "../services/imports.ts";

const RING_SYNC_MS = 10 * 60_000;

const usage = `Usage: oura-streaming demo [--polling] [--rate N] [--port P] [--days D] [--database PATH]

Starts the server with a built-in fake Oura (no account needed): a sample user is linked, D days of history
(default 30) arrive at once, then a signed notification every 1/N seconds (default --rate 1). Open the printed URL
and press "Sign in with Oura".

With --polling no webhook is sent: the server polls the fake Oura every 30 s (as on a host Oura cannot reach),
the fake's history is 90 days long (import it with "Import the last 90 days" on the dashboard and watch the
progress bar), today's documents keep being revised, an earlier day is corrected now and then, and heart-rate
samples keep arriving — so poll events, updates and a backfill can be seen without an Oura account.

  --polling        poll instead of receiving webhooks (see above)
  --rate N         notifications (with --polling: document revisions) per second (0.1 to 200)
  --port P         port to listen on (default PORT, else 8000)
  --days D         days of history to start with (0 to 90)
  --database PATH  where the demo's data goes (default ./oura_streaming_demo.db; never your DATABASE_PATH,
                   so sample data cannot mix with real data)`;

const DEMO_USER = "DEMO-USER";
const DEMO_EMAIL = "demo@example.com";
// Every type the demo's person has (vo2_max is read from Oura's path vO2_max), and heart rate.
const POLLED_TYPES = "daily_sleep,daily_readiness,daily_activity,sleep,workout,session,daily_stress,daily_resilience,daily_spo2,daily_cardiovascular_age,vo2_max,enhanced_tag,tag,heartrate";

export const demoCommand: Command = {
  name: "demo",
  summary: "run the server with a built-in fake Oura and a stream of sample data",
  usage,
  async run(argv) {
    const { values } = parse(argv, { rate: { type: "string" }, port: { type: "string" }, days: { type: "string" }, database: { type: "string" }, polling: { type: "boolean" } }, usage);
    const polling = values.polling === true;
    const rate = Number(values.rate ?? 1);
    if (!Number.isFinite(rate) || rate < 0.1 || rate > 200) throw new UsageError(`--rate must be a number from 0.1 to 200, not ${values.rate}`, usage);
    const days = Number(values.days ?? 30);
    if (!Number.isInteger(days) || days < 0 || days > 90) throw new UsageError(`--days must be a whole number from 0 to 90, not ${values.days}`, usage);
    const port = values.port ?? process.env.PORT ?? "8000";
    const portSource = values.port !== undefined ? "--port" : "PORT";
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new UsageError(`${portSource} must be a port number from 0 to 65535, not ${port}`, usage);

    // Polling: pages of ten, and a little latency, so paging happens and an import's progress can be watched.
    const fake = new FakeOura(polling ? { pageSize: 10, documentDelayMs: 30 } : {}).start();
    fake.addUser(DEMO_USER, DEMO_EMAIL);
    fake.nextAuthorizeUser = DEMO_USER;
    const filledAt = Date.now();
    if (polling) {
      // The ring's history lives at the fake Oura only: the poll reads the last days, an import the rest. It is there
      // before the server starts, or the first poll (daily_sleep first) could ask before it was.
      for (let ago = RECENT_IMPORT_DAYS - 1; ago >= 0; ago--) for (const { path, document } of documentsForDay(dayOf(ago * 86_400_000))) fake.putDocument(DEMO_USER, path, document);
      fake.putHeartRate(DEMO_USER, heartRateSince(filledAt - 3 * 86_400_000, filledAt));
    }
    const base = `http://127.0.0.1:${port}`;
    const config = configOrExit({
      ...process.env,
      ...fake.env(),
      HOST: "127.0.0.1",
      PORT: port,
      PUBLIC_URL: base,
      OURA_REDIRECT_URI: `${base}/auth/callback`,
      OURA_WEBHOOK_SECRET: "",
      DATABASE_PATH: values.database ?? "./oura_streaming_demo.db",
      OURA_INITIAL_REFRESH_TOKEN: fake.issueTokens(DEMO_USER).refresh_token,
      // Whoever runs the demo runs its server: the demo's Oura user is its operator (invitations, subscriptions).
      OPERATOR_EMAILS: process.env.OPERATOR_EMAILS || DEMO_EMAIL,
      // One line per event would push the dashboard's address off the screen within seconds.
      LOG_LEVEL: process.env.LOG_LEVEL || "warn",
      ...(polling ? { POLLING_ENABLED: "true", POLLING_INTERVAL_SECONDS: "30", POLL_DATA_TYPES: POLLED_TYPES } : {}),
    });
    const logger = createLogger(config.logLevel);
    let running;
    try {
      running = await startServer(config, logger);
    } catch (error) {
      await logger.drain();
      // Said in the demo's own terms (its flags), the reason printed last, as `serve` does.
      const reason = (error instanceof Error ? error.message : String(error)).replace(/^PORT:/, "--port:").replace(/\bDATABASE_PATH\b/g, "--database");
      console.error(`oura-streaming demo: could not start: ${reason}`);
      fake.stop();
      return 1;
    }
    const webhook = `${running.url.href.replace(/\/$/, "")}/webhooks`;
    // A demo database from an earlier run holds tokens of an earlier fake Oura (each run has its own): the demo user is
    // linked again with this run's, and what waited for a sign-in is fetched.
    const restarted = (await running.storage.events.countEvents()) > 0;
    if (running.deps.accounts.list(DEMO_USER).length > 0) await linkTokens(running.deps, running.deps.sync!, fake.issueTokens(DEMO_USER));

    let sent = 0;
    const deliver = async (dataType: string, objectId: string, eventType: "create" | "update") => {
      const response = await fake.deliver(webhook, { event_type: eventType, data_type: dataType, object_id: objectId, event_time: new Date().toISOString(), user_id: DEMO_USER });
      if (response.status >= 300) logger.warn("demo.delivery_refused", { status: response.status });
      sent++;
    };

    // Today's values move as a ring's do: a new sync every ten minutes or so, not with every notification.
    const started = Date.now();
    const syncedVersion = () => Math.floor((Date.now() - started) / RING_SYNC_MS);
    let timer: ReturnType<typeof setInterval> | undefined;
    // Ctrl-C is a clean stop from here on, also while the history is still being delivered.
    let stopping = false;
    const stopped = Promise.withResolvers<number>();
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      await running.stop();
      fake.stop();
      await logger.drain();
      console.log(`demo: stopped after ${sent} ${polling ? "document revisions" : "notifications"}`);
      stopped.resolve(0);
    };
    process.once("SIGINT", () => void shutdown());
    process.once("SIGTERM", () => void shutdown());
    // A delivery cut short by the stop is no failure.
    const delivered = (dataType: string, objectId: string, eventType: "create" | "update") =>
      deliver(dataType, objectId, eventType).catch((error: unknown) => {
        if (!stopping) logger.warn("demo.delivery_failed", { error: error instanceof Error ? error.message : String(error) });
      });

    if (polling) console.log(`demo: polling the built-in Oura every 30 s; on the dashboard, "Import the last 90 days" brings in the rest`);
    console.log(`demo: open ${running.url.href}dashboard and press "Sign in with Oura" (the demo's Oura signs you in as ${DEMO_USER})`);
    if (restarted) console.log(`demo: carrying on with the history already in ${config.databasePath}`);

    if (polling) {
      let tick = 0;
      let lastSample = filledAt;
      timer = setInterval(() => {
        tick++;
        // Today's documents are revised as the day goes on; every 20th change corrects yesterday instead.
        const ago = tick % 20 === 0 ? 1 : 0;
        const documents = documentsForDay(dayOf(ago * 86_400_000), syncedVersion());
        const { path, document } = documents[tick % documents.length]!;
        fake.putDocument(DEMO_USER, path, document);
        fake.putHeartRate(DEMO_USER, heartRateSince(lastSample, Date.now()));
        lastSample = Date.now();
        sent++;
      }, 1000 / rate);
    } else {
      // Older history lives at the fake Oura only, up to the 90 days the dashboard offers to import.
      for (let ago = RECENT_IMPORT_DAYS - 1; ago >= days; ago--) for (const { path, document } of documentsForDay(dayOf(ago * 86_400_000))) fake.putDocument(DEMO_USER, path, document);
      // History first, so the charts have something to draw (once: a restarted demo has it already).
      history: for (let ago = restarted ? -1 : days - 1; ago >= 0; ago--) {
        for (const { path, dataType, document } of documentsForDay(dayOf(ago * 86_400_000))) {
          if (stopping) break history;
          fake.putDocument(DEMO_USER, path, document);
          await delivered(dataType, document.id, "create");
        }
      }
      // Then a steady stream: today's documents keep being revised, as Oura does while the day goes on.
      let index = 0;
      if (!stopping) {
        timer = setInterval(() => {
          const today = documentsForDay(dayOf(0), syncedVersion());
          const { path, dataType, document } = today[index++ % today.length]!;
          fake.putDocument(DEMO_USER, path, document);
          void delivered(dataType, document.id, "update");
        }, 1000 / rate);
      }
    }
    return stopped.promise;
  },
};
