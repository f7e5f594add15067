// AI assistants over MCP, as one uses the server: the SDK's own client over Streamable HTTP against a real server on
// realistic documents (Oura's OpenAPI 1.37 shapes, nulls, a nap with lowest_heart_rate 255, a wearer in New York).
// Every tool's numbers, a wearer's token never reaching another wearer, revoked tokens, the access log, and bad
// arguments answered as tool errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { FakeOura } from "../../src/demo/fake-oura.ts";
import type { RunningServer } from "../../src/server.ts";
import * as oura from "../fixtures/oura-documents.ts";
import { movableClock } from "../helpers/clock.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { REPO_ROOT, tempDir } from "../helpers/servers.ts";
import { signInWithOura } from "../helpers/sign-in.ts";
import { startWithNewYorkWearers } from "../helpers/new-york-wearers.ts";

const WEARER = "WEARER-NY";
const OTHER = "WEARER-OTHER";
const fake = new FakeOura().start();
const clock = movableClock();
let running: RunningServer;
let base: string;
const sessions = new Map<string, { cookie: string; csrf: string }>();
const tokens = new Map<string, { id: string; token: string }>();
const clients: Client[] = [];

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: Record<string, unknown> };

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: "mcp-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", base), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
  return (await client.callTool({ name, arguments: args })) as ToolAnswer;
}

/** A tool's answer, which must not be an error. */
async function answer(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const result = await call(client, name, args);
  if (result.isError) throw new Error(`${name} answered an error: ${result.content[0]?.text}`);
  expect(JSON.parse(result.content[0]!.text)).toEqual(result.structuredContent!);
  return result.structuredContent;
}

/** A tool's refusal: an error result (never a transport failure) and its message. */
async function refusal(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = await call(client, name, args);
  expect(result.isError).toBe(true);
  return result.content[0]!.text;
}

const json = (path: string, as: string, init: RequestInit = {}) => {
  const session = sessions.get(as)!;
  return fetch(new URL(path, base), { ...init, headers: { cookie: session.cookie, "x-csrf-token": session.csrf, "content-type": "application/json", ...(init.headers ?? {}) } });
};

async function makeToken(as: string, name: string) {
  const response = await json("/mcp-tokens", as, { method: "POST", body: JSON.stringify({ name }) });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; token: string; user_id: string };
}

const record = (userId: string, dataType: string, documents: Record<string, unknown>[]) =>
  running.storage.polls.recordPolledDocuments(userId, dataType, documents, new Date(clock.now()).toISOString(), "import");

beforeAll(async () => {
  const started = await startWithNewYorkWearers(fake, clock, [WEARER, OTHER], "mcp.db");
  ({ running, base } = started);
  for (const [user, session] of started.sessions) sessions.set(user, session);
  // Three earlier days: readiness 68, 70, 72 and main sleeps with HRV 50, 52, 54 (the alcohol tag is on the 17th: its night is the 18th's, HRV 43).
  for (const [day, readiness, hrv] of [["2026-01-15", 68, 50], ["2026-01-16", 70, 52], ["2026-01-17", 72, 54]] as const) {
    await record(WEARER, "daily_readiness", [{ ...oura.dailyReadiness, id: `r-${day}`, day, score: readiness }]);
    await record(WEARER, "sleep", [{ ...oura.sleep, id: `s-${day}`, day, average_hrv: hrv, bedtime_start: `${day}T00:10:00-05:00`, bedtime_end: `${day}T07:10:00-05:00` }]);
  }
  // The other wearer: numbers of their own, none equal to the wearer's.
  await record(OTHER, "daily_readiness", [{ ...oura.dailyReadiness, id: "other-r", score: 55 }]);
  await record(OTHER, "sleep", [{ ...oura.sleep, id: "other-s", average_hrv: 97.25, lowest_heart_rate: 41 }]);
  await record(OTHER, "enhanced_tag", [{ ...oura.enhancedTagAlcohol, id: "other-tag" }]);
  // Heart rate: the wearer's Sunday morning, a sample a minute (60…74 bpm, repeating), and one 255 "no reading".
  const morning = Date.parse("2026-01-18T11:00:00Z");
  await running.storage.polls.recordHeartRate(WEARER, [
    ...Array.from({ length: 60 }, (_, i) => ({ atMs: morning + i * 60_000, bpm: 60 + (i % 15), source: "awake" })),
    { atMs: morning + 60 * 60_000 + 5000, bpm: 255, source: "awake" },
  ]);
  await running.storage.polls.recordHeartRate(OTHER, [{ atMs: morning, bpm: 120, source: "workout" }]);
  for (const user of [WEARER, OTHER]) tokens.set(user, await makeToken(user, `${user}'s assistant`));
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await running.stop();
  fake.stop();
});

