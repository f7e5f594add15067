// Real servers for tests: in-process on a random port, or as a child process running src/main.ts.
import type { Subprocess } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/log.ts";
import { type RunningServer, type ServerTimings, startServer } from "../../src/server.ts";
import { TEST_SECRET, TEST_VERIFICATION_TOKEN, testConfig } from "./config.ts";

const madeDirs: string[] = [];
// A test run leaves nothing behind in /tmp (a read test's database is hundreds of MiB).
process.on("exit", () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = "oura-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

/** An in-process server; `timings` shortens what production waits for (retries, probes), so no test waits it out. */
export async function startTestServer(env: Record<string, string | undefined> = {}, timings: ServerTimings = {}): Promise<RunningServer> {
  return startServer(testConfig(env), silentLogger, timings);
}

export const REPO_ROOT = join(import.meta.dir, "..", "..");

export interface ChildServer {
  process: Subprocess<"ignore", "pipe", "pipe">;
  url: URL;
  /** Every line the child has written to stdout so far (in paused mode: up to the listening line, until readRest). */
  lines: string[];
  /** Paused mode: resumes reading stdout and resolves with every line once the child has closed it. */
  readRest(): Promise<string[]>;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/**
 * Starts `bun src/main.ts` with a clean environment plus `env`, and waits for its listening line. With
 * `readStdout: false` nobody reads its stdout after that line (a blocked pipe) until `readRest()` is called. `command`
 * replaces `bun src/main.ts` (e.g. app.yaml's).
 */
export async function spawnServer(env: Record<string, string>, options: { readStdout?: boolean; command?: string[] } = {}): Promise<ChildServer> {
  const child = Bun.spawn(options.command ?? [process.execPath, "src/main.ts"], {
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
  let paused = false;
  /** Reads stdout into `lines` until it ends, or (paused mode) until the listening line. */
  const pump = async (onLine: (line: string) => boolean): Promise<boolean> => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        if (buffered) lines.push(buffered);
        buffered = "";
        return false;
      }
      buffered += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        if (onLine(line)) return true;
      }
    }
  };
  const url = await new Promise<URL>((resolve, rejectStart) => {
    let reject: (reason: unknown) => void;
    // A server that never says it listens is still a process: it must not outlive the test that started it.
    reject = (reason: unknown) => {
      child.kill("SIGKILL");
      rejectStart(reason);
    };
    const timer = setTimeout(() => reject(new Error(`server did not start: ${lines.join("\n")}`)), 10_000);
    pump((line) => {
      const match = line.match(/server\.listening url=(\S+)/);
      if (!match) return false;
      clearTimeout(timer);
      resolve(new URL(match[1]!));
      paused = options.readStdout === false;
      return paused;
    }).then(async (stoppedAtListening) => {
      if (stoppedAtListening) return;
      clearTimeout(timer);
      reject(new Error(`server exited before listening: ${await new Response(child.stderr).text()}`));
    });
  });
  if (!paused) void pump(() => false);
  let rest: Promise<string[]> | undefined;
  return {
    process: child,
    url,
    lines,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return child.exited;
    },
    readRest() {
      rest ??= paused ? pump(() => false).then(() => lines) : child.exited.then(() => lines);
      return rest;
    },
  };
}
