// A full volume (issue #19): writes refused and said so, reads going on, the write-ahead log handed back, writes
// taken again by the server itself once there is room, and a restart on a full volume that starts instead of
// failing. A real 4 MiB tmpfs (mounting it needs root, as the suite has in CI), real SQLite read back afterwards. The
// storage check that runs every second is ticked here by calling storage.status.maintain(), never waited for.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type Logger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { testConfig, TEST_API_TOKEN } from "../helpers/config.ts";
import { countRows } from "../helpers/database.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { spawnServer, tempDir } from "../helpers/servers.ts";

type Database = {
  ok: boolean;
  state: string;
  writable: boolean;
  problem?: string;
  disk: { free_bytes: number; total_bytes: number; low: boolean } | null;
  wal_bytes: number;
  integrity: { state: string } | null;
};

const mounted: string[] = [];
afterAll(() => {
  for (const mountPoint of mounted) Bun.spawnSync(["umount", "-l", mountPoint]);
});

/** A fresh 4 MiB tmpfs. */
function smallVolume(): string {
  const mountPoint = tempDir("oura-volume-");
  const result = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint], { stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`this test needs a small tmpfs (run as root): ${result.stderr.toString()}`);
  mounted.push(mountPoint);
  return mountPoint;
}

/** Writes `name` until the volume is full (or `kib` KiB of it). */
function fill(mountPoint: string, name: string, kib?: number): void {
  Bun.spawnSync(["dd", "if=/dev/zero", `of=${join(mountPoint, name)}`, "bs=4k", ...(kib ? [`count=${kib / 4}`] : [])], { stderr: "ignore" });
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(createLogger("debug", { write: (line) => void lines.push(line), drain: async () => {} }), { lines });
}

const asOperator = { authorization: `Bearer ${TEST_API_TOKEN}` };

async function health(url: URL): Promise<{ status: number; database: Database }> {
  const response = await fetch(new URL("/health", url), { headers: asOperator });
  return { status: response.status, database: ((await response.json()) as { database: Database }).database };
}

/**
 * Delivers one new notification at a time until one is refused (or `max`); returns the acknowledged object ids. A
 * refusal must be a 503 storage_unavailable: a full disk is worth retrying.
 */
async function deliverUntilRefused(url: URL, max: number): Promise<string[]> {
  const acknowledged: string[] = [];
  for (let i = 0; i < max; i++) {
    const notification = sampleNotification();
    const response = await deliver(url, notification);
    if (!response.ok) {
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("storage_unavailable");
      break;
    }
    acknowledged.push(notification.object_id);
  }
  return acknowledged;
}

const start = (path: string, logger: Logger = recordingLogger()) => startServer(testConfig({ DATABASE_PATH: path, API_TOKEN: TEST_API_TOKEN }), logger);

/** Every acknowledged id is in the file, once. */
function expectKept(path: string, acknowledged: string[]): void {
  for (const id of acknowledged) expect(countRows(path, "object_id = $id", { id })).toBe(1);
}

describe("a full volume under the running server", () => {
  test("writes are refused with 503 and /health says disk_full with the free space, reads go on, and once room is made the server truncates its log and takes writes again by itself", async () => {
    const volume = smallVolume();
    const path = join(volume, "db.sqlite");
    const logger = recordingLogger();
    const server = await start(path, logger);
    let running: RunningServer | undefined = server;
    try {
      // Under 64 MiB free from the start: warned about before it runs out, and reported to operators.
      const before = await health(server.url);
      expect(before.status).toBe(200);
      expect(before.database.disk).toMatchObject({ low: true, total_bytes: 4 * 2 ** 20 });
      expect(before.database.disk!.free_bytes).toBeGreaterThan(2 ** 20);

      const acknowledged = await deliverUntilRefused(server.url, 20);
      fill(volume, "one-mib", 1024);
      fill(volume, "rest");
      acknowledged.push(...(await deliverUntilRefused(server.url, 20_000)));
      expect(acknowledged.length).toBeGreaterThanOrEqual(20);

      const full = await health(server.url);
      expect(full.status).toBe(503);
      expect(full.database).toMatchObject({ ok: false, writable: false, state: "disk_full" });
      expect(full.database.problem).toContain("full");
      expect(full.database.disk!.free_bytes).toBeLessThan(64 * 1024);
      // Reads go on: every acknowledged event can be listed.
      const listed = (await (await fetch(new URL("/events?limit=1", server.url), { headers: asOperator })).json()) as { total_stored: number };
      expect(listed.total_stored).toBe(acknowledged.length);
      const log = logger.lines.join("\n");
      expect(log).toContain("storage.disk_low");
      expect(log.indexOf("storage.disk_low")).toBeLessThan(log.indexOf("storage.disk_full"));

      // Still full: the storage check leaves it refused.
      server.storage.status.maintain();
      expect((await health(server.url)).database.state).toBe("disk_full");
      expect(await deliverUntilRefused(server.url, 1)).toEqual([]);

      // 1 MiB of room: the next check checkpoints and truncates the log, and writes are taken again. Before #19 that
      // let 25 more events in (the log, never checkpointed, filled the room again); now the room goes to the data.
      rmSync(join(volume, "one-mib"));
      server.storage.status.maintain();
      const recovered = await health(server.url);
      expect(recovered.status).toBe(200);
      expect(recovered.database).toMatchObject({ ok: true, writable: true, state: "ok" });
      expect(recovered.database.wal_bytes).toBeLessThan(64 * 1024);
      expect(logger.lines.some((line) => line.includes("storage.writable"))).toBe(true);
      const afterRoom = await deliverUntilRefused(server.url, 20_000);
      expect(afterRoom.length).toBeGreaterThan(500);
      acknowledged.push(...afterRoom);

      rmSync(join(volume, "rest"));
      server.storage.status.maintain();
      acknowledged.push(...(await deliverUntilRefused(server.url, 10)));
      expect((await health(server.url)).status).toBe(200);
      await server.stop();
      running = undefined;
      expectKept(path, acknowledged);
      expect(countRows(path)).toBe(acknowledged.length);
    } finally {
      await running?.stop();
    }
  }, 60_000);
});