describe("the tools, over Streamable HTTP with a wearer's token", () => {
  test("the six tools are listed, each read-only with its arguments described", async () => {
    const client = await connect(tokens.get(WEARER)!.token);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["get_daily_scores", "get_heart_rate", "get_metric_trend", "get_night", "list_activities", "tag_effect"]);
    for (const tool of tools) expect(tool.annotations?.readOnlyHint).toBe(true);
    const trend = tools.find((t) => t.name === "get_metric_trend")!;
    expect(trend.inputSchema.required).toEqual(["metric"]);
  });

  test("get_night: the newest night's score, stages in minutes, timing with its offset, heart rate (never 255), HRV", async () => {
    const client = await connect(tokens.get(WEARER)!.token);
    const night = await answer(client, "get_night", {});
    expect(night).toMatchObject({
      user: WEARER,
      day: "2026-01-18",
      bedtime_start: "2026-01-17T23:48:31-05:00",
      bedtime_end: "2026-01-18T07:53:31-05:00",
      utc_offset: "-05:00",
      sleep_score: 76,
      sleep_score_contributors: { deep_sleep: 88, efficiency: 84, latency: 91, rem_sleep: 79, restfulness: 67, timing: 83, total_sleep: 81 },
      durations_minutes: { total_sleep: 415, rem: 75, deep: 80, light: 260, awake: 70, time_in_bed: 485 },
      latency_minutes: 9,
      efficiency_percent: 86,
      lowest_heart_rate_bpm: 57,
      average_heart_rate_bpm: 61.5,
      average_hrv_ms: 43,
      respiratory_rate_breaths_per_minute: 14.875,
      temperature_deviation_celsius: 0.12,
    });
    expect(JSON.stringify(night)).not.toContain("255");
    expect(night.other_periods.length).toBe(2);
    const earlier = await answer(client, "get_night", { day: "2026-01-16" });
    expect(earlier).toMatchObject({ day: "2026-01-16", average_hrv_ms: 52, sleep_score: null });
  });

  test("get_daily_scores: each day's readiness, sleep and activity with contributors", async () => {
    const client = await connect(tokens.get(WEARER)!.token);
    const scores = await answer(client, "get_daily_scores", { start_date: "2026-01-15", end_date: "2026-01-18" });
    expect(scores.days.map((d: any) => [d.day, d.readiness?.score ?? null, d.sleep?.score ?? null, d.activity?.score ?? null])).toEqual([
      ["2026-01-15", 68, null, null],
      ["2026-01-16", 70, null, null],
      ["2026-01-17", 72, null, null],
      ["2026-01-18", 78, 76, 79],
    ]);
    expect(scores.days[3].activity.contributors).toMatchObject({ meet_daily_targets: 72, move_every_hour: 95 });
    expect(scores.unit).toContain("0–100");
    // Days the ring recorded nothing for are said, not left out silently.
    const withGap = await answer(client, "get_daily_scores", { start_date: "2026-01-13", end_date: "2026-01-16" });
    expect(withGap.days_without_scores).toEqual(["2026-01-13", "2026-01-14"]);
  });

  test("get_metric_trend: values per day, the 30-day median as baseline and the change, with the unit", async () => {
    const client = await connect(tokens.get(WEARER)!.token);
    const trend = await answer(client, "get_metric_trend", { metric: "average_hrv", days: 7 });
    expect(trend).toMatchObject({ metric: "hrv", unit: "ms", first_day: "2026-01-12", last_day: "2026-01-18" });
    expect(trend.days.map((d: any) => [d.day, d.value])).toEqual([["2026-01-15", 50], ["2026-01-16", 52], ["2026-01-17", 54], ["2026-01-18", 43]]);
    expect(trend.baseline.value).toBe(51);
    expect(trend.change_vs_baseline).toEqual({ value: -8, text: "−8 ms" });
    const readiness = await answer(client, "get_metric_trend", { metric: "readiness", days: 30 });
    expect(readiness).toMatchObject({ unit: "score 0–100", latest: { day: "2026-01-18", value: 78 }, baseline: { value: 71 } });
  });

  test("list_activities: workouts, sessions and tags of the range, in minutes, kcal and meters", async () => {
    const client = await connect(tokens.get(WEARER)!.token);
    const found = await answer(client, "list_activities", { start_date: "2026-01-17", end_date: "2026-01-18" });
    expect(found.workouts).toEqual([
      expect.objectContaining({ day: "2026-01-18", activity: "walking", duration_minutes: 52, calories_kcal: 187.412, distance_meters: null }),
      expect.objectContaining({ day: "2026-01-17", activity: "running", duration_minutes: 43, calories_kcal: 512, distance_meters: 8046.7 }),
    ]);
    expect(found.sessions.map((s: any) => [s.type, s.duration_minutes, s.mood])).toContainEqual(["meditation", 12, "good"]);
    expect(found.tags.map((t: any) => `${t.day} ${t.tag}`).sort()).toEqual(["2026-01-17 alcohol", "2026-01-17 alcohol", "2026-01-18 Late work call", "2026-01-18 caffeine"]);
    const onlyTheRun = await answer(client, "list_activities", { start_date: "2026-01-17", end_date: "2026-01-17" });
    expect(onlyTheRun.workouts.map((w: any) => w.activity)).toEqual(["running"]);
    expect(onlyTheRun.truncated).toBe(false);
    // 35 workouts in October (one a day from the 1st): the newest 30, and the range that holds the rest.
    await record(WEARER, "workout", Array.from({ length: 35 }, (_, i) => ({ ...oura.workout, id: `october-${i}`, day: new Date(Date.UTC(2025, 9, 1 + i)).toISOString().slice(0, 10) })));
    const cut = await answer(client, "list_activities", { start_date: "2025-10-01", end_date: "2025-11-30" });
    expect(cut.workouts.length).toBe(30);
    expect(cut.truncated).toEqual({ workouts: true, sessions: false, listed: "the newest 30 of each", earlier: { start_date: "2025-10-01", end_date: "2025-10-06" } });
    // More than 30 on the range's last day: no narrower range reaches the rest, and none is offered (no loop).
    await record(WEARER, "workout", Array.from({ length: 32 }, (_, i) => ({ ...oura.workout, id: `one-day-${i}`, day: "2025-09-15" })));
    const oneDay = await answer(client, "list_activities", { start_date: "2025-09-15", end_date: "2025-09-15" });
    expect(oneDay.truncated).toMatchObject({ workouts: true, earlier: null, note: "more than 30 on 2025-09-15: the rest of that day cannot be listed" });
    const rest = await answer(client, "list_activities", cut.truncated.earlier);
    expect(rest.workouts.map((w: any) => w.day).at(-1)).toBe("2025-10-01");
    expect(rest.truncated).toBe(false);
  });

  test("get_heart_rate: min, mean and max bpm per bucket, in the offset asked in, without the 255 'no reading'", async () => {
    const client = await connect(tokens.get(WEARER)!.token);
    const heart = await answer(client, "get_heart_rate", { start: "2026-01-18T06:00:00-05:00", end: "2026-01-18T08:00:00-05:00", resolution: "15min" });
    expect(heart.unit).toBe("bpm");
    expect(heart.buckets.map((b: any) => [b.start, b.min, b.mean, b.max, b.samples])).toEqual([
      ["2026-01-18T06:00:00-05:00", 60, 67, 74, 15],
      ["2026-01-18T06:15:00-05:00", 60, 67, 74, 15],
      ["2026-01-18T06:30:00-05:00", 60, 67, 74, 15],
      ["2026-01-18T06:45:00-05:00", 60, 67, 74, 15],
    ]);
    // A day is the wearer's (New York, -05:00 on their newest night), start and end the same day is that whole day.
    const hourly = await answer(client, "get_heart_rate", { start: "2026-01-18", end: "2026-01-18", resolution: "1h" });
    expect([hourly.start, hourly.end]).toEqual(["2026-01-18T00:00:00-05:00", "2026-01-19T00:00:00-05:00"]);
    expect(hourly.buckets).toEqual([{ start: "2026-01-18T06:00:00-05:00", min: 60, mean: 67, max: 74, samples: 60 }]);
    // Answers an assistant can read: 7 days at 15min (672 buckets) is the most; at 5min, a shorter window or a coarser step.
    expect((await answer(client, "get_heart_rate", { start: "2026-01-12", end: "2026-01-18" })).resolution).toBe("15min");
    expect(await refusal(client, "get_heart_rate", { start: "2026-01-12", end: "2026-01-18", resolution: "5min" })).toBe(
      "2016 buckets of 5min: at most 672 per call — choose resolution 15min, or a window of at most 56 hours at 5min",
    );
  });

  test("tag_effect: the metric the day after tagged days against the other days — means, counts, days and difference", async () => {
    const client = await connect(tokens.get(WEARER)!.token);
    const hrv = await answer(client, "tag_effect", { tag: "alcohol", metric: "hrv", days: 30 });
    expect(hrv).toMatchObject({ unit: "ms", tagged: { count: 1, mean: 43, days: [{ tag_day: "2026-01-17", day: "2026-01-18", value: 43 }] }, other: { count: 3, mean: 52, days: ["2026-01-15", "2026-01-16", "2026-01-17"] } });
    expect(hrv.difference).toEqual({ value: -9, text: "−9 ms" });
    const readiness = await answer(client, "tag_effect", { tag: "Alcohol", metric: "readiness" });
    expect(readiness).toMatchObject({ tagged: { count: 1, mean: 78 }, other: { count: 3, mean: 70 }, difference: { value: 8 } });
  });
});

