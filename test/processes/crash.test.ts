// Bounded kill -9 trial: a server on a file database under 32 concurrent signed webhooks is SIGKILLed mid-load and
// restarted on the same file. Every object_id answered 2xx must be stored exactly once; a redelivery of an
// acknowledged one after the restart answers 200 duplicate with the same id. `npm run fuzz` runs more trials.
import { afterAll, describe, expect, test } from "bun:test";
import { TEST_SECRET } from "../helpers/config.ts";
import { killTrial, type TrialResult, trialLine, trialSummary } from "../helpers/fuzz/index.ts";

const SEED = 20_261_202;
const TRIALS = 2;
const results: TrialResult[] = [];

afterAll(() => {
  if (results.length) console.log(trialSummary(results));
});

describe("kill -9 under load", () => {
  for (let trial = 1; trial <= TRIALS; trial++) {
    test(`trial ${trial}: every acknowledged webhook is stored exactly once after a restart; redeliveries are duplicates`, async () => {
      const result = await killTrial({ trial, seed: SEED, secret: TEST_SECRET, inFlight: 32, minKillMs: 300, maxKillMs: 1500, redeliveries: 3 });
      results.push(result);
      console.log(trialLine(result));
      expect(result.acknowledged).toBeGreaterThan(0);
      expect(result.missing).toEqual([]);
      expect(result.duplicated).toEqual([]);
      expect(result.found).toBe(result.acknowledged);
      expect(result.redelivered.length).toBeGreaterThan(0);
      for (const redelivery of result.redelivered) expect(redelivery).toEqual({ objectId: redelivery.objectId, status: 200, duplicate: true, sameId: true });
      expect(result.restartExit).toBe(0);
    }, 15_000);
  }
});
