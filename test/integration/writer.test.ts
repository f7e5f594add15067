// The one writer: concurrent writes share a commit, a piece that fails undoes only its own changes and fails only its
// own caller, and nothing is reported written before it is durable (read back through a second connection).
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { GroupCommitWriter } from "../../src/storage/sqlite/group-commit.ts";
import { openSqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";
import { tempDir } from "../helpers/servers.ts";

const settingsOf = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(db.query<{ key: string; value: string }, []>("SELECT key, value FROM settings WHERE key LIKE 'w.%'").all().map((row) => [row.key, row.value]));
  } finally {
    db.close();
  }
};

describe("group-committed writer", () => {
  test("a piece that throws inside a shared transaction fails only its caller; its own changes are undone; the others commit", async () => {
    const path = join(tempDir("oura-writer-"), "writer.db");
    const store = await openSqliteStorage(path);
    const put = (key: string) => store.connection.write((db) => db.query("INSERT INTO settings (key, value) VALUES (?, 'x')").run(key));
    const results = await Promise.allSettled([
      put("w.1"),
      put("w.2"),
      store.connection.write((db) => {
        db.query("INSERT INTO settings (key, value) VALUES ('w.half-done', 'x')").run();
        throw new Error("this piece fails after writing");
      }),
      // A constraint violation, as a real bug would cause: the same key twice.
      put("w.1"),
      put("w.3"),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected", "fulfilled"]);
    expect((results[2] as PromiseRejectedResult).reason.message).toBe("this piece fails after writing");
    expect(String((results[3] as PromiseRejectedResult).reason)).toContain("UNIQUE");
    // Read by another connection, as after a crash: exactly the pieces that were acknowledged.
    expect(settingsOf(path)).toEqual({ "w.1": "x", "w.2": "x", "w.3": "x" });
    await store.close();
  });

  test("writes submitted together settle together, in submission order", async () => {
    const store = await openSqliteStorage(":memory:");
    const order: number[] = [];
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.connection.write(() => order.push(i))));
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await store.close();
  });

  test("nobody is told a write is kept before the disk flush ends; a failed flush fails every write it covered", async () => {
    let endFlush: (error?: Error) => void = () => {};
    const flushes: number[] = [];
    const writer = new GroupCommitWriter<number, number>(
      (items) => items.map((item) => (item < 0 ? { ok: false, error: new Error(`bad ${item}`) } : { ok: true, value: item * 10 })),
      () => {
        flushes.push(Date.now());
        return new Promise<void>((resolve, reject) => (endFlush = (error) => (error ? reject(error) : resolve())));
      },
    );
    const settled: string[] = [];
    const track = (p: Promise<number>, name: string) => p.then((v) => settled.push(`${name}=${v}`), (e: Error) => settled.push(`${name}!${e.message}`));
    const first = [track(writer.submit(1), "a"), track(writer.submit(-1), "b")];
    await Bun.sleep(20);
    expect(flushes.length).toBe(1);
    expect(settled).toEqual([]);
    // Submitted while the flush runs: waits, then shares the next transaction and flush.
    const second = [track(writer.submit(2), "c"), track(writer.submit(3), "d")];
    await Bun.sleep(20);
    expect(flushes.length).toBe(1);
    endFlush();
    await Promise.all(first);
    expect(settled).toEqual(["a=10", "b!bad -1"]);
    await Bun.sleep(20);
    expect(flushes.length).toBe(2);
    endFlush(new Error("EIO"));
    await Promise.all(second);
    expect(settled.slice(2)).toEqual(["c!EIO", "d!EIO"]);
    await writer.whenIdle();
  });
});
