// What the server does when its storage fails under it: the database file removed or replaced. Real child processes,
// a real file system, real SQLite read back after a restart. A full disk: disk-full.test.ts; a damaged file:
// damaged-database.test.ts.
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { countRows } from "../helpers/database.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { waitFor } from "../helpers/ports.ts";
import { type ChildServer, spawnServer, tempDir } from "../helpers/servers.ts";

type HealthBody = { status: string; database: { ok: boolean; writable: boolean; state: string; problem?: string } };

const health = async (server: ChildServer) => {
  const response = await fetch(new URL("/health", server.url));
  return { status: response.status, body: (await response.json()) as HealthBody };
};

/** Delivers `count` new notifications one after another; returns the object ids that were acknowledged (2xx). */
async function deliverMany(server: ChildServer, count: number, statuses: number[] = []): Promise<string[]> {
  const acknowledged: string[] = [];
  for (let i = 0; i < count; i++) {
    const notification = sampleNotification();
    const response = await deliver(server.url, notification);
    statuses.push(response.status);
    if (response.ok) acknowledged.push(notification.object_id);
    else expect(((await response.json()) as { error: { code: string } }).error.code).toBe("storage_unavailable");
  }
  return acknowledged;
}

describe("database file removed under the running server", () => {
  test("refuses with 503 instead of acknowledging into a deleted file, says so in /health and the log, restores the file from its open connection, and loses nothing", async () => {
    const dir = tempDir("oura-removed-");
    const path = join(dir, "db.sqlite");
    const server = await spawnServer({ DATABASE_PATH: path, OURA_VERIFICATION_TOKEN: "" });
    const acknowledged = await deliverMany(server, 20);
    expect(acknowledged.length).toBe(20);
    const key = readFileSync(`${path}.key`, "utf8");

    // What an operator's `rm db.sqlite*` does: the database, its log, its shared memory and the key file.
    for (const suffix of ["", "-wal", "-shm", ".key"]) rmSync(`${path}${suffix}`, { force: true });

    // /health notices at once, before any write tries.
    expect((await health(server)).status).toBe(503);
    const first = await deliver(server.url, sampleNotification());
    expect(first.status).toBe(503);
    expect(((await first.json()) as { error: { code: string } }).error.code).toBe("storage_unavailable");
    const during = await health(server);
    expect(during.status).toBe(503);
    expect(during.body.status).toBe("unavailable");
    expect(during.body.database).toMatchObject({ ok: false, writable: false, state: "file_removed" });
    expect(during.body.database.problem).toContain("removed");

    // Deliveries keep coming (Oura retries); none is acknowledged unless a restart would find it.
    const statuses: number[] = [];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !statuses.includes(201)) {
      acknowledged.push(...(await deliverMany(server, 5, statuses)));
      await Bun.sleep(50);
    }
    expect(statuses).toContain(503);
    expect(statuses).toContain(201);
    expect(statuses.every((status) => status === 201 || status === 503)).toBe(true);
    const after = await health(server);
    expect(after.status).toBe(200);
    expect(after.body.database).toMatchObject({ ok: true, writable: true, state: "ok" });
    acknowledged.push(...(await deliverMany(server, 20)));

    expect(await server.stop()).toBe(0);
    const log = server.lines.join("\n");
    expect(log).toContain("storage.file_removed");
    expect(log).toContain("storage.restored");
    expect(existsSync(path)).toBe(true);
    // The key file came back too: tokens stored before the removal stay readable after a restart.
    expect(readFileSync(`${path}.key`, "utf8")).toBe(key);

    // Everything acknowledged before, during and after the removal is in the file at DATABASE_PATH, once.
    for (const id of acknowledged) expect(countRows(path, "object_id = $id", { id })).toBe(1);
    const restarted = await spawnServer({ DATABASE_PATH: path, OURA_VERIFICATION_TOKEN: "" });
    const list = (await (await fetch(new URL("/events?limit=1000", restarted.url))).json()) as { total_stored: number };
    expect(list.total_stored).toBeGreaterThanOrEqual(acknowledged.length);
    expect(await restarted.stop()).toBe(0);
  }, 30_000);

  test("a different file put at the path is not written into by mistake: 503 until it is moved away, then the server's own data is restored", async () => {
    const dir = tempDir("oura-replaced-");
    const path = join(dir, "db.sqlite");
    const server = await spawnServer({ DATABASE_PATH: path });
    const acknowledged = await deliverMany(server, 5);
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    const stranger = new Database(path, { create: true });
    stranger.exec("CREATE TABLE unrelated (x)");
    stranger.close();

    expect((await deliver(server.url, sampleNotification())).status).toBe(503);
    const replaced = await waitFor(async () => {
      const answer = await health(server);
      return answer.body.database?.state === "file_replaced" ? answer : undefined;
    }, 10_000, "the replaced file noticed");
    expect(replaced.status).toBe(503);
    // Seen as someone else's file, it is left as it is: nothing of ours written into it.
    const strangerNow = new Database(path, { readonly: true });
    expect((strangerNow.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name)).toEqual(["unrelated"]);
    strangerNow.close();
    expect(replaced.body.database.problem).toContain("move that file away");
    expect((await deliver(server.url, sampleNotification())).status).toBe(503);

    rmSync(path);
    await waitFor(async () => (await health(server)).status === 200, 10_000, "the server's own file to be restored");
    acknowledged.push(...(await deliverMany(server, 5)));
    expect(await server.stop()).toBe(0);
    for (const id of acknowledged) expect(countRows(path, "object_id = $id", { id })).toBe(1);
  }, 30_000);
});

