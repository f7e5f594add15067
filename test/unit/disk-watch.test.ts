// The free-space watch: when it warns (64 MiB or 5% of the volume, whichever is more), how often (once per ten
// minutes while space stays low), and when the log is to be kept short (under 64 MiB). A fake statfs and clock.
import { describe, expect, test } from "bun:test";
import { createLogger } from "../../src/log.ts";
import { DiskWatch } from "../../src/storage/sqlite/disk-space.ts";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

function watch(volumeBytes: number) {
  let free = volumeBytes;
  let now = Date.parse("2026-12-07T12:00:00Z");
  const lines: string[] = [];
  const disk = new DiskWatch("/data/oura.db", createLogger("debug", { write: (line) => void lines.push(line), drain: async () => {} }), {
    now: () => now,
    statfs: () => ({ bavail: free / 4096, blocks: volumeBytes / 4096, bsize: 4096 }),
  });
  return {
    disk,
    lines,
    set free(bytes: number) {
      free = bytes;
    },
    advance(ms: number) {
      now += ms;
    },
    warnings: () => lines.filter((line) => line.includes("storage.disk_low")).length,
  };
}

describe("free space on the database's volume", () => {
  test("reports the volume's free and total bytes, and whether that is low", () => {
    const volume = watch(100 * GiB);
    volume.free = 50 * GiB;
    expect(volume.disk.measure()).toEqual({ free_bytes: 50 * GiB, total_bytes: 100 * GiB, low_below_bytes: 5 * GiB, low: false });
    expect(volume.disk.tight).toBe(false);
  });

  test("warns below 5% of a large volume, and keeps the log short only below 64 MiB", () => {
    const volume = watch(100 * GiB);
    volume.free = 4 * GiB;
    expect(volume.disk.measure()?.low).toBe(true);
    expect(volume.disk.tight).toBe(false);
    expect(volume.warnings()).toBe(1);
    expect(volume.lines[0]).toContain("free_bytes=4294967296");
    volume.free = 63 * MiB;
    volume.disk.measure();
    expect(volume.disk.tight).toBe(true);
  });

  test("on a small volume the line is 64 MiB, not 5%", () => {
    const volume = watch(512 * MiB);
    volume.free = 60 * MiB;
    expect(volume.disk.measure()).toMatchObject({ low_below_bytes: 64 * MiB, low: true });
  });

  test("warns once per ten minutes while space stays low, says when it is back, and warns at once for a new low spell only after ten minutes", () => {
    const volume = watch(10 * GiB);
    volume.free = 100 * MiB;
    for (let second = 0; second < 599; second++) {
      volume.disk.measure();
      volume.advance(1000);
    }
    expect(volume.warnings()).toBe(1);
    volume.advance(1000);
    volume.disk.measure();
    expect(volume.warnings()).toBe(2);

    volume.free = 5 * GiB;
    volume.disk.measure();
    expect(volume.lines.at(-1)).toContain("storage.disk_space_ok");
    // Flapping around the line does not log every second.
    volume.free = 100 * MiB;
    volume.disk.measure();
    expect(volume.warnings()).toBe(2);
    volume.advance(10 * 60_000);
    volume.disk.measure();
    expect(volume.warnings()).toBe(3);
  });

  test("in memory there is no volume", () => {
    expect(new DiskWatch(":memory:", undefined).measure()).toBeNull();
  });
});
