// A damaged database file (issue #19): reported as damaged — in /health, in the log with what to do, and to every
// request as storage_corrupt, never as "retry later" — instead of served as healthy; a zero-length file refused rather
// than taken for a fresh start; and the README's recovery steps tried on a damaged copy. Real child processes and real
// files, damaged the way a disk or a bad copy damages them: pages overwritten with garbage.
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { closeSync, copyFileSync, existsSync, openSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/storage/sqlite/database.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { waitFor } from "../helpers/ports.ts";
import { type ChildServer, spawnServer, tempDir } from "../helpers/servers.ts";

const EVENTS = 5000;
const PAGE = 4096;

/** A database as the server writes it, with `EVENTS` events (about 170 pages of them). */
function buildDatabase(path: string): void {
  openDatabase(path).close();
  const db = new Database(path);
  const insert = db.query(
    `INSERT INTO events (received_at, source, event_type, data_type, object_id, event_time, event_time_ms, user_id, notification, fetch_status)
     VALUES (?, 'webhook', 'create', 'sleep', ?, ?, ?, 'USER-A', ?, 'fetched')`,
  );
  const at = new Date().toISOString();
  db.transaction(() => {
    for (let i = 0; i < EVENTS; i++) insert.run(at, `doc-${i}`, at, Date.parse(at) + i, JSON.stringify({ object_id: `doc-${i}`, pad: "p".repeat(200) }));
  })();
  db.close();
}

/** Overwrites `count` pages from `first` on with garbage, as a failing disk or a torn copy does. */
function damagePages(path: string, first: number, count: number): void {
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, Buffer.alloc(count * PAGE, 0xa5), 0, count * PAGE, first * PAGE);
  } finally {
    closeSync(fd);
  }
}

/** A copy of a good database with four pages in its middle overwritten. */
function damagedCopy(): { good: string; damaged: string } {
  const dir = tempDir("oura-damaged-");
  const good = join(dir, "good.db");
  buildDatabase(good);
  const damaged = join(dir, "damaged.db");
  copyFileSync(good, damaged);
  damagePages(damaged, Math.floor(statSync(damaged).size / PAGE / 2), 4);
  return { good, damaged };
}

type HealthBody = { status: string; database: { ok: boolean; state: string; problem?: string; integrity?: { state: string } | null } };

async function health(server: ChildServer): Promise<{ status: number; body: HealthBody }> {
  const response = await fetch(new URL("/health", server.url));
  return { status: response.status, body: (await response.json()) as HealthBody };
}

const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

function quickCheck(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return (db.query("PRAGMA quick_check").values() as string[][]).map((row) => row[0]).join("\n");
  } finally {
    db.close();
  }
}

