// A server on the New York wearer's Sunday afternoon (2026-01-18 20:00 UTC: Oura's day is 2026-01-18), with wearers
// signed in through the fake Oura and the fixture documents (Oura's shapes, nulls, a nap's 255) imported for the first.
import type { FakeOura } from "../../src/demo/fake-oura.ts";
import type { RunningServer } from "../../src/server.ts";
import * as oura from "../fixtures/oura-documents.ts";
import type { movableClock } from "./clock.ts";
import { TEST_API_TOKEN } from "./config.ts";
import { freePort } from "./ports.ts";
import { startTestServer, tempDir } from "./servers.ts";
import { type Session, signInWithOura } from "./sign-in.ts";

export async function startWithNewYorkWearers(fake: FakeOura, clock: ReturnType<typeof movableClock>, wearers: string[], databaseName: string) {
  clock.advance(Date.parse("2026-01-18T20:00:00Z") - Date.now());
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const running: RunningServer = await startTestServer(
    { ...fake.env(), API_TOKEN: TEST_API_TOKEN, ALLOWED_EMAILS: "*@example.com", PUBLIC_URL: base, PORT: String(port), DATABASE_PATH: `${tempDir()}/${databaseName}` },
    { clock: clock.now },
  );
  const sessions = new Map<string, Session>();
  for (const user of wearers) sessions.set(user, await signInWithOura(fake, base, user));
  // What a history import stores (the same path, marked "import"), one type at a time as the import reads them.
  const observedAt = new Date(clock.now()).toISOString();
  for (const [dataType, documents] of Map.groupBy(oura.ouraDocuments, (d) => d.dataType)) {
    await running.storage.polls.recordPolledDocuments(wearers[0]!, dataType, documents.map((d) => d.document), observedAt, "import");
  }
  return { running, base, sessions };
}
