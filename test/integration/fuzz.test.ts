// Bounded fuzz run with a fixed seed: hostile forms, JSON, query strings, path parameters, headers and webhook
// deliveries against every route of one server (file database, API_TOKEN, the fake Oura). `npm run fuzz` runs longer.
// Rules: never a 5xx other than a documented 503 with the JSON error body (never a 500); every 4xx carries the JSON
// error body {error:{code,message}} (HTML only when the request carried HX-Request, or from the pages a person's browser
// lands on: the sign-in form and the OAuth callback); afterwards the server is healthy and every acknowledged webhook is
// in the SQLite file. Beyond Bun's own limits, Bun answers a bare 4xx before our code runs.
import { beforeAll, describe, expect, test } from "bun:test";
import { describeFailures, distinctAcknowledged, type Failure, type FuzzRun, fuzzRun, LISTED_ROUTES } from "../helpers/fuzz/index.ts";

const SEED = 20_261_202;
// The sweep alone is ~8,200 cases with the MCP routes (89 routes); the rest are random cases, a fourth of them webhook
// deliveries.
const REQUESTS = 8_600;

let run: FuzzRun;

beforeAll(async () => {
  run = await fuzzRun({ seed: SEED, requests: REQUESTS, concurrency: 4 });
  console.log(run.summary);
}, 60_000);

/** One entry per distinct cause (route, answer, rule broken), with an example request: readable when it fails. */
const causes = (failures: Failure[]) => (failures.length ? describeFailures(failures).split(/\n(?=\d+× )/) : []);

describe(`fuzz (seed ${SEED}, ${REQUESTS} requests)`, () => {
  test("every route is fuzzed: the app's routes, /openapi.json and the dashboard and auth routes agree", () => {
    expect(run.notInApp).toEqual([]);
    const fuzzed = new Set(run.report.byRoute.keys());
    for (const route of run.routes) expect(fuzzed.has(`${route.method} ${route.path}`)).toBe(true);
    for (const listed of LISTED_ROUTES) expect(fuzzed.has(listed)).toBe(true);
    // Every route with a body method is in the sweep with every malformed form and JSON body.
    expect(run.sweep).toBeLessThanOrEqual(REQUESTS);
  });

  test("no 5xx, except a documented 503 with the JSON error body; never a 500", () => {
    expect(causes(run.report.failures.filter((f) => f.group === "app" && (f.status === null || f.status >= 500)))).toEqual([]);
  });

  test("every 4xx carries the JSON error body (an HTML fragment only when the request carried HX-Request)", () => {
    expect(causes(run.report.failures.filter((f) => f.group === "app" && f.status !== null && f.status < 500))).toEqual([]);
  });

  test("requests beyond Bun's own header limit (a URL over 16 KiB) are refused by Bun with a 4xx", () => {
    expect(causes(run.report.failures.filter((f) => f.group === "transport"))).toEqual([]);
  });

  test("afterwards the server is healthy, the fuzzing session still signed in, and every acknowledged webhook stored", () => {
    expect(run.healthStatus).toBe(200);
    expect(run.sessionLasted).toBe(true);
    expect(distinctAcknowledged(run.report.acknowledged)).toBeGreaterThan(50);
    expect(run.verified.missing).toEqual([]);
    expect(run.verified.found).toBe(distinctAcknowledged(run.report.acknowledged));
  });
});
