// Ingest while the fetcher is busy: a burst of signed notifications for linked users (the fake Oura answering slowly)
// and unlinked ones. Every 2xx is stored once, every linked user's documents arrive, webhooks keep answering while the
// queue drains, and the unlinked ones are fetched once their user signs in.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { browse, CookieJar } from "../helpers/browser.ts";
import { countRows } from "../helpers/database.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";

const LINKED = ["BURST-A", "BURST-B", "BURST-C"];
const UNLINKED = ["LATER-A", "LATER-B", "LATER-C"];
const PER_USER = 100;

// Every document takes 20 ms at Oura: the fetch queue drains far slower than notifications arrive (600 in well under a
// second; 300 documents take the fetcher over a second).
const fake = new FakeOura({ documentDelayMs: 20, inventDocuments: true }).start();
let running: RunningServer;
let base: string;
let dbPath: string;

async function signIn(userId: string) {
  fake.nextAuthorizeUser = userId;
  const visit = await browse(new CookieJar(), `${base}/auth/login`, ["/dashboard"]);
  expect(visit.url.pathname).toBe("/dashboard");
}

beforeAll(async () => {
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  dbPath = join(tempDir("oura-burst-"), "burst.db");
  running = await startTestServer({ ...fake.env(), PORT: String(port), DATABASE_PATH: dbPath, ALLOWED_EMAILS: "*@example.com" });
  for (const user of LINKED) await signIn(user);
});
afterAll(async () => {
  await running.stop();
  fake.stop();
});

describe("a burst while the fetcher is busy", () => {
  test(`${(LINKED.length + UNLINKED.length) * PER_USER} notifications: all stored once, linked users' documents fetched, webhooks answered all along`, async () => {
    const users = [...LINKED, ...UNLINKED];
    const sent = Array.from({ length: PER_USER * users.length }, (_, i) => sampleNotification({ user_id: users[i % users.length]!, object_id: `burst-${i}`, data_type: "daily_sleep" }));
    for (let i = 0; i < sent.length; i += 50) {
      const answers = await Promise.all(sent.slice(i, i + 50).map((n) => deliver(base, n, { secret: fake.clientSecret })));
      for (const answer of answers) expect(answer.status).toBe(201);
    }
    for (const n of sent.slice(0, 60)) expect(countRows(dbPath, "object_id = $id", { id: n.object_id })).toBe(1);
    expect(countRows(dbPath, "object_id LIKE 'burst-%'")).toBe(sent.length);
    // Unlinked users' events wait from the start; linked users' are queued for the (slow) fetcher.
    expect(countRows(dbPath, "user_id LIKE 'LATER-%' AND fetch_status = 'awaiting_link'")).toBe(UNLINKED.length * PER_USER);

    // While the queue drains, a webhook still answers at once.
    const latencies: number[] = [];
    await waitFor(
      async () => {
        const started = performance.now();
        expect((await deliver(base, sampleNotification({ user_id: "LATER-A" }), { secret: fake.clientSecret })).status).toBe(201);
        latencies.push(performance.now() - started);
        return countRows(dbPath, "user_id LIKE 'BURST-%' AND fetch_status = 'pending'") === 0 || undefined;
      },
      30_000,
      "the linked users' documents to be fetched",
    );
    expect(countRows(dbPath, "user_id LIKE 'BURST-%' AND fetch_status = 'fetched'")).toBe(LINKED.length * PER_USER);
    // Several deliveries went in while the queue was draining, each answered at once.
    expect(latencies.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    const documents = (await running.deps.documents.listDocuments({ user_id: "BURST-B", data_type: "daily_sleep" }, 1000)).length;
    expect(documents).toBe(PER_USER);

    // A waiting user signs in: their events are queued and fetched.
    await signIn("LATER-B");
    await waitFor(() => countRows(dbPath, "user_id = 'LATER-B' AND fetch_status = 'fetched'") === PER_USER || undefined, 30_000, "LATER-B's documents");
    expect(countRows(dbPath, "user_id = 'LATER-C' AND fetch_status = 'awaiting_link'")).toBe(PER_USER);
  }, 90_000);
});
