// Headless Chromium for browser tests: Debian's package, driven by playwright-core (which never downloads a browser of
// its own). `npm test` installs it when missing and starts one browser for the whole run (scripts/test.ts); each test
// file connects to it. Run on its own (`bun test test/browser/…`), a file starts a browser of its own.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
/** Set by scripts/test.ts: the address of the run's one browser. */
export const BROWSER_ENDPOINT_VARIABLE = "TEST_BROWSER_WS_ENDPOINT";

export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Installs Debian's chromium if it is not there (CI runs as root with Debian's mirror reachable). */
export async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  const run = async (command: string[]) => {
    const child = Bun.spawn(command, { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, stdout: "ignore", stderr: "pipe" });
    if ((await child.exited) !== 0) throw new Error(`${command.join(" ")} failed: ${await new Response(child.stderr).text()}`);
  };
  await run(["apt-get", "update", "-qq"]);
  await run(["apt-get", "install", "-y", "-qq", "chromium"]);
}

/** The run's shared browser when there is one (closing it only disconnects), else a browser of this file's own. */
export async function launchChromium(): Promise<Browser> {
  const endpoint = process.env[BROWSER_ENDPOINT_VARIABLE];
  if (endpoint) return chromium.connect(endpoint);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run the tests with \`npm test\`, which installs it`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
