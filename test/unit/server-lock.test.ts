// The database lock on its own, in one process (flock conflicts between two opens of one file, as between processes);
// the same with real servers and kill -9 is in test/processes/one-server-per-store.test.ts.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { flockAvailable } from "../../src/storage/sqlite/flock.ts";
import { acquireServerLock, DatabaseInUseError, readHolder, type ServerLock } from "../../src/storage/sqlite/server-lock.ts";

const held: ServerLock[] = [];
afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  // Through symlinks (macOS's /tmp), as the lock names its file.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "oura-lock-")));
  dirs.push(dir);
  return dir;
}

function acquire(databasePath: string, options?: Parameters<typeof acquireServerLock>[1]): ServerLock {
  const lock = acquireServerLock(databasePath, options)!;
  held.push(lock);
  return lock;
}

function refusal(databasePath: string): DatabaseInUseError {
  try {
    acquire(databasePath);
  } catch (error) {
    if (error instanceof DatabaseInUseError) return error;
    throw error;
  }
  throw new Error("the lock was granted twice");
}

describe("one holder per database file", () => {
  test("flock is available here (Linux or macOS), so the tests below test a real lock", () => {
    expect(flockAvailable()).toBe(true);
  });

  test("a second acquire is refused, naming the holder's pid, host, URL and start, and what to do", () => {
    const db = join(tempDir(), "oura.db");
    const lock = acquire(db, { now: () => Date.parse("2026-12-01T08:00:00Z") });
    lock.setUrl("http://127.0.0.1:8123/");
    const error = refusal(db);
    expect(error.holder).toEqual({ pid: process.pid, hostname: hostname(), purpose: "server", url: "http://127.0.0.1:8123/", started_at: "2026-12-01T08:00:00.000Z" });
    expect(error.message).toBe(
      `DATABASE_PATH: ${db} is in use by oura-streaming server pid ${process.pid} on ${hostname()} (listening on http://127.0.0.1:8123/, since 2026-12-01T08:00:00.000Z); two servers on one database spend each other's Oura sign-ins (refresh tokens are single-use). Stop that one first, or give this one another DATABASE_PATH`,
    );
  });

  test("before it listens the holder is named as not listening yet; another purpose is named as such", () => {
    const starting = join(tempDir(), "oura.db");
    acquire(starting);
    expect(refusal(starting).message).toContain(`in use by oura-streaming server pid ${process.pid} on ${hostname()} (not listening yet, since `);
    const db = join(tempDir(), "oura.db");
    acquire(db, { purpose: "token handoff" });
    expect(refusal(db).message).toContain(`in use by oura-streaming token handoff pid ${process.pid} on ${hostname()} (since `);
  });

  test("release removes the lock file and the next acquire succeeds", () => {
    const db = join(tempDir(), "oura.db");
    const lock = acquire(db);
    expect(existsSync(`${db}.lock`)).toBe(true);
    lock.release();
    lock.release();
    expect(existsSync(`${db}.lock`)).toBe(false);
    expect(acquire(db).path).toBe(`${db}.lock`);
  });

  test("a file left by a process that died is taken over (nobody holds its lock)", () => {
    const db = join(tempDir(), "oura.db");
    writeFileSync(`${db}.lock`, `${JSON.stringify({ pid: 999_999, hostname: "gone", purpose: "server", url: "http://127.0.0.1:1/", started_at: "2020-01-01T00:00:00.000Z" })}\n-- and a longer tail`);
    acquire(db);
    expect(readHolder(`${db}.lock`)).toMatchObject({ pid: process.pid, url: null });
    expect(readFileSync(`${db}.lock`, "utf8").split("\n")).toHaveLength(2);
  });

  test(":memory: needs no lock", () => {
    expect(acquireServerLock(":memory:")).toBeUndefined();
    expect(acquireServerLock(":memory:")).toBeUndefined();
  });

  test("two spellings of one database (a symlink, a relative path) share one lock", () => {
    const dir = tempDir();
    const db = join(dir, "oura.db");
    writeFileSync(db, "");
    symlinkSync(db, join(dir, "alias.db"));
    acquire(db);
    expect(refusal(join(dir, "alias.db")).lockPath).toBe(`${db}.lock`);
    expect(refusal(join(dir, ".", "sub", "..", "oura.db")).lockPath).toBe(`${db}.lock`);
  });
});

describe("a lock file removed under its holder", () => {
  test("restore puts it back with the holder's details, so a newcomer is still refused", () => {
    const db = join(tempDir(), "oura.db");
    const lock = acquire(db);
    lock.setUrl("http://127.0.0.1:8124/");
    rmSync(`${db}.lock`);
    expect(lock.restore()).toBe(true);
    expect(readHolder(`${db}.lock`)).toMatchObject({ pid: process.pid, url: "http://127.0.0.1:8124/" });
    expect(refusal(db).holder?.url).toBe("http://127.0.0.1:8124/");
  });

  test("a newcomer that took the path first keeps it: restore says no, and release leaves the newcomer's file alone", () => {
    const db = join(tempDir(), "oura.db");
    const old = acquire(db);
    rmSync(`${db}.lock`);
    const newcomer = acquire(db, { purpose: "token handoff" });
    expect(old.restore()).toBe(false);
    old.release();
    expect(readHolder(`${db}.lock`)?.purpose).toBe("token handoff");
    expect(refusal(db).holder?.purpose).toBe("token handoff");
    newcomer.release();
    expect(existsSync(`${db}.lock`)).toBe(false);
  });
});
