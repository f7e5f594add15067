// A clock a test moves by hand: it runs with real time, plus whatever the test has added.
import type { Clock } from "../../src/time/clock.ts";

export interface MovableClock {
  now: Clock;
  advance(ms: number): void;
}

export function movableClock(): MovableClock {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    advance: (ms) => {
      offsetMs += ms;
    },
  };
}
