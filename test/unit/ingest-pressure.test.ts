// Work that may wait (an assistant's tool calls) takes turns while ingest is busy, and none while it is quiet.
import { describe, expect, test } from "bun:test";
import { IngestPressure, turnsWhileBusy } from "../../src/realtime/ingest-pressure.ts";

function virtualTime(start: number) {
  let now = start;
  return { now: () => now, sleep: async (ms: number) => void (now += ms), advance: (ms: number) => void (now += ms) };
}

describe("turns while ingest is busy", () => {
  test("quiet: every call at once; busy: one start per spacing, in arrival order; quiet again: at once", async () => {
    const pressure = new IngestPressure();
    const time = virtualTime(performance.now());
    const takeTurn = turnsWhileBusy(pressure, 200, time);
    const startedAt: number[] = [];
    const call = async () => (await takeTurn(), startedAt.push(time.now()));

    const quietFrom = time.now();
    for (let i = 0; i < 3; i++) await call();
    expect(startedAt).toEqual([quietFrom, quietFrom, quietFrom]);

    // A slow trickle (one a second) is not busy, however long it lasts.
    for (let i = 0; i < 120; i++) {
      time.advance(1000);
      pressure.seen(time.now());
    }
    expect(pressure.busy(time.now())).toBe(false);
    // 100 events within a tenth of a second after it: busy at once.
    for (let i = 0; i < 100; i++) {
      time.advance(1);
      pressure.seen(time.now());
    }
    startedAt.length = 0;
    const busyFrom = time.now();
    for (let i = 0; i < 4; i++) await call();
    expect(startedAt.map((at) => Math.round(at - busyFrom))).toEqual([0, 200, 400, 600]);

    // Busy holds for a second after the last busy window; then calls go at once again.
    time.advance(2_000);
    startedAt.length = 0;
    const calmFrom = time.now();
    await call();
    await call();
    expect(startedAt).toEqual([calmFrom, calmFrom]);
  });
});
