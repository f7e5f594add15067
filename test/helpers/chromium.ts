// Headless Chromium for browser tests: Debian's package, installed by the test set-up when missing, driven by
// playwright-core (which never downloads a browser of its own).
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

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

export async function launchChromium(): Promise<Browser> {
  await ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}
