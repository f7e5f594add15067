// Outgoing webhooks must never slow ingest: this server's ingest with no endpoint against the same with three
// (a receiver that answers at once, one that takes 2 s, one that always answers 500), in the worst case for the
// hooks — only the webhook secret set, so every event is final at once and becomes three deliveries — and in the
// configuration users run (Oura sign-in, the fetcher on, see harness.ts realServer). Rounds alternate the two.
// Usage: bun run bench/hooks.ts [-- --seconds 5 --warmup 2 --connections 64 --rounds 3 --config both|secret|real]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { API_TOKEN, appServer, median, realServer, runWorker, SECRET, stop } from "./harness.ts";

const { values: options } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "64" },
    rounds: { type: "string", default: "3" },
    config: { type: "string", default: "both" },
  },
});

let delivered = 0;
let refused = 0;
const fast = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (delivered++, new Response(null, { status: 204 })) });
const slow = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async () => (await Bun.sleep(2000), new Response(null, { status: 204 })) });
const failing = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (refused++, new Response("down", { status: 500 })) });

async function measure(kind: "secret" | "real", endpoints: boolean): Promise<number> {
  const dbPath = join(mkdtempSync(join(tmpdir(), "oura-bench-hooks-")), "bench.db");
  const env = { HOOKS_ALLOW_PRIVATE_ADDRESSES: "true", API_TOKEN, DATABASE_PATH: dbPath };
  const server = kind === "real" ? await realServer(dbPath, env) : { ...(await appServer(env)), fake: undefined };
  try {
    if (endpoints) {
      for (const receiver of [fast, slow, failing]) {
        const response = await fetch(new URL("/hooks", server.url), {
          method: "POST",
          headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ url: `http://127.0.0.1:${receiver.port}/hook` }),
        });
        if (response.status !== 201) throw new Error(`POST /hooks answered ${response.status}`);
      }
    }
    await runWorker(["ingest", server.url, options.connections!, options.warmup!, SECRET]);
    const run = await runWorker(["ingest", server.url, options.connections!, options.seconds!, SECRET]);
    return run.rps as number;
  } finally {
    await stop(server.child);
    server.fake?.stop();
  }
}

const configs = options.config === "both" ? (["secret", "real"] as const) : ([options.config as "secret" | "real"] as const);
const results: Record<string, { without: number[]; with: number[] }> = {};
for (const kind of configs) {
  results[kind] = { without: [], with: [] };
  for (let round = 0; round < Number(options.rounds); round++) {
    results[kind].without.push(await measure(kind, false));
    results[kind].with.push(await measure(kind, true));
  }
  const without = median(results[kind].without);
  const withHooks = median(results[kind].with);
  console.log(
    `${kind === "secret" ? "webhook secret only (every event final at once)" : "users' configuration (sign-in, fetcher)"}: ` +
      `${Math.round(without)} req/s without endpoints, ${Math.round(withHooks)} req/s with three (fast, 2 s, 500): ${(withHooks / without).toFixed(2)}×`,
  );
}
console.log(`receivers: ${delivered} deliveries accepted by the fast one, ${refused} refused by the failing one`);
fast.stop(true);
slow.stop(true);
failing.stop(true);
console.log(JSON.stringify(results));
