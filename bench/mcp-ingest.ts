// Ingest while an AI assistant asks: the server as users run it (bench/harness.ts realServer), ingest alone against
// the same with an assistant calling the six tools in a loop over /mcp (the API token, a linked user whose documents
// arrive during the run) — interleaved rounds, alternating which goes first. The goal: ≥ 0.9× ingest without it.
// --pause-ms is the assistant's own time between calls (a model's turn); 0 is a client calling as fast as answers come.
// Usage: bun run bench/mcp-ingest.ts [--seconds 10 --warmup 2 --connections 64 --rounds 3 --pause-ms 0]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { API_TOKEN, median, realServer, runWorker, SECRET, stop } from "./harness.ts";

const { values: options } = parseArgs({
  options: { seconds: { type: "string", default: "10" }, warmup: { type: "string", default: "2" }, connections: { type: "string", default: "64" }, rounds: { type: "string", default: "3" }, "pause-ms": { type: "string", default: "0" } },
});
const USER = "BENCH-USER-0";
const DAY = 86_400_000;
const pauseMs = Number(options["pause-ms"]);

/** Calls the tools one after another until stopped; counts the calls (a tool error — no data yet — is an answer too). */
function assistantLoop(url: string) {
  let running = true;
  let calls = 0;
  const done = (async () => {
    const client = new Client({ name: "mcp-ingest-bench", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", url), { requestInit: { headers: { authorization: `Bearer ${API_TOKEN}` } } }));
    const now = Date.now();
    const day = (ago: number) => new Date(now - ago * DAY).toISOString().slice(0, 10);
    const tools: [string, Record<string, unknown>][] = [
      ["get_night", { user: USER }],
      ["get_daily_scores", { user: USER, start_date: day(89), end_date: day(0) }],
      ["get_metric_trend", { user: USER, metric: "readiness", days: 365 }],
      ["list_activities", { user: USER, start_date: day(89), end_date: day(0) }],
      ["get_heart_rate", { user: USER, start: new Date(now - 7 * DAY).toISOString(), end: new Date(now).toISOString() }],
      ["tag_effect", { user: USER, tag: "alcohol", metric: "hrv", days: 365 }],
    ];
    while (running) {
      const [name, args] = tools[calls % tools.length]!;
      await client.callTool({ name, arguments: args });
      calls++;
      if (pauseMs > 0) await Bun.sleep(pauseMs);
    }
    await client.close();
  })();
  return { stop: async () => ((running = false), await done, calls) };
}

async function ingestRun(withAssistant: boolean) {
  const dbPath = join(mkdtempSync(join(tmpdir(), "oura-bench-mcp-")), "bench.db");
  const server = await realServer(dbPath);
  const warmup = await runWorker(["ingest", server.url, options.connections!, options.warmup!, SECRET]);
  const assistant = withAssistant ? assistantLoop(server.url) : undefined;
  const run = await runWorker(["ingest", server.url, options.connections!, options.seconds!, SECRET]);
  run.warmup_acknowledged = warmup.ok;
  if (assistant) run.tool_calls = await assistant.stop();
  run.exit_code = await stop(server.child);
  server.fake.stop();
  return run;
}

console.log(`ingest with an assistant: ${options.connections} connections, ${options.seconds} s per target, ${options.rounds} rounds, ${pauseMs} ms between tool calls`);
const rounds: { plain: any; assistant: any }[] = [];
for (let round = 0; round < Number(options.rounds); round++) {
  const order = round % 2 === 0 ? [false, true] : [true, false];
  const runs = [];
  for (const withAssistant of order) runs.push(await ingestRun(withAssistant));
  const [plain, assistant] = order[0] ? [runs[1], runs[0]] : [runs[0], runs[1]];
  rounds.push({ plain, assistant });
  console.log(`round ${round + 1}: ${plain.rps.toFixed(0)} req/s alone, ${assistant.rps.toFixed(0)} with ${assistant.tool_calls} tool calls (${(assistant.tool_calls / Number(options.seconds)).toFixed(0)}/s) — ${(assistant.rps / plain.rps).toFixed(2)}×`);
}
const ratio = median(rounds.map((r) => r.assistant.rps / r.plain.rps));
console.log(`median ratio ${ratio.toFixed(2)}× (rounds ${rounds.map((r) => (r.assistant.rps / r.plain.rps).toFixed(2)).join(", ")})`);
console.log(JSON.stringify({ date: new Date().toISOString(), ratio, rounds }));
