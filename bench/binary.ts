// Size and cold start of the single executable: build it, then start it 10 times in an empty directory and time
// spawn → first answer from /health.
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const binary = join(root, "dist", "oura-streaming");
const build = Bun.spawn([process.execPath, "build", "--compile", "--minify", "src/main.ts", "--outfile", binary], { cwd: root, stdout: "ignore", stderr: "inherit" });
if ((await build.exited) !== 0) process.exit(1);
const bytes = statSync(binary).size;

const starts: number[] = [];
for (let run = 0; run < 10; run++) {
  const dir = mkdtempSync(join(tmpdir(), "oura-cold-"));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const started = performance.now();
  const child = Bun.spawn([binary], { cwd: dir, env: { PATH: "/nonexistent", PORT: String(port), LOG_LEVEL: "warn" }, stdout: "ignore", stderr: "ignore" });
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await Bun.sleep(2);
  }
  starts.push(performance.now() - started);
  child.kill("SIGTERM");
  await child.exited;
}
starts.sort((a, b) => a - b);
console.log(`binary: ${(bytes / 1024 / 1024).toFixed(1)} MiB; cold start to first /health answer (fresh directory, new database): median ${starts[5]!.toFixed(0)} ms, min ${starts[0]!.toFixed(0)} ms, max ${starts[9]!.toFixed(0)} ms`);