describe("only the main database file goes (its log and shared memory stay behind)", () => {
  const integrity = (path: string) => {
    const db = new Database(path, { readonly: true });
    try {
      return (db.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
    } finally {
      db.close();
    }
  };

  test.each([
    ["removed", (path: string, _server: ChildServer) => rmSync(path)],
    [
      "replaced by another file, which is then moved away",
      async (path: string, server: ChildServer) => {
        rmSync(path);
        const stranger = new Database(path, { create: true });
        stranger.exec("CREATE TABLE unrelated (x); INSERT INTO unrelated VALUES (1)");
        stranger.close();
        // Moved away only once the server has seen it there.
        await waitFor(async () => ((await health(server)).body.database?.state === "file_replaced" ? true : undefined), 10_000, "the stranger noticed");
        renameSync(path, `${path}.stranger`);
      },
    ],
  ])("%s: the stale log is not replayed onto the restored file, which stays intact and restarts", async (_, lose) => {
    const dir = tempDir("oura-main-file-");
    const path = join(dir, "db.sqlite");
    const env = { DATABASE_PATH: path, OURA_VERIFICATION_TOKEN: "" };
    // A first run, then a second one on the same file: the log left at the path then holds frames of its own.
    const first = await spawnServer(env);
    const acknowledged = await deliverMany(first, 40);
    expect(await first.stop()).toBe(0);
    const second = await spawnServer(env);
    acknowledged.push(...(await deliverMany(second, 20)));
    expect(existsSync(`${path}-wal`)).toBe(true);

    await lose(path, second);
    await waitFor(async () => (await health(second)).status === 200 && existsSync(path), 10_000, "the file to be restored");
    acknowledged.push(...(await deliverMany(second, 20)));
    expect(await second.stop()).toBe(0);

    expect(integrity(path)).toBe("ok");
    for (const id of acknowledged) expect(countRows(path, "object_id = $id", { id })).toBe(1);
    const third = await spawnServer(env);
    const handshake = await fetch(new URL("/health", third.url));
    expect(handshake.status).toBe(200);
    acknowledged.push(...(await deliverMany(third, 5)));
    expect(await third.stop()).toBe(0);
    expect(integrity(path)).toBe("ok");
    expect(countRows(path)).toBeGreaterThanOrEqual(acknowledged.length);
  }, 30_000);
});
