// The long fuzz run and more kill -9 trials: the generators and checks of test/integration/fuzz.test.ts and
// crash.test.ts (test/helpers/fuzz/), with more requests and trials. Prints the status counts, every failing cause
// with an example request, and acknowledged vs found; exits 1 when any rule is broken.
// Usage: npm run fuzz [-- --requests 11000 --seed 20261202 --trials 5 --concurrency 4 --in-flight 32]
import { parseArgs } from "node:util";
import { TEST_SECRET } from "../test/helpers/config.ts";
import { describeFailures, distinctAcknowledged, fuzzRun, killTrial, type TrialResult, trialLine, trialSummary } from "../test/helpers/fuzz/index.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "11000" },
    seed: { type: "string", default: "20261202" },
    trials: { type: "string", default: "5" },
    concurrency: { type: "string", default: "4" },
    "in-flight": { type: "string", default: "32" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log("npm run fuzz [-- --requests 11000 --seed 20261202 --trials 5 --concurrency 4 --in-flight 32]");
  process.exit(0);
}
const requests = Number(values.requests);
const seed = Number(values.seed);
const trials = Number(values.trials);
const concurrency = Number(values.concurrency);
const inFlight = Number(values["in-flight"]);
for (const [name, value] of Object.entries({ requests, seed, trials, concurrency, inFlight })) {
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name}: expected a whole number`);
    process.exit(2);
  }
}

const started = performance.now();
let broken = 0;

console.log(`fuzz: ${requests} requests, seed ${seed}, ${concurrency} at a time`);
let lastShown = 0;
const run = await fuzzRun({
  seed,
  requests,
  concurrency,
  onProgress: (done) => {
    if (done - lastShown >= 1000 || done === requests) {
      lastShown = done;
      process.stderr.write(`  ${done}/${requests}\r`);
    }
  },
});
process.stderr.write("\n");
console.log(`routes: ${run.routes.length} (${run.sweep} requests in the sweep over every route, the rest random)`);
if (run.notInApp.length) {
  broken++;
  console.log(`routes listed or documented but not in the app: ${run.notInApp.join("; ")}`);
}
if (run.report.failures.length) {
  broken++;
  console.log(`\nfailing causes (${run.report.failures.length} requests):\n${describeFailures(run.report.failures)}\n`);
}
const acknowledged = distinctAcknowledged(run.report.acknowledged);
if (run.healthStatus !== 200 || !run.sessionLasted || run.verified.missing.length || run.verified.found !== acknowledged) {
  broken++;
  console.log(`after the run: GET /health ${run.healthStatus}, session ${run.sessionLasted ? "still signed in" : "lost"}, ${run.verified.missing.length} acknowledged webhooks missing`);
}
console.log(`fuzz done in ${run.report.seconds.toFixed(1)} s (${Math.round(run.report.requests / run.report.seconds)} req/s)`);

const results: TrialResult[] = [];
for (let trial = 1; trial <= trials; trial++) {
  const result = await killTrial({ trial, seed, secret: TEST_SECRET, inFlight, minKillMs: 300, maxKillMs: 3000, redeliveries: 5 });
  results.push(result);
  console.log(trialLine(result));
  const redeliveriesOk = result.redelivered.length > 0 && result.redelivered.every((r) => r.status === 200 && r.duplicate === true && r.sameId);
  if (result.acknowledged === 0 || result.missing.length || result.duplicated.length || result.found !== result.acknowledged || !redeliveriesOk || result.restartExit !== 0) {
    broken++;
    if (result.missing.length) console.log(`  missing: ${result.missing.slice(0, 20).join(", ")}`);
    if (result.duplicated.length) console.log(`  stored more than once: ${result.duplicated.slice(0, 20).join(", ")}`);
  }
}

console.log("");
console.log(run.summary);
if (trials > 0) console.log(trialSummary(results));
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s; ${broken ? "FAILED" : "all checks passed"}`);
process.exit(broken ? 1 : 0);
