// Headless Chromium for browser tests: Debian's package, driven by playwright-core (which never downloads a browser of
// its own). `npm test` installs it when missing (system-packages.ts) and starts one browser for the whole run
// (scripts/test.ts); each test file connects to it. Run on its own (`bun test test/browser/…`), a file starts a browser of its own.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { TEST_PACKAGES } from "./system-packages.ts";

export const CHROMIUM = TEST_PACKAGES.chromium;
/** Set by scripts/test.ts: the address of the run's one browser. */
export const BROWSER_ENDPOINT_VARIABLE = "TEST_BROWSER_WS_ENDPOINT";

export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** The run's shared browser when there is one (closing it only disconnects), else a browser of this file's own. */
export async function launchChromium(): Promise<Browser> {
  const endpoint = process.env[BROWSER_ENDPOINT_VARIABLE];
  if (endpoint) return chromium.connect(endpoint);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run the tests with \`npm test\`, which installs it`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
