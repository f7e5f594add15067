// `npm test` (and `npm run test:fast`): what the tests need is set up here, once, then `bun test` runs the files in
// parallel worker processes, slowest first (test/timings.json, refreshed by `npm run test:timings`).
//
// - Chromium, mosquitto (the MQTT tests' broker) and openssl (its TLS certificates) are installed when missing, with one apt-get update; one browser
//   serves the whole run (the browser tests connect to it).
// - Workers: twice the cores. Most test time is spent waiting on child processes, sockets and fsync, not computing.
// - --timeout is given here because `bun test --parallel` workers do not read bunfig.toml's [test] timeout.
// - --no-isolate: a worker keeps its module registry from one file to the next instead of loading the app's modules
//   again for each file (the fast tier 17–20 s → 13–14 s, the whole suite ≈ 84 → ≈ 72 s). Tests keep no global state
//   to leak: none sets process.env or a global, and the one preload (the contract check) wraps fetch once per worker.
//
// `--fast` runs the tier for the edit–test loop: unit tests and tests of the app in this process (test/unit,
// test/integration), without the tests that start server processes, the CLI or a browser (test/processes, test/browser),
// also when other arguments narrow it further. Other arguments go to `bun test` as they are (file filters, -t …).
import { cpus } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { BROWSER_ENDPOINT_VARIABLE, CHROMIUM, CHROMIUM_ARGS } from "../test/helpers/chromium.ts";
import { ensureDebianPackages } from "../test/helpers/system-packages.ts";

const ROOT = join(import.meta.dir, "..");
/** The fast tier leaves these out, whatever else the command line narrows it to. */
const SLOW_DIRECTORIES = ["test/processes", "test/browser"];
const TEST_TIMEOUT_MS = 30_000;

const args = process.argv.slice(2);
const fast = args.includes("--fast");
const updateTimings = args.includes("--update-timings");
const passed = args.filter((arg) => arg !== "--fast");
const workers = Number(process.env.TEST_WORKERS) || cpus().length * 2;

// Every run but the fast tier gets the browser: browser tests are not only in test/browser (the binary test opens
// its pages too), and starting it costs half a second.
let browser: Awaited<ReturnType<typeof chromium.launchServer>> | undefined;
// The MQTT tests are in the fast tier too; Chromium only where a browser runs.
await ensureDebianPackages(fast ? ["mosquitto", "openssl"] : ["chromium", "mosquitto", "openssl"]);
if (!fast) {
  browser = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

const command = [
  process.execPath,
  "test",
  `--parallel=${workers}`,
  "--no-isolate",
  // Ctrl-C or a dying runner takes every server and CLI process the tests started with it.
  "--no-orphans",
  `--timeout=${TEST_TIMEOUT_MS}`,
  "--timings=test/timings.json",
  ...(fast ? SLOW_DIRECTORIES.map((directory) => `--path-ignore-patterns=${directory}/**`) : []),
  ...passed,
];
const child = Bun.spawn(command, {
  cwd: ROOT,
  stdio: ["inherit", "inherit", "inherit"],
  env: { ...process.env, ...(browser ? { [BROWSER_ENDPOINT_VARIABLE]: browser.wsEndpoint() } : {}) },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
const code = await child.exited;
await browser?.close();
if (updateTimings) console.log("test/timings.json updated: commit it when the slowest files changed");
process.exit(code);
