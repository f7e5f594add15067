// Debian packages the tests drive as real programs (Chromium for the browser tests, mosquitto as the MQTT broker,
// openssl for its TLS certificates):
// `npm test` installs the missing ones with one `apt-get update` (CI runs as root, with Debian's mirror reachable).
import { existsSync } from "node:fs";

/** Each package and the program it provides: present when the program is. */
export const TEST_PACKAGES = { chromium: "/usr/bin/chromium", mosquitto: "/usr/sbin/mosquitto", openssl: "/usr/bin/openssl" } as const;

export type TestPackage = keyof typeof TEST_PACKAGES;

export async function ensureDebianPackages(packages: TestPackage[]): Promise<void> {
  const missing = packages.filter((name) => !existsSync(TEST_PACKAGES[name]));
  if (missing.length === 0) return;
  const run = async (command: string[]) => {
    const child = Bun.spawn(command, { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, stdout: "ignore", stderr: "pipe" });
    if ((await child.exited) !== 0) throw new Error(`${command.join(" ")} failed: ${await new Response(child.stderr).text()}`);
  };
  await run(["apt-get", "update", "-qq"]);
  await run(["apt-get", "install", "-y", "-qq", ...missing]);
}
