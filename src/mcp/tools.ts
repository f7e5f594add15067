// The assistant's tools over MCP: each a thin adapter of the assistant service (services/assistant.ts) — arguments in,
// the answer as JSON out, a ToolError as a tool result with isError (the assistant reads it and asks again). The
// access log is written around the transport (mcp/access-log.ts), so it has the calls the SDK refuses too.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "@hono/zod-openapi";
import { HEART_RATE_RESOLUTIONS, MOST_HEART_RATE_BUCKETS, MOST_HEART_RATE_DAYS, MOST_TAG_EFFECT_DAYS, MOST_TREND_DAYS } from "../assistant/analysis.ts";
import { MOST_ACTIVITY_DAYS, MOST_SCORE_DAYS } from "../assistant/records.ts";
import { ToolError } from "../assistant/tool-args.ts";
import type { Principal } from "../auth/principal.ts";
import type { Logger } from "../log.ts";
import type { AssistantService } from "../services/assistant.ts";
import { METRICS } from "../views/metrics.ts";

export interface ToolContext {
  assistant: AssistantService;
  principal: Principal;
  logger: Logger;
}

// Limits are checked by the service, not the schemas, so a refusal says what to send and is in the access log.
const user = z.string().max(256).optional().describe("Whose data (the API token only: a linked Oura user id). A wearer's token reads its own wearer and refuses any other.");
const date = (what: string) => z.string().max(40).describe(`${what}, YYYY-MM-DD (Oura's day; a night's day is the morning's date)`);
const metric = z.string().max(60).describe(`One of ${METRICS.map((m) => m.key).join(", ")} (average_hrv and lowest_heart_rate are accepted for hrv and resting_hr)`);

/** Arguments as declared and no others: a misspelt one ("date" for "day") is refused, not silently ignored. */
const exactly = <S extends z.ZodRawShape>(shape: S) => z.object(shape).strict();

// Built once: a schema's parser is compiled on its first use, and every request registers the same tools.
const NIGHT_ARGUMENTS = exactly({ day: date("The night's day").optional(), user });
const RANGE_ARGUMENTS = exactly({ start_date: date("First day"), end_date: date("Last day"), user });
const TREND_ARGUMENTS = exactly({ metric, days: z.number().optional().describe(`Days ending today, 1–${MOST_TREND_DAYS} (default 30)`), user });
const HEART_RATE_ARGUMENTS = exactly({
        start: z.string().max(40).describe("ISO 8601 date-time with offset (2026-01-18T06:00:00-05:00), or a day (the wearer's: from its midnight)"),
        end: z.string().max(40).describe("ISO 8601 date-time with offset, or a day (the wearer's: through its end, so start and end the same day is that day)"),
        resolution: z.enum(Object.keys(HEART_RATE_RESOLUTIONS) as [keyof typeof HEART_RATE_RESOLUTIONS]).optional().describe(`Bucket size (default 15min; at most ${MOST_HEART_RATE_BUCKETS} buckets per call)`),
        user,
      });
const TAG_EFFECT_ARGUMENTS = exactly({ tag: z.string().max(60).describe("A tag as the dashboard names it (alcohol, caffeine, late meal, or a custom tag's name)"), metric, days: z.number().optional().describe(`1–${MOST_TAG_EFFECT_DAYS} (default 90)`), user });

export function registerAssistantTools(server: McpServer, context: ToolContext): void {
  const { assistant, principal } = context;

  function answer<A extends object>(tool: string, run: (args: A) => Promise<object>) {
    return async (args: A): Promise<CallToolResult> => {
      try {
        const result = await run(args);
        return { content: [{ type: "text", text: JSON.stringify(result) }], structuredContent: result as Record<string, unknown> };
      } catch (error) {
        if (error instanceof ToolError) return { isError: true, content: [{ type: "text", text: error.message }] };
        // Never the health data or the error's text in the log: the tool and the kind of failure.
        context.logger.error("mcp.tool_failed", { tool, error: error instanceof Error ? error.name : "unknown" });
        return { isError: true, content: [{ type: "text", text: "the server could not answer this call; try again later" }] };
      }
    };
  }
  const readOnly = { readOnlyHint: true, openWorldHint: false };

  server.registerTool(
    "get_night",
    {
      title: "A night's sleep",
      description:
        "The main sleep of a day (or the newest night): sleep score and contributors (0–100), bedtime start and end with the ring's UTC offset, total/REM/deep/light/awake and time in bed in minutes, latency in minutes, efficiency %, lowest and average heart rate (bpm), average HRV (ms), respiratory rate (breaths/min), temperature deviation (°C), SpO2 %, and naps beside it.",
      inputSchema: NIGHT_ARGUMENTS,
      annotations: readOnly,
    },
    answer("get_night", (args) => assistant.night(principal, args)),
  );

  server.registerTool(
    "get_daily_scores",
    {
      title: "Daily scores",
      description: `Readiness, sleep and activity scores (0–100) with their contributors (0–100), per day from start_date to end_date (at most ${MOST_SCORE_DAYS} days).`,
      inputSchema: RANGE_ARGUMENTS,
      annotations: readOnly,
    },
    answer("get_daily_scores", (args) => assistant.dailyScores(principal, args)),
  );

  server.registerTool(
    "get_metric_trend",
    {
      title: "A metric's trend",
      description: `A daily metric over the last N days (default 30, at most ${MOST_TREND_DAYS}) with its unit, the wearer's baseline (the median of the last 30 days) and the latest value's change against it.`,
      inputSchema: TREND_ARGUMENTS,
      annotations: readOnly,
    },
    answer("get_metric_trend", (args) => assistant.metricTrend(principal, args)),
  );

  server.registerTool(
    "list_activities",
    {
      title: "Workouts, sessions and tags",
      description: `Workouts (minutes, kcal, meters, intensity), sessions (meditation, breathing, naps; minutes, mood) and tags from start_date to end_date (at most ${MOST_ACTIVITY_DAYS} days), newest first, at most 30 workouts and 30 sessions.`,
      inputSchema: RANGE_ARGUMENTS,
      annotations: readOnly,
    },
    answer("list_activities", (args) => assistant.activities(principal, args)),
  );

  server.registerTool(
    "get_heart_rate",
    {
      title: "Heart rate over a window",
      description: `Heart rate in bpm from start to end (at most ${MOST_HEART_RATE_DAYS} days and ${MOST_HEART_RATE_BUCKETS} buckets: 7 days at 15min, 2⅓ days at 5min): min, mean and max per bucket of the chosen resolution, bucket times in start's offset.`,
      inputSchema: HEART_RATE_ARGUMENTS,
      annotations: readOnly,
    },
    answer("get_heart_rate", (args) => assistant.heartRate(principal, args)),
  );

  server.registerTool(
    "tag_effect",
    {
      title: "What a tag does to a metric",
      description: `A metric on the day after days tagged with a tag (e.g. alcohol, caffeine, late meal — the night after, the next day's readiness) against every other day, over the last N days (default 90, at most ${MOST_TAG_EFFECT_DAYS}): both means, counts, the days used and the difference, with the unit.`,
      inputSchema: TAG_EFFECT_ARGUMENTS,
      annotations: readOnly,
    },
    answer("tag_effect", (args) => assistant.tagEffect(principal, args)),
  );
}
