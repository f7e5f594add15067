// What each step of accepting a notification costs, measured in-process one step at a time.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSignatureSigner, createSignatureVerifier } from "../src/oura/signature.ts";
import { WebhookNotification } from "../src/schemas/notification.ts";
import { openSqliteStorage } from "../src/storage/sqlite/sqlite-storage.ts";

async function microsPerOp(iterations: number, op: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(1000, iterations); i++) await op(i);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await op(i);
  return ((performance.now() - started) * 1000) / iterations;
}

export async function runStageCosts(): Promise<Record<string, number>> {
  const secret = "stage-secret";
  const body = JSON.stringify({ event_type: "create", data_type: "sleep", object_id: "x", event_time: "2026-11-24T08:00:00+00:00", user_id: "u" });
  const bytes = new TextEncoder().encode(body);
  const signature = await (await createSignatureSigner(secret)).sign("1764000000", body);
  const verifier = await createSignatureVerifier(secret);
  const parsed = JSON.parse(body);

  const notification = (i: number) => ({ ...parsed, object_id: `o${i}` });
  const sequentialStore = await openSqliteStorage(join(mkdtempSync(join(tmpdir(), "oura-stage-")), "s.db"));
  const groupStore = await openSqliteStorage(join(mkdtempSync(join(tmpdir(), "oura-stage-")), "g.db"));
  let groupCounter = 0;

  const costs = {
    "HMAC verify (Web Crypto, one at a time)": await microsPerOp(20_000, () => verifier.verify("1764000000", bytes, signature)),
    "HMAC verify (Web Crypto, 64 concurrent)":
      (await microsPerOp(500, () => Promise.all(Array.from({ length: 64 }, () => verifier.verify("1764000000", bytes, signature))))) / 64,
    "JSON.parse": await microsPerOp(100_000, () => JSON.parse(body)),
    "zod validation": await microsPerOp(100_000, () => WebhookNotification.safeParse(parsed)),
    "commit alone (1 fsync per event)": await microsPerOp(500, (i) =>
      sequentialStore.events.appendEvent({ source: "webhook", identity: notification(i), raw: body, received: parsed, fetch: "pending" }),
    ),
    "group commit (64 concurrent, per event)":
      (await microsPerOp(100, () =>
        Promise.all(
          Array.from({ length: 64 }, () =>
            groupStore.events.appendEvent({ source: "webhook", identity: notification(++groupCounter), raw: body, received: parsed, fetch: "pending" }),
          ),
        ),
      )) / 64,
  };
  await sequentialStore.close();
  await groupStore.close();
  return costs;
}
