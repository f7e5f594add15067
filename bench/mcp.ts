// MCP tool-call latency at scale: a database of N events (default 1,000,000, written directly, not timed) and two
// years of the sample wearer's documents (sleep, readiness, activity, workouts, sessions, tags, SpO2, stress…) and
// heart rate every 5 minutes, then each tool called `--calls` times in a row by the SDK's own client over Streamable
// HTTP with a wearer's token, as an assistant does: p50/p99 per tool (every call ≤ 50 ms p99 is the goal).
// Usage: bun run bench/mcp.ts [events, default 1000000] [--calls 200] [--days 730]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Principal } from "../src/auth/principal.ts";
import { documentsForDay } from "../src/demo/sample-data.ts";
import { silentLogger } from "../src/log.ts";
import { startServer } from "../src/server.ts";
import { FakeOura } from "../src/demo/fake-oura.ts";
import { mcpTokenService } from "../src/services/mcp-tokens.ts";
import { testConfig } from "../test/helpers/config.ts";
import { fillEvents } from "./fill-events.ts";
import { percentile } from "./http-load.ts";

const { values, positionals } = parseArgs({ args: Bun.argv.slice(2), allowPositionals: true, options: { calls: { type: "string", default: "200" }, days: { type: "string", default: "730" } } });
const events = Number(positionals[0] ?? 1_000_000);
const calls = Number(values.calls);
const days = Number(values.days);
const USER = "BENCH-WEARER";
const DAY = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), "mcp-bench-"));
const dbPath = join(dir, "mcp.db");
const now = Date.now();
const today = new Date(now).toISOString().slice(0, 10);
const dayOf = (ago: number) => new Date(now - ago * DAY).toISOString().slice(0, 10);

let started = performance.now();
fillEvents(dbPath, events, new Date(now).toISOString());
// As users run it: Oura sign-in configured against a fake Oura answering in 100 ms, polling and every job on, the
// wearer linked with the fake's tokens (so the poller really polls them during the calls).
const fake = new FakeOura({ documentDelayMs: 100, rateLimit: { requests: 5000, windowMs: 300_000 } }).start();
fake.addUser(USER, "bench@example.com");
const running = await startServer(testConfig({ DATABASE_PATH: dbPath, API_TOKEN: "mcp-bench-api-token-0123456789abcdef", ...fake.env(), POLLING_ENABLED: "true" }), silentLogger);
try {
  const tokens = fake.issueTokens(USER);
  await running.deps.accounts.link(USER, { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresInSeconds: tokens.expires_in }, "bench@example.com");
  // Two years of documents, a month per commit per data type (as a history import stores them).
  for (let first = days - 1; first >= 0; first -= 30) {
    const byType = new Map<string, Record<string, unknown>[]>();
    for (let ago = first; ago > first - 30 && ago >= 0; ago--) {
      for (const sample of documentsForDay(dayOf(ago))) byType.set(sample.dataType, [...(byType.get(sample.dataType) ?? []), sample.document]);
    }
    for (const [dataType, documents] of byType) await running.storage.polls.recordPolledDocuments(USER, dataType, documents, new Date(now).toISOString(), "import");
  }
  const samples = Array.from({ length: days * 288 }, (_, i) => ({ atMs: now - days * DAY + i * 300_000, bpm: 50 + ((i * 7) % 60), source: "awake" }));
  for (let i = 0; i < samples.length; i += 20_000) await running.storage.polls.recordHeartRate(USER, samples.slice(i, i + 20_000));
  console.log(`built: ${events.toLocaleString("en-US")} events, ${days} days of documents and ${samples.length.toLocaleString("en-US")} heart-rate samples in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const { token } = await mcpTokenService(running.deps).create(new Principal({ kind: "session", sessionId: "bench", userId: USER }, "wearer", USER), "bench");
  const client = new Client({ name: "mcp-bench", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", running.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  const tools: [string, Record<string, unknown>][] = [
    ["get_night", {}],
    ["get_daily_scores", { start_date: dayOf(89), end_date: today }],
    ["get_metric_trend", { metric: "hrv", days: 365 }],
    ["list_activities", { start_date: dayOf(89), end_date: today }],
    ["get_heart_rate", { start: new Date(now - 7 * DAY).toISOString(), end: new Date(now).toISOString(), resolution: "15min" }],
    ["tag_effect", { tag: "alcohol", metric: "hrv", days: 365 }],
  ];
  const rows: { tool: string; p50: number; p99: number; max: number }[] = [];
  for (const [name, args] of tools) {
    const latencies: number[] = [];
    for (let i = 0; i < calls + 10; i++) {
      started = performance.now();
      const result = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: { text: string }[] };
      if (result.isError) throw new Error(`${name}: ${result.content[0]?.text}`);
      if (i >= 10) latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    rows.push({ tool: name, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1]! });
  }
  await client.close();
  console.log(`\n${calls} calls per tool (after 10 warm-up), one client, wearer token, Streamable HTTP (JSON answers):`);
  console.log("| Tool | p50 ms | p99 ms | max ms |\n| --- | --- | --- | --- |");
  for (const row of rows) console.log(`| ${row.tool} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.max.toFixed(1)} |`);
  console.log(JSON.stringify({ events, days, calls, rows }));
} finally {
  await running.stop();
  fake.stop();
  rmSync(dir, { recursive: true, force: true });
}