describe("the latest summary as a resource, and the prompts", () => {
  test("oura://today: the newest scores with contributors, stress in minutes, the temperature deviation — the token's wearer's", async () => {
    const client = await connect(tokens.get(WEARER)!.token);
    // The wearer's own, also by name; another wearer's by name is refused.
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(["oura://today", `oura://today/${WEARER}`]);
    await expect(client.readResource({ uri: `oura://today/${OTHER}` })).rejects.toThrow(/-32602.*reads only its own wearer's data: read oura:\/\/today$/);
    await expect(client.readResource({ uri: "oura://today/%E0%A4%A" })).rejects.toThrow(/-32602.*not percent-encoded/);
    const read = await client.readResource({ uri: "oura://today" });
    const today = JSON.parse((read.contents[0] as { text: string }).text);
    expect(today).toMatchObject({
      user: WEARER,
      today: "2026-01-18",
      readiness: { day: "2026-01-18", score: 78 },
      sleep: { day: "2026-01-18", score: 76, contributors: { deep_sleep: 88 } },
      activity: { day: "2026-01-18", score: 79 },
      stress: { day: "2026-01-18", summary: "restored", stress_high_minutes: 45, recovery_high_minutes: 165 },
      resilience: { level: "solid" },
      temperature_deviation_celsius: { day: "2026-01-18", value: 0.12 },
    });
    const theirs = JSON.parse(((await (await connect(tokens.get(OTHER)!.token)).readResource({ uri: "oura://today" })).contents[0] as { text: string }).text);
    expect(theirs).toMatchObject({ user: OTHER, readiness: { score: 55 }, sleep: null });
    // The API token with several users: oura://today cannot choose (an invalid-params error naming them); the template can.
    const operator = await connect(TEST_API_TOKEN);
    const listed = (await operator.listResources()).resources.map((r) => r.uri);
    expect(listed).toEqual(expect.arrayContaining([`oura://today/${WEARER}`, `oura://today/${OTHER}`]));
    await expect(operator.readResource({ uri: "oura://today" })).rejects.toThrow(/-32602.*read oura:\/\/today\/\{user\}, e\.g\. oura:\/\/today\/WEARER-NY/);
    const byName = JSON.parse(((await operator.readResource({ uri: `oura://today/${OTHER}` })).contents[0] as { text: string }).text);
    expect(byName).toMatchObject({ user: OTHER, readiness: { score: 55 } });
    const log = ((await (await fetch(new URL("/mcp-tokens/log?limit=1", base), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).json()) as { calls: any[] }).calls;
    expect(log[0]).toMatchObject({ token_id: "api", user_id: OTHER, tool: `resource oura://today/${OTHER}`, outcome: "ok" });
  });

  test("morning_briefing and weekly_review name the tools to call", async () => {
    const client = await connect(tokens.get(WEARER)!.token);
    expect((await client.listPrompts()).prompts.map((p) => p.name).sort()).toEqual(["morning_briefing", "weekly_review"]);
    const briefing = await client.getPrompt({ name: "morning_briefing", arguments: {} });
    expect((briefing.messages[0]!.content as { text: string }).text).toContain("get_night");
    const review = await client.getPrompt({ name: "weekly_review", arguments: { end_date: "2026-01-18" } });
    expect((review.messages[0]!.content as { text: string }).text).toContain("2026-01-12 to 2026-01-18");
    expect((review.messages[0]!.content as { text: string }).text).toContain("tag_effect");
    // A past week: the trend reaches back over it and the 30 days before (get_metric_trend ends today).
    const past = await client.getPrompt({ name: "weekly_review", arguments: { end_date: "2025-12-31" } });
    expect((past.messages[0]!.content as { text: string }).text).toContain("2025-12-25 to 2025-12-31");
    expect((past.messages[0]!.content as { text: string }).text).toContain("with days 55");
    // Arguments are checked as the tools check them.
    await expect(client.getPrompt({ name: "weekly_review", arguments: { end_date: "2026-02-30" } })).rejects.toThrow(/-32602.*calendar day/);
    await expect(client.getPrompt({ name: "weekly_review", arguments: { end_date: "2026-01-19" } })).rejects.toThrow(/2026-01-18 or earlier/);
    await expect(client.getPrompt({ name: "morning_briefing", arguments: { user: OTHER } })).rejects.toThrow(/reads only its own wearer's data/);
    // A week further back than the trend reaches: the 30 days before it from the daily scores instead.
    const old = await client.getPrompt({ name: "weekly_review", arguments: { end_date: "2024-06-30" } });
    expect((old.messages[0]!.content as { text: string }).text).toContain("get_daily_scores for 2024-05-25 to 2024-06-23 as the usual");
    // The API token with several users names one, or is told to.
    const operator = await connect(TEST_API_TOKEN);
    await expect(operator.getPrompt({ name: "morning_briefing", arguments: {} })).rejects.toThrow(/-32602.*pass "user"/);
    expect(((await operator.getPrompt({ name: "morning_briefing", arguments: { user: OTHER } })).messages[0]!.content as { text: string }).text).toContain(`with user "${OTHER}"`);
  });
});

describe("bad arguments are tool errors an assistant can act on", () => {
  test("range too long, unknown metric, bad day, no data: isError with what to send instead", async () => {
    const client = await connect(tokens.get(WEARER)!.token);
    expect(await refusal(client, "get_daily_scores", { start_date: "2025-01-01", end_date: "2026-01-18" })).toContain("at most 90 days");
    expect(await refusal(client, "get_metric_trend", { metric: "mood" })).toContain("one of sleep, readiness, activity, hrv");
    expect(await refusal(client, "get_metric_trend", { metric: "hrv", days: 400 })).toContain("at most 365");
    expect(await refusal(client, "get_heart_rate", { start: "2026-01-01", end: "2026-01-18" })).toContain("at most 7 days");
    expect(await refusal(client, "get_heart_rate", { start: "yesterday", end: "2026-01-18" })).toContain("ISO 8601");
    expect(await refusal(client, "get_night", { day: "2026-01-02" })).toContain("no night recorded for 2026-01-02");
    expect(await refusal(client, "get_night", { day: "18/01/2026" })).toContain("YYYY-MM-DD");
    expect(await refusal(client, "tag_effect", { tag: "sauna", metric: "hrv" })).toContain("tags recorded then: ");
    // A type the schema refuses is the SDK's own tool error, not a transport failure either.
    expect(await refusal(client, "get_metric_trend", { metric: 42 })).toContain("metric");
    // An argument the tool does not take (a misspelling) is refused, not silently ignored.
    expect(await refusal(client, "get_night", { date: "2026-01-16" })).toContain("date");
    // null for an optional argument is its absence (some clients send it).
    expect(await answer(client, "get_night", { day: null, user: null })).toMatchObject({ user: WEARER, day: "2026-01-18" });
    expect((await answer(client, "get_metric_trend", { metric: "hrv", days: null })).first_day).toBe("2025-12-20");
  });

  test("requests no assistant sends: a clear refusal, logged, never a 500", async () => {
    const token = tokens.get(WEARER)!.token;
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(new URL("/mcp", base), { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${token}`, ...headers }, body });
    const toolCall = (args: string, id = 7) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"get_night","arguments":${args}}}`;
    // Arguments nested 50,000 deep (the SDK's validation would overflow the stack): 400, and in the log.
    const deep = await post(toolCall(`{"x":${"[".repeat(50_000)}${"]".repeat(50_000)}}`));
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as any).error).toMatchObject({ code: "bad_request", message: expect.stringContaining("nests deeper than 32 levels") });
    const log = ((await (await json("/mcp-tokens/log?limit=1", WEARER)).json()) as { calls: any[] }).calls;
    expect(log[0]).toMatchObject({ tool: "get_night", arguments: "(nested deeper than 32 levels)", outcome: "error", user_id: WEARER });
    // A tools/call without a name, or with arguments that are not an object: the protocol's invalid params.
    for (const body of [`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"arguments":{}}}`, toolCall("[1,2]", 9)]) {
      const answered = await post(body);
      expect(answered.status).toBe(200);
      expect(((await answered.json()) as any).error).toMatchObject({ code: -32602, message: expect.stringContaining("params.name") });
    }
    // Prompts and resources too: params that are not what the method takes are invalid params, never an internal error.
    for (const body of [
      `{"jsonrpc":"2.0","id":10,"method":"prompts/get","params":{"name":"weekly_review","arguments":{"end_date":5}}}`,
      `{"jsonrpc":"2.0","id":11,"method":"prompts/get","params":{"name":"weekly_review","arguments":[]}}`,
      `{"jsonrpc":"2.0","id":12,"method":"resources/read","params":{"uri":5}}`,
    ]) {
      expect(((await (await post(body)).json()) as any).error.code).toBe(-32602);
    }
    const nullUser = (await (await post(`{"jsonrpc":"2.0","id":13,"method":"prompts/get","params":{"name":"morning_briefing","arguments":{"user":null}}}`)).json()) as any;
    expect(nullUser.result.messages[0].content.text).toContain("morning briefing");
    // A page of another site (Origin) is refused, as the protocol asks.
    const foreign = await post(toolCall("{}"), { origin: "http://evil.example" });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as any).error.code).toBe("csrf_failed");
    expect((await post(toolCall("{}"), { origin: base })).status).toBe(200);
  });
});

describe("whose data: a wearer's token reads its wearer only", () => {
  test("every tool, asked for the other wearer with `user`, is refused; without it answers the token's own wearer", async () => {
    const client = await connect(tokens.get(WEARER)!.token);
    const calls: [string, Record<string, unknown>][] = [
      ["get_night", {}],
      ["get_daily_scores", { start_date: "2026-01-18", end_date: "2026-01-18" }],
      ["get_metric_trend", { metric: "hrv" }],
      ["list_activities", { start_date: "2026-01-17", end_date: "2026-01-18" }],
      ["get_heart_rate", { start: "2026-01-18", end: "2026-01-19" }],
      ["tag_effect", { tag: "alcohol", metric: "hrv" }],
    ];
    for (const [tool, args] of calls) {
      expect(await refusal(client, tool, { ...args, user: OTHER })).toContain("reads only its own wearer's data");
      const own = await answer(client, tool, args);
      expect(own.user).toBe(WEARER);
      // The other wearer's numbers (HRV 97.25, lowest heart rate 41, readiness 55, heart rate 120) appear nowhere.
      for (const others of ["97.25", ":41,", ":55,", ":120,"]) expect(JSON.stringify(own)).not.toContain(others);
    }
    const theirs = await connect(tokens.get(OTHER)!.token);
    expect(await answer(theirs, "get_night", {})).toMatchObject({ user: OTHER, average_hrv_ms: 97.25, lowest_heart_rate_bpm: 41 });
    expect(await refusal(theirs, "get_heart_rate", { start: "2026-01-18T11:10:00Z", end: "2026-01-18T12:00:00Z" })).toContain("no heart-rate samples");
  });

  test("the API token reads any linked user, chosen by `user` (required when several are linked)", async () => {
    const client = await connect(TEST_API_TOKEN);
    expect(await refusal(client, "get_night", {})).toContain(`pass "user"`);
    expect(await answer(client, "get_night", { user: OTHER })).toMatchObject({ user: OTHER, average_hrv_ms: 97.25 });
    expect(await refusal(client, "get_night", { user: "NOBODY" })).toContain(`no linked Oura user "NOBODY"`);
  });
});

describe("access", () => {
  test("no token, an unknown token, or a revoked one: 401 JSON, and the SDK client cannot connect", async () => {
    const post = (authorization?: string, body = "{}") =>
      fetch(new URL("/mcp", base), { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...(authorization ? { authorization } : {}) }, body });
    const getNight = (id: number, day: string) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"get_night","arguments":{"day":"${day}"}}}`;
    const none = await post();
    expect(none.status).toBe(401);
    // RFC 6750's challenge: which scheme, and for a token presented, that it is not valid.
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="oura-streaming"');
    const unknown = await post("Bearer oura_mcp_not-a-token");
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("www-authenticate")).toBe('Bearer realm="oura-streaming", error="invalid_token"');
    expect(((await unknown.json()) as any).error.code).toBe("unauthorized");

    const made = await makeToken(WEARER, "to revoke");
    const client = await connect(made.token);
    expect((await answer(client, "get_night", {})).user).toBe(WEARER);
    // The other wearer cannot revoke it; its owner can.
    expect((await json(`/mcp-tokens/${made.id}`, OTHER, { method: "DELETE" })).status).toBe(404);
    const revoked = await json(`/mcp-tokens/${made.id}`, WEARER, { method: "DELETE" });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as any).revoked_at).not.toBeNull();
    expect((await post(`Bearer ${made.token}`)).status).toBe(401);
    // Refused, and in the wearer's log under that token: someone still uses it.
    expect((await post(`Bearer ${made.token}`, getNight(1, "2026-01-17"))).status).toBe(401);
    const log = ((await (await json("/mcp-tokens/log?limit=1", WEARER)).json()) as { calls: any[] }).calls;
    expect(log[0]).toMatchObject({ token_id: made.id, user_id: WEARER, tool: "get_night", arguments: JSON.stringify({ day: "2026-01-17" }), outcome: "error" });
    // An assistant left running with it: refused every time, logged once a minute, and never counted as guessing —
    // the address is not locked out (the 21st wrong token would be 429) and the API token still opens /mcp from it.
    for (let i = 0; i < 25; i++) expect((await post(`Bearer ${made.token}`)).status).toBe(401);
    expect((await post(`Bearer ${made.token}`, getNight(2, "2026-01-16"))).status).toBe(401);
    const after = ((await (await json("/mcp-tokens/log?limit=1", WEARER)).json()) as { calls: any[] }).calls;
    expect(after[0].id).toBe(log[0].id);
    expect((await post(`Bearer ${TEST_API_TOKEN}`)).status).not.toBe(429);
    await expect(connect(made.token)).rejects.toThrow();
  });

  test("a wearer unlinked loses their tokens (like their sessions); purged, their tokens and access log are gone", async () => {
    const LEAVER = "WEARER-LEAVING";
    const operator = { authorization: `Bearer ${TEST_API_TOKEN}` };
    const postMcp = (token: string) =>
      fetch(new URL("/mcp", base), { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${token}` }, body: "{}" });
    for (const purge of [false, true]) {
      sessions.set(LEAVER, await signInWithOura(fake, base, LEAVER));
      const made = await makeToken(LEAVER, purge ? "purged" : "unlinked");
      // Let in (a tool error of their own: no data yet), and logged.
      expect((await call(await connect(made.token), "get_metric_trend", { metric: "readiness", days: 7 })).content[0]?.text).toStartWith("no Readiness values");
      expect((await fetch(new URL(`/auth/users/${LEAVER}${purge ? "?purge=true" : ""}`, base), { method: "DELETE", headers: operator })).status).toBe(200);
      expect((await postMcp(made.token)).status).toBe(401);
    }
    const rows = (table: string) => (running.storage.connection.database.query(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`).get(LEAVER) as { n: number }).n;
    expect([rows("mcp_tokens"), rows("mcp_access_log")]).toEqual([0, 0]);
  });

  test("tokens are listed without the secret and stored as a digest only; a wearer lists their own", async () => {
    const listed = (await (await json("/mcp-tokens", WEARER)).json()) as { tokens: { id: string; user_id: string }[] };
    expect(listed.tokens.length).toBeGreaterThan(0);
    expect(listed.tokens.every((t) => t.user_id === WEARER)).toBe(true);
    expect(JSON.stringify(listed)).not.toContain("oura_mcp_");
    const stored = running.storage.connection.database.query<{ token_digest: string }, []>("SELECT token_digest FROM mcp_tokens").all();
    const secret = tokens.get(WEARER)!.token;
    expect(stored.some((row) => row.token_digest === new Bun.CryptoHasher("sha256").update(secret).digest("hex"))).toBe(true);
    expect(stored.some((row) => row.token_digest.includes(secret))).toBe(false);
  });

  test("the access log records each call (token, tool, arguments, outcome); a wearer sees their own calls only", async () => {
    const mine = await connect(tokens.get(WEARER)!.token);
    await answer(mine, "get_metric_trend", { metric: "steps", days: 3 });
    await refusal(mine, "get_metric_trend", { metric: "nope" });
    const log = ((await (await json("/mcp-tokens/log?limit=500", WEARER)).json()) as { calls: any[] }).calls;
    expect(log[1]).toMatchObject({ token_id: tokens.get(WEARER)!.id, user_id: WEARER, tool: "get_metric_trend", arguments: JSON.stringify({ metric: "steps", days: 3 }), outcome: "ok" });
    expect(log[0]).toMatchObject({ tool: "get_metric_trend", outcome: "error" });
    expect(log.every((c) => c.user_id === WEARER)).toBe(true);
    // The refused call for the other wearer is in the asking wearer's log, never in the other's.
    expect(log.some((c) => c.outcome === "error" && c.arguments.includes(OTHER))).toBe(true);
    // Calls the SDK refuses before any tool runs are logged too: a wrong type, an unknown tool.
    expect(await refusal(mine, "get_metric_trend", { metric: "hrv", days: "thirty" })).toContain("days");
    await mine.callTool({ name: "read_everything", arguments: { table: "sleep" } }).catch(() => undefined);
    const refused = ((await (await json("/mcp-tokens/log?limit=2", WEARER)).json()) as { calls: any[] }).calls;
    expect(refused.map((c) => [c.tool, c.arguments, c.outcome, c.user_id])).toEqual([
      ["read_everything", JSON.stringify({ table: "sleep" }), "error", WEARER],
      ["get_metric_trend", JSON.stringify({ metric: "hrv", days: "thirty" }), "error", WEARER],
    ]);
    const theirs = ((await (await json("/mcp-tokens/log?limit=500", OTHER)).json()) as { calls: any[] }).calls;
    expect(theirs.every((c) => c.user_id === OTHER && c.token_id !== tokens.get(WEARER)!.id)).toBe(true);
    // Paged, newest first: the cursor reaches the older calls.
    const first = (await (await json("/mcp-tokens/log?limit=2", WEARER)).json()) as { calls: any[]; next_cursor: string };
    const second = (await (await json(`/mcp-tokens/log?limit=2&cursor=${first.next_cursor}`, WEARER)).json()) as { calls: any[] };
    const newest = ((await (await json("/mcp-tokens/log?limit=4", WEARER)).json()) as { calls: any[] }).calls;
    expect([...first.calls, ...second.calls].map((c) => c.id)).toEqual(newest.map((c) => c.id));
    expect(new Set(newest.map((c) => c.id)).size).toBe(4);
    const all = ((await (await fetch(new URL("/mcp-tokens/log?limit=500", base), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).json()) as { calls: any[] }).calls;
    expect(all.some((c) => c.token_id === "api" && c.user_id === OTHER && c.tool === "get_night")).toBe(true);
  });
});

describe("the dashboard's AI assistants section", () => {
  const form = (as: string, body: Record<string, string>) => json("/dashboard/assistants", as, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body) });

  test("a wearer makes a token (shown once, with the client configurations), it works on /mcp, and revoking it there ends it", async () => {
    const made = await form(WEARER, { name: "Claude Desktop" });
    expect(made.status).toBe(200);
    const html = await made.text();
    const token = html.match(/id="assistant-token">(oura_mcp_[A-Za-z0-9_-]+)</)?.[1];
    expect(token).toBeDefined();
    expect(html).toContain("OURA_MCP_TOKEN");
    // VS Code's keys ("servers", "type") and Cursor's ("mcpServers", no type) each in their own file's shape.
    const configurations = [...html.matchAll(/<pre>([^<]+)<\/pre>/g)].map((m) => JSON.parse(m[1]!.replaceAll("&quot;", '"')));
    expect(configurations[1]).toEqual({ servers: { oura: { type: "http", url: `${base}/mcp`, headers: { Authorization: `Bearer ${token}` } } } });
    expect(configurations[2]).toEqual({ mcpServers: { oura: { url: `${base}/mcp`, headers: { Authorization: `Bearer ${token}` } } } });
    expect(html).toContain(`${base}/mcp`);
    expect((await answer(await connect(token!), "get_night", {})).user).toBe(WEARER);
    // Shown once: the panel afterwards lists it by name, never the token; the access log shows the call.
    const panel = await (await json("/dashboard/assistants", WEARER)).text();
    expect(panel).toContain("Claude Desktop");
    expect(panel).not.toContain(token!);
    expect(panel).toContain("get_night");
    const id = panel.match(/hx-delete="\/dashboard\/assistants\/([^"]+)"[^>]*hx-confirm="Revoke the token Claude Desktop\?"/)?.[1];
    expect(id).toBeDefined();
    // Another wearer cannot revoke it (404); its owner can, after which /mcp refuses it.
    expect((await json(`/dashboard/assistants/${id}`, OTHER, { method: "DELETE" })).status).toBe(404);
    expect((await json(`/dashboard/assistants/${id}`, WEARER, { method: "DELETE" })).status).toBe(200);
    await expect(connect(token!)).rejects.toThrow();
  });

  test("the section is on the wearer's page, and a change without the CSRF token is refused", async () => {
    expect(await (await json("/dashboard", WEARER)).text()).toContain('hx-get="/dashboard/assistants"');
    const session = sessions.get(WEARER)!;
    const forged = await fetch(new URL("/dashboard/assistants", base), { method: "POST", headers: { cookie: session.cookie, "content-type": "application/x-www-form-urlencoded" }, body: "name=forged" });
    expect(forged.status).toBe(403);
  });
});

describe("over the stdio bridge (oura-streaming mcp)", () => {
  const bridged = async (token: string, env: Record<string, string> = {}) => {
    const client = new Client({ name: "mcp-stdio-test", version: "1.0.0" });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["src/main.ts", "mcp"],
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", OURA_MCP_URL: `${base}/mcp`, OURA_MCP_TOKEN: token, ...env },
      stderr: "pipe",
    });
    clients.push(client);
    await client.connect(transport);
    return client;
  };

  test("the same tools and answers, and the same refusals, through a local command", async () => {
    const client = await bridged(tokens.get(WEARER)!.token);
    expect((await client.listTools()).tools.length).toBe(6);
    expect(await answer(client, "get_night", {})).toMatchObject({ user: WEARER, sleep_score: 76, average_hrv_ms: 43 });
    expect(await refusal(client, "get_night", { user: OTHER })).toContain("reads only its own wearer's data");
  });

  test("a refused token: the assistant gets an error answer, not a hang", async () => {
    await expect(bridged("oura_mcp_wrong")).rejects.toThrow(/refused the token \(OURA_MCP_TOKEN\)/);
  });

  test("a server that accepts but never answers, or opens a stream and stalls: an error after OURA_MCP_TIMEOUT_SECONDS, not a hang", async () => {
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const stalling = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response(new ReadableStream({ start: (stream) => stream.enqueue(new TextEncoder().encode(": hi\n\n")) }), { headers: { "content-type": "text/event-stream" } }),
    });
    try {
      for (const url of [`http://127.0.0.1:${silent.port}/mcp`, `http://127.0.0.1:${stalling.port}/mcp`]) {
        const started = performance.now();
        await expect(bridged("oura_mcp_any", { OURA_MCP_URL: url, OURA_MCP_TIMEOUT_SECONDS: "1" })).rejects.toThrow(/did not answer: no answer within 1 s/);
        expect(performance.now() - started).toBeLessThan(4_000);
      }
    } finally {
      silent.stop(true);
      stalling.stop(true);
    }
  });
});

