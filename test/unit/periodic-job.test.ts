// The one loop mechanism every job uses: one run at a time, wake during a run → exactly one more run, stop awaits.
import { describe, expect, test } from "bun:test";
import { PeriodicJob } from "../../src/jobs/periodic.ts";
import { createLogger } from "../../src/log.ts";

function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger("debug", { write: (line) => void lines.push(line), drain: async () => {} }) };
}

describe("PeriodicJob", () => {
  test("runs one at a time; a wake during a run asks for exactly one more run; stop awaits the run under way", async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    let release!: () => void;
    const job = new PeriodicJob(
      "test",
      async () => {
        active++;
        most = Math.max(most, active);
        runs++;
        await new Promise<void>((resolve) => (release = resolve));
        active--;
      },
      recordingLogger().logger,
    );
    job.start(60_000, { immediately: true });
    await Bun.sleep(5);
    for (let i = 0; i < 5; i++) job.wake();
    release();
    await Bun.sleep(5);
    expect(runs).toBe(2);
    const stopping = job.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await Bun.sleep(5);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(most).toBe(1);
    job.wake();
    await Bun.sleep(5);
    expect(runs).toBe(3);
  });

  test("a failing run is logged as NAME_failed and the loop goes on", async () => {
    const { lines, logger } = recordingLogger();
    let runs = 0;
    const job = new PeriodicJob("flaky", () => {
      runs++;
      throw new Error("boom");
    }, logger);
    await job.tick();
    await job.tick();
    expect(runs).toBe(2);
    expect(lines.filter((line) => line.includes("flaky_failed") && line.includes("boom")).length).toBe(2);
  });
});
