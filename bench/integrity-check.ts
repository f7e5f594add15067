// How long the integrity check run at every start (PRAGMA quick_check, in a worker) takes on a large database, from the
// page cache and (as root, where the page cache can be dropped) from a cold disk, and how long the event loop is held
// meanwhile: `bun run bench/integrity-check.ts [events]` (default 1,000,000).
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStorage } from "../src/storage/sqlite/sqlite-storage.ts";
import { fillEvents } from "./fill-events.ts";

const total = Number(Bun.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), "oura-integrity-"));
const path = join(dir, "integrity.db");
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

const built = performance.now();
fillEvents(path, total, new Date().toISOString());
console.log(`built ${total.toLocaleString("en-US")} events, ${(statSync(path).size / 2 ** 20).toFixed(0)} MiB, in ${((performance.now() - built) / 1000).toFixed(1)} s (not timed below)`);

/** Drops the page cache (root only); false where it cannot. */
function dropCaches(): boolean {
  try {
    Bun.spawnSync(["sync"]);
    writeFileSync("/proc/sys/vm/drop_caches", "3");
    return true;
  } catch {
    return false;
  }
}

async function timeCheck(label: string): Promise<void> {
  const store = await openSqliteStorage(path);
  // The longest the event loop went without running a 1 ms timer while the check ran.
  let last = performance.now();
  let longestGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  const outcome = await store.status.checkIntegrity();
  const elapsed = performance.now() - started;
  clearInterval(timer);
  await store.close();
  console.log(`${label}: ${outcome} in ${(elapsed / 1000).toFixed(2)} s; the event loop was held at most ${longestGap.toFixed(1)} ms meanwhile`);
}

await timeCheck("page cache (warm)");
await timeCheck("page cache (warm), again");
if (dropCaches()) await timeCheck("cold disk (page cache dropped)");
else console.log("cold disk: not measured (dropping the page cache needs root)");
