// A whole fuzz run against a server in a child process, with a fake Oura.
import { join } from "node:path";
import { createSignatureSigner } from "../../../src/oura/signature.ts";
import { type ChildServer, spawnServer, tempDir } from "../servers.ts";
import { type Acknowledged, distinctAcknowledged, verifyAcknowledged } from "./acknowledged.ts";
import { FUZZ_USER } from "./case-types.ts";
import { statusSummary } from "./failure-report.ts";
import { generateCases, sweepLength } from "./generate-cases.ts";
import { discoverRoutes, type RouteInfo } from "./routes.ts";
import { type FuzzReport, runCases } from "./run-cases.ts";
import type { FuzzContext } from "./send.ts";
import { type Session, signInForm, signInSession } from "../sign-in.ts";
import { postSignedWebhook } from "./signed-webhook.ts";

export interface FuzzRunOptions {
  seed: number;
  requests: number;
  concurrency?: number;
  webhookMaxBytes?: number;
  onProgress?: (done: number) => void;
}

export interface FuzzRun {
  report: FuzzReport;
  routes: RouteInfo[];
  notInApp: string[];
  dbPath: string;
  healthStatus: number;
  verified: { found: number; missing: Acknowledged[] };
  summary: string;
  /** The main browser session still signed in at the end. */
  sessionLasted: boolean;
  /** Cases in the systematic sweep (the rest are random). */
  sweep: number;
}

export const FUZZ_API_TOKEN = "fuzz-api-token-0123456789abcdef";

/**
 * Starts a fake Oura and the server (file database, API_TOKEN, the fake's client id and secret), sends the
 * generated cases, then checks /health and that every acknowledged webhook is in the file.
 */
export async function fuzzRun(options: FuzzRunOptions): Promise<FuzzRun> {
  const { FakeOura } = await import("../../fake-oura.ts");
  const fake = new FakeOura().start();
  const webhookMaxBytes = options.webhookMaxBytes ?? 65_536;
  const dbPath = join(tempDir("oura-fuzz-"), "fuzz.db");
  const env = { ...fake.env(), API_TOKEN: FUZZ_API_TOKEN, WEBHOOK_MAX_BYTES: String(webhookMaxBytes) };
  let server: ChildServer | undefined;
  try {
    server = await spawnServer({ ...env, DATABASE_PATH: dbPath });
    const base = server.url;
    const { routes, notInApp } = await discoverRoutes(base, env);
    const cases = generateCases(routes, { seed: options.seed, count: options.requests, webhookMaxBytes, runId: `fuzz-${options.seed}` });
    const signer = await createSignatureSigner(fake.clientSecret);
    // One stored event for {{EVENT_ID}}.
    const seedBody = JSON.stringify({ event_type: "create", data_type: "daily_sleep", object_id: `fuzz-${options.seed}-seed`, event_time: new Date().toISOString(), user_id: FUZZ_USER });
    const seeded = await postSignedWebhook(fetch, base, signer, seedBody);
    if (seeded.status !== 201) throw new Error(`seeding failed: ${seeded.status} ${await seeded.text()}`);
    const seedAck = (await seeded.json()) as { id: number };
    const spareCount = cases.filter((c) => c.ownSession).length;
    const session = await signInSession(base, FUZZ_API_TOKEN);
    const spareSessions: Session[] = [];
    for (let i = 0; i < spareCount; i++) spareSessions.push(await signInSession(base, FUZZ_API_TOKEN));
    spareSessions.reverse();
    const ctx: FuzzContext = {
      base,
      apiToken: FUZZ_API_TOKEN,
      webhookSecret: fake.clientSecret,
      session,
      spareSessions,
      signIn: await signInForm(base),
      eventId: seedAck.id,
      signer,
      wrongSigner: await createSignatureSigner("not-the-secret-0123456789"),
    };
    const report = await runCases(cases, ctx, { concurrency: options.concurrency, onProgress: options.onProgress });
    report.acknowledged.unshift({ id: seedAck.id, objectId: `fuzz-${options.seed}-seed` });
    const health = await fetch(new URL("/health", base));
    // The session most session requests used must have lasted the run, or they tested nothing past the 401.
    const status = await fetch(new URL("/auth/status", base), { headers: { cookie: session.cookie } });
    const sessionLasted = status.status === 200 && ((await status.json()) as { principal?: string }).principal === "session";
    const verified = verifyAcknowledged(dbPath, report.acknowledged);
    const summary =
      `fuzz: ${report.requests} requests (seed ${options.seed}, ${routes.length} routes), ${statusSummary(report.statusCounts)}; ` +
      `${report.failures.length} failing (${report.failures.filter((f) => f.group === "transport").length} beyond Bun's request limits); ` +
      `${distinctAcknowledged(report.acknowledged)} webhooks acknowledged, ${verified.found} found`;
    return { report, routes, notInApp, dbPath, healthStatus: health.status, verified, summary, sessionLasted, sweep: sweepLength(routes, { seed: options.seed, webhookMaxBytes, runId: `fuzz-${options.seed}` }) };
  } finally {
    if (server) await server.stop("SIGTERM");
    fake.stop();
  }
}
