// The fuzz run and the kill -9 trial, as fuzz.test.ts, crash.test.ts and bench/fuzz.ts (npm run fuzz) use them.
export { distinctAcknowledged } from "./acknowledged.ts";
export { describeFailures } from "./failure-report.ts";
export { type FuzzRun, fuzzRun } from "./fuzz-run.ts";
export { killTrial, type TrialResult, trialLine, trialSummary } from "./kill-trial.ts";
export { LISTED_ROUTES } from "./routes.ts";
export type { Failure } from "./run-cases.ts";
