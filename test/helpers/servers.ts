// Real servers for tests: in-process on a random port, or as a child process running src/main.ts.
import type { Subprocess } from "bun";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { TEST_SECRET, TEST_VERIFICATION_TOKEN, testConfig } from "./config.ts";

export function tempDir(prefix = "oura-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestServer(env: Record<string, string | undefined> = {}): Promise<RunningServer> {
  return startServer(testConfig(env), silentLogger);
}

export const REPO_ROOT = join(import.meta.dir, "..", "..");

export interface ChildServer {
  process: Subprocess<"ignore", "pipe", "pipe">;
  url: URL;
  /** Every line the child has written to stdout so far. */
  lines: string[];
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Starts `bun src/main.ts` with a clean environment plus `env`, and waits for its listening line. */
export async function spawnServer(env: Record<string, string>, options: { readStdout?: boolean } = {}): Promise<ChildServer> {
  const child = Bun.spawn([process.execPath, "src/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      PORT: "0",
      OURA_CLIENT_SECRET: TEST_SECRET,
      OURA_VERIFICATION_TOKEN: TEST_VERIFICATION_TOKEN,
      ...env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${lines.join("\n")}`)), 10_000);
    (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          clearTimeout(timer);
          reject(new Error(`server exited before listening: ${await new Response(child.stderr).text()}`));
          return;
        }
        buffered += decoder.decode(value, { stream: true });
        let newline;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          lines.push(line);
          const match = line.match(/server\.listening url=(\S+)/);
          if (match) {
            clearTimeout(timer);
            resolve(new URL(match[1]!));
            if (options.readStdout === false) return;
          }
        }
      }
    })();
  });
  return {
    process: child,
    url,
    lines,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return child.exited;
    },
  };
}