describe("a restart on a full volume", () => {
  test("after kill -9 on a full volume the server starts again (it failed at PRAGMA auto_vacuum) and serves every acknowledged event", async () => {
    const volume = smallVolume();
    const path = join(volume, "db.sqlite");
    const child = await spawnServer({ DATABASE_PATH: path });
    const acknowledged = await deliverUntilRefused(child.url, 30);
    fill(volume, "filler");
    acknowledged.push(...(await deliverUntilRefused(child.url, 20_000)));
    expect(await child.stop("SIGKILL")).not.toBe(0);

    const server = await start(path);
    try {
      const listed = (await (await fetch(new URL("/events?limit=1", server.url), { headers: asOperator })).json()) as { total_stored: number };
      expect(listed.total_stored).toBe(acknowledged.length);
      rmSync(join(volume, "filler"));
      server.storage.status.maintain();
      expect((await health(server.url)).database.state).toBe("ok");
      acknowledged.push(...(await deliverUntilRefused(server.url, 10)));
    } finally {
      await server.stop();
    }
    expectKept(path, acknowledged);
  }, 60_000);

  test("a volume filled while the server was stopped: it starts read-only (no room even for SQLite's -shm file), serves reads, refuses writes, and takes them again once there is room", async () => {
    const volume = smallVolume();
    const path = join(volume, "db.sqlite");
    const first = await start(path);
    const acknowledged = await deliverUntilRefused(first.url, 30);
    await first.stop();
    // A clean stop checkpoints the log and removes it and the shared memory file.
    expect(existsSync(`${path}-shm`)).toBe(false);
    fill(volume, "filler");

    const logger = recordingLogger();
    const server = await start(path, logger);
    try {
      const readOnly = await health(server.url);
      expect(readOnly.status).toBe(503);
      expect(readOnly.database).toMatchObject({ ok: false, writable: false, state: "disk_full", integrity: null });
      const listed = (await (await fetch(new URL("/events?limit=100", server.url), { headers: asOperator })).json()) as { events: { object_id: string }[] };
      expect(listed.events.map((event) => event.object_id).sort()).toEqual([...acknowledged].sort());
      expect(await deliverUntilRefused(server.url, 1)).toEqual([]);
      expect(logger.lines.join("\n")).toContain("started read-only");

      server.storage.status.maintain();
      expect((await health(server.url)).database.state).toBe("disk_full");
      rmSync(join(volume, "filler"));
      server.storage.status.maintain();
      const writable = await health(server.url);
      expect(writable.status).toBe(200);
      expect(writable.database.state).toBe("ok");
      acknowledged.push(...(await deliverUntilRefused(server.url, 10)));
      expect(acknowledged.length).toBe(40);
      // The integrity check waited for the read-only connection to go (it locks other connections out), then ran.
      expect(await server.storage.status.checkIntegrity()).toBe("ok");
    } finally {
      await server.stop();
    }
    expectKept(path, acknowledged);
    expect(statSync(path).size).toBeGreaterThan(0);
  }, 60_000);
});

