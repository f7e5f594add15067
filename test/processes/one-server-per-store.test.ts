// One server per database file, with real processes: a second server, demo or token handoff on a database a live server
// uses refuses and names it (two servers would spend each other's single-use refresh tokens); kill -9 or a graceful
// stop frees the database at once; read-only commands run beside a live server.
import { describe, expect, test } from "bun:test";
import { existsSync, realpathSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { readHolder } from "../../src/storage/sqlite/server-lock.ts";
import { cli } from "../helpers/cli.ts";
import { TEST_API_TOKEN, TEST_SECRET } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { waitFor } from "../helpers/ports.ts";
import { REPO_ROOT, spawnServer, tempDir } from "../helpers/servers.ts";

const lastLine = (text: string) => text.trim().split("\n").pop();

/** A database file in a fresh folder, named through symlinks as the lock names it. */
const freshDatabase = () => join(realpathSync(tempDir()), "oura.db");

describe("a second server on a database a live one uses", () => {
  test("refuses with exit 1, naming the first's pid, host and address last; read-only commands still run, a token handoff refuses", async () => {
    const db = freshDatabase();
    const env = { DATABASE_PATH: db, API_TOKEN: TEST_API_TOKEN };
    const first = await spawnServer(env);
    try {
      expect((await deliver(first.url, sampleNotification({ object_id: "beside-1" }))).status).toBe(201);

      const second = await cli(["serve"], { ...env, PORT: "0", OURA_CLIENT_SECRET: TEST_SECRET });
      expect(second.code).toBe(1);
      const reason = lastLine(second.stderr)!;
      expect(reason).toStartWith(
        `oura-streaming: could not start: DATABASE_PATH: ${db} is in use by oura-streaming server pid ${first.process.pid} on ${hostname()} (listening on ${first.url.href}, since `,
      );
      expect(reason).toEndWith("Stop that one first, or give this one another DATABASE_PATH");
      expect(second.stderr).not.toContain("    at ");
      // The refused start touched nothing: the first still serves, and still holds the lock.
      expect((await fetch(new URL("/health", first.url))).status).toBe(200);
      expect(readHolder(`${db}.lock`)).toMatchObject({ pid: first.process.pid, url: first.url.href, purpose: "server" });

      // Read-only commands run beside it.
      const exported = await cli(["export"], { DATABASE_PATH: db });
      expect(exported.code).toBe(0);
      expect(exported.stdout).toContain('"object_id":"beside-1"');
      const dryRun = await cli(["prune", "--dry-run"], { DATABASE_PATH: db, RETENTION_DAYS: "30" });
      expect(dryRun.code).toBe(0);
      expect(dryRun.stdout).toContain("would be deleted");

      // A handoff would print a token the server may refresh (spend) at any moment.
      const handoff = await cli(["token", "handoff", "--user", "USER-A"], { DATABASE_PATH: db });
      expect(handoff.code).toBe(1);
      expect(handoff.stdout).toBe("");
      expect(lastLine(handoff.stderr)).toStartWith(`oura-streaming token handoff: ${db} is in use by oura-streaming server pid ${first.process.pid} on ${hostname()} (listening on ${first.url.href}`);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  }, 20_000);
});

describe("a database whose server is gone", () => {
  test("after kill -9 a new server starts at once (the kernel dropped the lock); after a graceful stop too, with no lock file left", async () => {
    const db = freshDatabase();
    const env = { DATABASE_PATH: db };
    const killed = await spawnServer(env);
    killed.process.kill("SIGKILL");
    expect(await killed.process.exited).not.toBe(0);
    // Its lock file stays behind, naming a process that no longer runs: it blocks nothing.
    expect(readHolder(`${db}.lock`)?.pid).toBe(killed.process.pid);

    const restarted = await spawnServer(env);
    expect(readHolder(`${db}.lock`)).toMatchObject({ pid: restarted.process.pid, url: restarted.url.href });
    expect(await restarted.stop()).toBe(0);
    expect(existsSync(`${db}.lock`)).toBe(false);

    const again = await spawnServer(env);
    expect((await fetch(new URL("/health", again.url))).status).toBe(200);
    expect(await again.stop()).toBe(0);
  }, 20_000);
});

describe("a lock file removed under the running server (rm db.sqlite*)", () => {
  test("is written back by the storage check, with the server's details, so a second server is refused again", async () => {
    const db = freshDatabase();
    const env = { DATABASE_PATH: db, OURA_VERIFICATION_TOKEN: "" };
    const first = await spawnServer(env);
    try {
      for (const suffix of ["", "-wal", "-shm", ".key", ".lock"]) rmSync(`${db}${suffix}`, { force: true });
      // The storage check runs every second (the database file comes back the same way).
      const holder = await waitFor(() => readHolder(`${db}.lock`), 5000, "the lock file to be written back");
      expect(holder).toMatchObject({ pid: first.process.pid, url: first.url.href });
      const second = await cli(["serve"], { ...env, PORT: "0", OURA_CLIENT_SECRET: TEST_SECRET });
      expect(second.code).toBe(1);
      expect(lastLine(second.stderr)).toContain(`is in use by oura-streaming server pid ${first.process.pid}`);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  }, 20_000);
});

describe("demo", () => {
  test("a second demo on the same --database as a running demo refuses in the demo's terms and leaves the first running", async () => {
    const db = freshDatabase();
    const demo = ["src/main.ts", "demo", "--port", "0", "--days", "0", "--rate", "0.1", "--database", db];
    const first = Bun.spawn([process.execPath, ...demo], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? "", HOME: "/tmp" }, stdout: "pipe", stderr: "pipe" });
    try {
      const url = await readUntil(first.stdout, /demo: open (\S+)dashboard/);
      const second = await cli(demo.slice(1));
      expect(second.code).toBe(1);
      const reason = lastLine(second.stderr)!;
      expect(reason).toStartWith(`oura-streaming demo: could not start: --database: ${db} is in use by oura-streaming server pid ${first.pid} on ${hostname()} (listening on ${url}, since `);
      expect(reason).toEndWith("give this one another --database");
      expect((await fetch(new URL("/health", url))).status).toBe(200);
    } finally {
      first.kill("SIGINT");
      expect(await first.exited).toBe(0);
    }
    expect(existsSync(`${db}.lock`)).toBe(false);
  }, 20_000);
});

/** Reads a child's stdout until a line matches; resolves with the first group. */
async function readUntil(stream: ReadableStream<Uint8Array>, pattern: RegExp): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = setTimeout(() => void reader.cancel(), 10_000);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`stdout ended before ${pattern}: ${text}`);
      text += decoder.decode(value, { stream: true });
      const match = text.match(pattern);
      if (match) return match[1]!;
    }
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
}