describe("the MCP Inspector's command line, a second and independent client", () => {
  // @modelcontextprotocol/inspector's CLI (its own client, @modelcontextprotocol/client 2.x), as a user runs it with npx.
  const inspector = async (token: string, ...args: string[]) => {
    const home = tempDir("inspector-home-");
    // Not spawnSync: the server under test answers from this very process.
    const run = Bun.spawn([`${REPO_ROOT}/node_modules/.bin/mcp-inspector`, "--cli", `${base}/mcp`, "--header", `Authorization: Bearer ${token}`, "--stored-auth-only", ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: home, MCP_CATALOG_PATH: `${home}/mcp.json` },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: 20_000,
    });
    const [stdout, stderr, exitCode] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
    return { exitCode, stdout, stderr };
  };

  test("lists the six tools (portable schemas under --strict) and calls one with a wearer's token, logged as theirs", async () => {
    const listed = await inspector(tokens.get(WEARER)!.token, "--method", "tools/list", "--strict");
    expect(listed.stderr).toBe("");
    expect(listed.exitCode).toBe(0);
    const { tools } = JSON.parse(listed.stdout) as { tools: { name: string; annotations?: { readOnlyHint?: boolean } }[] };
    expect(tools.map((t) => t.name).sort()).toEqual(["get_daily_scores", "get_heart_rate", "get_metric_trend", "get_night", "list_activities", "tag_effect"]);
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);

    const called = await inspector(tokens.get(WEARER)!.token, "--method", "tools/call", "--tool-name", "get_night", "--tool-arg", "day=2026-01-18");
    expect(called.exitCode).toBe(0);
    expect(JSON.parse(called.stdout).structuredContent).toMatchObject({ user: WEARER, day: "2026-01-18", sleep_score: 76, average_hrv_ms: 43 });
    const log = ((await (await json("/mcp-tokens/log?limit=1", WEARER)).json()) as { calls: any[] }).calls;
    expect(log[0]).toMatchObject({ token_id: tokens.get(WEARER)!.id, tool: "get_night", arguments: JSON.stringify({ day: "2026-01-18" }), outcome: "ok" });
  });
});

describe("while webhooks pour in", () => {
  test("tool calls take turns (one start every 200 ms) and go at once again when ingest is quiet", async () => {
    const client = await connect(tokens.get(WEARER)!.token);
    const fourCalls = async () => {
      const started = performance.now();
      await Promise.all(Array.from({ length: 4 }, () => answer(client, "get_metric_trend", { metric: "readiness", days: 7 })));
      return performance.now() - started;
    };
    const quiet = await fourCalls();
    // 300 signed notifications for a user not linked here (stored, nothing fetched), all at once.
    const at = Math.floor(clock.now() / 1000);
    const statuses = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        fake.deliver(`${base}/webhooks`, { event_type: "create", data_type: "workout", object_id: `burst-${i}`, event_time: new Date(clock.now()).toISOString(), user_id: "SOMEONE-ELSE" }, at).then((r) => r.status),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([201]));
    const busy = await fourCalls();
    expect(busy).toBeGreaterThanOrEqual(590);
    expect(quiet).toBeLessThan(590);
  });
});