describe("a database whose middle pages are garbage", () => {
  test("starts and reads what is readable, but /health says corrupt (503, unavailable), the log says what to do, and no request is told to retry later", async () => {
    const { good, damaged } = damagedCopy();
    const server = await spawnServer({ DATABASE_PATH: damaged });
    try {
      // The check runs beside serving; it takes milliseconds here.
      const reported = await waitFor(async () => {
        const answer = await health(server);
        return answer.body.database.state === "corrupt" ? answer : undefined;
      }, 10_000, "/health to report the damage");
      expect(reported.status).toBe(503);
      expect(reported.body.status).toBe("unavailable");
      expect(reported.body.database.ok).toBe(false);
      expect(reported.body.database.problem).toContain("Backup and recovery");

      // Page through every event: each page is served, or refused as damaged; none is "retry later".
      const codes = new Set<string>();
      let cursor: string | null = null;
      let served = 0;
      for (let page = 0; page < EVENTS / 100 + 1; page++) {
        const response = await fetch(new URL(`/events?limit=100${cursor ? `&cursor=${cursor}` : ""}`, server.url));
        if (!response.ok) {
          expect(response.status).toBe(503);
          codes.add(await errorCode(response));
          break;
        }
        const body = (await response.json()) as { events: unknown[]; next_cursor: string | null };
        served += body.events.length;
        cursor = body.next_cursor;
        if (!cursor) break;
      }
      expect([...codes]).toEqual(["storage_corrupt"]);
      expect(served).toBeGreaterThan(0);

      // Nothing new is acknowledged into a damaged file: the refusal says why.
      const refused = await deliver(server.url, sampleNotification());
      expect(refused.status).toBe(503);
      expect(await errorCode(refused)).toBe("storage_corrupt");
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const log = server.lines.join("\n");
    expect(log).toMatch(/error storage\.corrupt .*advice=.*\.recover.*Backup and recovery/);
    expect(quickCheck(good)).toBe("ok");
  }, 30_000);

  test.skipIf(!Bun.which("sqlite3"))("the README's recovery steps bring back what is readable into a file the server starts on as healthy", async () => {
    const { damaged } = damagedCopy();
    const recovered = join(tempDir("oura-recovered-"), "recovered.db");
    // As in the README, "Backup and recovery": .recover, or (with a sqlite3 built without it, e.g. Debian 12's 3.40.1,
    // which says "SQL logic error") .dump, keeping the schema version and auto_vacuum the server set.
    const recover = Bun.spawnSync(["sh", "-c", `sqlite3 "${damaged}" ".recover" | sqlite3 "${recovered}"`], { stderr: "pipe" });
    if (recover.exitCode !== 0 || !existsSync(recovered) || quickCheck(recovered) !== "ok" || !hasEvents(recovered)) {
      Bun.spawnSync(["rm", "-f", recovered]);
      const dump = Bun.spawnSync(
        [
          "sh",
          "-c",
          `( echo "PRAGMA auto_vacuum = INCREMENTAL;"; sqlite3 "${damaged}" ".dump" | sed 's/^ROLLBACK; -- due to errors$/COMMIT;/'; echo "PRAGMA user_version = $(sqlite3 "${damaged}" 'PRAGMA user_version');" ) | sqlite3 "${recovered}"`,
        ],
        { stderr: "pipe" },
      );
      expect(dump.exitCode).toBe(0);
    }
    // The counts and daily sums the triggers keep were copied as they were, not as the rows that survived: rebuilt.
    const rebuild = Bun.spawnSync(["sqlite3", recovered, REBUILD_DERIVED], { stderr: "pipe" });
    expect(rebuild.stderr.toString()).toBe("");
    expect(quickCheck(recovered)).toBe("ok");

    const server = await spawnServer({ DATABASE_PATH: recovered });
    try {
      const checked = await waitFor(async () => {
        const answer = await health(server);
        return answer.body.database.integrity?.state === "ok" ? answer : undefined;
      }, 10_000, "the integrity check");
      expect(checked.status).toBe(200);
      const listed = (await (await fetch(new URL("/events?limit=1", server.url))).json()) as { total_stored: number };
      // Four damaged pages cost the events on them (27 of 5,000 when measured), nothing else.
      expect(listed.total_stored).toBeGreaterThan(EVENTS * 0.95);
      expect(listed.total_stored).toBeLessThan(EVENTS);
      expect(listed.total_stored).toBe(countEvents(recovered));
      expect((await deliver(server.url, sampleNotification())).status).toBe(201);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 30_000);

  test("a first page of garbage: the server refuses to start and says the file may be damaged and where the recovery steps are", async () => {
    const { damaged } = damagedCopy();
    damagePages(damaged, 0, 1);
    const refusal = await spawnServer({ DATABASE_PATH: damaged }).then(
      async (server) => {
        await server.stop();
        return "started";
      },
      (error: Error) => error.message,
    );
    expect(refusal).toContain(`${damaged} is not a SQLite database`);
    expect(refusal).toContain("damaged");
    expect(refusal).toContain("Backup and recovery");
  }, 30_000);
});

/** As in the README, "Backup and recovery". */
const REBUILD_DERIVED = `BEGIN;
DELETE FROM event_counts;
INSERT INTO event_counts (user_id, n) SELECT user_id, count(*) FROM events GROUP BY user_id;
DELETE FROM document_values;
DELETE FROM metric_days;
UPDATE documents SET payload = payload;
COMMIT;`;

function countEvents(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function hasEvents(path: string): boolean {
  const db = new Database(path, { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'events'").get() as { n: number }).n === 1;
  } finally {
    db.close();
  }
}

describe("a zero-length file at DATABASE_PATH", () => {
  test("is refused, not taken for a fresh start: the message names the file and what to do, and the file is left as it was", async () => {
    const dir = tempDir("oura-empty-");
    const path = join(dir, "oura.db");
    writeFileSync(path, "");
    const refusal = await spawnServer({ DATABASE_PATH: path }).then(
      async (server) => {
        await server.stop();
        return "started";
      },
      (error: Error) => error.message,
    );
    expect(refusal).toContain(`${path} is an empty file (0 bytes)`);
    expect(refusal).toContain("Backup and recovery");
    expect(refusal).toContain("remove the empty file");
    expect(statSync(path).size).toBe(0);
    expect(existsSync(`${path}-wal`)).toBe(false);

    // Removing it, as the message says, is a fresh start.
    Bun.spawnSync(["rm", path]);
    const fresh = await spawnServer({ DATABASE_PATH: path });
    expect((await deliver(fresh.url, sampleNotification())).status).toBe(201);
    expect(await fresh.stop()).toBe(0);
  }, 30_000);
});
