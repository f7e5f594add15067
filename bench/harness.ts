// What the benchmarks share: servers pinned to core 0 with their log in a file, load workers on core 1, and the server
// in the configuration users run (Oura sign-in, linked users, a fake Oura with latency and a rate limit, every job on).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadServerKeys } from "../src/auth/keys.ts";
import { createTokenCipher } from "../src/auth/token-cipher.ts";
import { FakeOura } from "../src/demo/fake-oura.ts";
import { silentLogger } from "../src/log.ts";
import { AccountStore } from "../src/storage/sqlite/account-store.ts";
import { openSqliteStorage } from "../src/storage/sqlite/sqlite-storage.ts";

export const ROOT = join(import.meta.dir, "..");
export const SECRET = "bench-client-secret-0123456789";
export const API_TOKEN = "bench-api-token-0123456789abcdef";
export const APP_SECRET_KEY = "bench-app-secret-key-0123456789-0123456789";
/** Notifications are spread over this many users; the first LINKED have signed in with Oura. */
export const USERS = 20;
export const LINKED = 10;
export const cores = navigator.hardwareConcurrency;
export const taskset = Bun.which("taskset") && cores >= 2 ? Bun.which("taskset") : null;
const pinned = (core: number, command: string[]) => (taskset ? [taskset, "-c", String(core), ...command] : command);
// This process runs the fake Oura: it shares core 1 with the load generator, away from the server's core.
if (taskset) Bun.spawnSync([taskset, "-pc", "1", String(process.pid)], { stdout: "ignore" });

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Starts a server pinned to core 0 with its log going to a file, as under a service manager; resolves with its URL. */
export async function startProcess(command: string[], env: Record<string, string>) {
  const logPath = join(mkdtempSync(join(tmpdir(), "oura-bench-log-")), "server.log");
  const child = Bun.spawn(pinned(0, command), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", PORT: "0", ...env },
    stdout: Bun.file(logPath),
    stderr: "inherit",
  });
  for (let waited = 0; waited < 10_000; waited += 20) {
    const match = (await Bun.file(logPath).text().catch(() => "")).match(/server\.listening url=(\S+)/);
    if (match) return { child, url: match[1]! };
    if (child.exitCode !== null) break;
    await Bun.sleep(20);
  }
  throw new Error(`server did not start: ${await Bun.file(logPath).text()}`);
}

export const runWorker = (args: string[], env: Record<string, string> = {}) => runBenchScript("load-worker.ts", args, env);

/** Runs a script of bench/ on core 1 and returns the JSON of its last line. */
export async function runBenchScript(script: string, args: string[], env: Record<string, string> = {}) {
  const worker = Bun.spawn(pinned(1, [process.execPath, join(import.meta.dir, script), ...args]), {
    stdout: "pipe",
    stderr: "inherit",
    env: { ...process.env, BENCH_USERS: String(USERS), ...env },
  });
  const output = await new Response(worker.stdout).text();
  if ((await worker.exited) !== 0) throw new Error(`${script} failed: ${output}`);
  return JSON.parse(output.trim().split("\n").pop()!);
}

export async function stop(child: ReturnType<typeof Bun.spawn>) {
  child.kill("SIGTERM");
  return child.exited;
}

export const appServer = (env: Record<string, string>) =>
  startProcess([process.execPath, "src/main.ts"], { OURA_CLIENT_SECRET: SECRET, OURA_VERIFICATION_TOKEN: "bench", LOG_LEVEL: "info", ...env });

/**
 * The configuration users run: a fake Oura (100 ms per document, 5,000 requests per 5 minutes), Oura sign-in
 * configured, an API token and an app key, ten users linked before the start (as after their sign-in), the fetcher,
 * renewer and pruner on. Notifications go to ten linked users and ten that never signed in.
 */
export async function realServer(dbPath: string, env: Record<string, string> = {}) {
  const fake = new FakeOura({ documentDelayMs: 100, rateLimit: { requests: 5000, windowMs: 300_000 }, inventDocuments: true }).start();
  const store = await openSqliteStorage(dbPath);
  const keys = await loadServerKeys(APP_SECRET_KEY, dbPath, silentLogger);
  const accounts = new AccountStore(store.connection, createTokenCipher(keys.tokenKey));
  for (let i = 0; i < LINKED; i++) {
    const userId = `BENCH-USER-${i}`;
    fake.addUser(userId);
    const tokens = fake.issueTokens(userId);
    await accounts.link(userId, { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresInSeconds: tokens.expires_in });
  }
  await store.close();
  // Oura signs with the client secret; the load generator signs with SECRET, which OURA_WEBHOOK_SECRET makes the key.
  const server = await appServer({ ...fake.env(), OURA_WEBHOOK_SECRET: SECRET, API_TOKEN, APP_SECRET_KEY, DATABASE_PATH: dbPath, ...env });
  return { ...server, fake };
}

