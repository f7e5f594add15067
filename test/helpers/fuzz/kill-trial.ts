// The kill -9 trial: SIGKILL under webhook load, restart on the same file, every acknowledged webhook stored once.
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { createSignatureSigner } from "../../../src/oura/signature.ts";
import { countRows } from "../database.ts";
import { spawnServer, tempDir } from "../servers.ts";
import { rawFetch } from "./raw-fetch.ts";
import { Rng } from "./rng.ts";
import { postSignedWebhook } from "./signed-webhook.ts";

export interface TrialResult {
  trial: number;
  sent: number;
  acknowledged: number;
  found: number;
  /** Acknowledged object ids stored more than once. */
  duplicated: string[];
  /** Acknowledged object ids not stored. */
  missing: string[];
  /** Stored although never acknowledged (committed, then killed before the answer left): allowed. */
  unacknowledgedStored: number;
  redelivered: { objectId: string; status: number; duplicate: boolean | undefined; sameId: boolean }[];
  killedAfterMs: number;
  restartExit: number;
}

export interface TrialOptions {
  trial: number;
  seed: number;
  inFlight?: number;
  secret: string;
  env?: Record<string, string>;
  /** Kill after this many ms of load (a seeded value in [minKillMs, maxKillMs] by default). */
  minKillMs?: number;
  maxKillMs?: number;
  redeliveries?: number;
}

/**
 * Spawns the server on a file database, keeps `inFlight` signed webhooks in flight, SIGKILLs it mid-load, restarts it
 * on the same file and checks that every acknowledged object_id is stored exactly once; then redelivers a few.
 */
export async function killTrial(options: TrialOptions): Promise<TrialResult> {
  const rng = new Rng(options.seed * 1000 + options.trial);
  const dbPath = join(tempDir("oura-kill9-"), "kill9.db");
  const env = { ...options.env, DATABASE_PATH: dbPath };
  const signer = await createSignatureSigner(options.secret);
  const prefix = `kill9-${options.seed}-${options.trial}-`;
  const acknowledged = new Map<string, number>();
  const bodies = new Map<string, string>();
  let sent = 0;
  const first = await spawnServer(env);
  const killAfterMs = (options.minKillMs ?? 300) + rng.int((options.maxKillMs ?? 1500) - (options.minKillMs ?? 300));
  let stop = false;
  const started = performance.now();
  const loop = async (worker: number) => {
    for (let i = 0; !stop; i++) {
      const objectId = `${prefix}${worker}-${i}`;
      const body = JSON.stringify({ event_type: "create", data_type: "daily_sleep", object_id: objectId, event_time: new Date().toISOString(), user_id: "KILL9-USER" });
      bodies.set(objectId, body);
      sent++;
      try {
        const response = await postSignedWebhook(rawFetch, first.url, signer, body);
        const text = await response.text();
        if (response.status >= 200 && response.status < 300) acknowledged.set(objectId, (JSON.parse(text) as { id: number }).id);
      } catch {
        return; // The server is gone: this one was never acknowledged.
      }
    }
  };
  const loops = Array.from({ length: options.inFlight ?? 32 }, (_, w) => loop(w));
  await Bun.sleep(killAfterMs);
  first.process.kill("SIGKILL");
  const killedAfterMs = Math.round(performance.now() - started);
  await first.process.exited;
  stop = true;
  await Promise.all(loops);

  const second = await spawnServer(env);
  try {
    const stored = new Map<string, number>();
    const db = new Database(dbPath, { readonly: true, strict: true });
    try {
      for (const row of db.query("SELECT object_id, count(*) AS n FROM events WHERE object_id LIKE $prefix GROUP BY object_id").all({ prefix: `${prefix}%` }) as { object_id: string; n: number }[]) {
        stored.set(row.object_id, row.n);
      }
    } finally {
      db.close();
    }
    const missing: string[] = [];
    const duplicated: string[] = [];
    let found = 0;
    for (const objectId of acknowledged.keys()) {
      const n = stored.get(objectId) ?? 0;
      if (n === 1) found++;
      else if (n === 0) missing.push(objectId);
      else duplicated.push(objectId);
    }
    const unacknowledgedStored = [...stored.keys()].filter((id) => !acknowledged.has(id)).length;
    const redelivered: TrialResult["redelivered"] = [];
    const ids = [...acknowledged.keys()];
    for (let i = 0; i < Math.min(options.redeliveries ?? 3, ids.length); i++) {
      const objectId = ids[rng.int(ids.length)]!;
      const body = bodies.get(objectId)!;
      const response = await postSignedWebhook(rawFetch, second.url, signer, body);
      const ack = (await response.json()) as { id?: number; duplicate?: boolean };
      redelivered.push({ objectId, status: response.status, duplicate: ack.duplicate, sameId: ack.id === acknowledged.get(objectId) });
    }
    // Still exactly once after the redeliveries.
    for (const { objectId } of redelivered) if (countRows(dbPath, "object_id = $id", { id: objectId }) !== 1) duplicated.push(objectId);
    return {
      trial: options.trial,
      sent,
      acknowledged: acknowledged.size,
      found,
      duplicated,
      missing,
      unacknowledgedStored,
      redelivered,
      killedAfterMs,
      restartExit: await second.stop("SIGTERM"),
    };
  } finally {
    if (second.process.exitCode === null) await second.stop("SIGKILL");
  }
}

export function trialLine(r: TrialResult): string {
  return (
    `kill -9 trial ${r.trial}: killed after ${r.killedAfterMs} ms, ${r.sent} sent, ${r.acknowledged} acknowledged, ${r.found} found exactly once, ` +
    `${r.missing.length} missing, ${r.duplicated.length} duplicated, ${r.unacknowledgedStored} stored without an answer; ` +
    `redeliveries: ${r.redelivered.map((x) => `${x.status}${x.duplicate ? " duplicate" : ""}${x.sameId ? "" : " (other id)"}`).join(", ")}`
  );
}

export function trialSummary(results: TrialResult[]): string {
  const acknowledged = results.reduce((n, r) => n + r.acknowledged, 0);
  const found = results.reduce((n, r) => n + r.found, 0);
  return `kill -9: ${results.length} trials, ${acknowledged} acknowledged, ${found} found`;
}
