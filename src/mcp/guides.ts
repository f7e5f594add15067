// What an assistant may read without a tool call, and the questions it is offered: the latest daily summary as a
// resource, and prompts for a morning briefing and a weekly review that name the tools to call.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "@hono/zod-openapi";
import { MOST_TAG_EFFECT_DAYS, MOST_TREND_DAYS } from "../assistant/analysis.ts";
import { DAY_MS, ToolError } from "../assistant/tool-args.ts";
import { isCalendarDay } from "../time/calendar-day.ts";
import { shiftDay } from "../views/night-data.ts";
import type { ToolContext } from "./tools.ts";

export const TODAY_URI = "oura://today";

type ResourceTemplateClass = typeof import("@modelcontextprotocol/sdk/server/mcp.js").ResourceTemplate;

/** Answered as the protocol's invalid-params error with this message (a resource or prompt has no error result). */
class InvalidParams extends Error {
  readonly code = -32602;
}

/**
 * The resource `oura://today` (the one wearer a token reads, or the only linked user) and `oura://today/{user}` (for
 * the API token with several users: listed, one per user). The SDK is loaded lazily, so its ResourceTemplate is passed in.
 */
export function registerAssistantGuides(server: McpServer, context: ToolContext, ResourceTemplate: ResourceTemplateClass): void {
  const { assistant, principal } = context;
  const meta = { mimeType: "application/json" };
  const readToday = async (uri: URL, user: string | undefined) => {
    // Said in a resource's terms (its URI), where a tool would say "pass user".
    const readable = assistant.readable(principal);
    if (user === undefined && principal.userId === null && readable.length > 1) {
      throw new InvalidParams(`${TODAY_URI} is one user's summary and several are linked: read ${TODAY_URI}/{user}, e.g. ${readable.slice(0, 5).map((u) => `${TODAY_URI}/${encodeURIComponent(u)}`).join(", ")} (resources/list has them all)`);
    }
    if (user !== undefined && principal.userId !== null && !principal.canSee(user)) throw new InvalidParams(`this token reads only its own wearer's data: read ${TODAY_URI}`);
    try {
      return { contents: [{ uri: uri.href, ...meta, text: JSON.stringify(await assistant.today(principal, { user })) }] };
    } catch (error) {
      throw error instanceof ToolError ? new InvalidParams(error.message) : new Error("the server could not read the summary");
    }
  };

  server.registerResource(
    "today",
    TODAY_URI,
    { title: "Today's summary", description: `The newest readiness, sleep and activity scores (within a week) with contributors, stress, resilience and temperature deviation. With the API token and several users: ${TODAY_URI}/{user}.`, ...meta },
    (uri) => readToday(uri, undefined),
  );
  server.registerResource(
    "today_of_user",
    new ResourceTemplate(`${TODAY_URI}/{user}`, {
      list: async () => ({ resources: assistant.readable(principal).map((user) => ({ uri: `${TODAY_URI}/${encodeURIComponent(user)}`, name: `today ${user}`, title: `Today's summary of ${user}`, ...meta })) }),
    }),
    { title: "Today's summary of a user", description: "The same summary for one linked user (the API token: any; a wearer's token: its own).", ...meta },
    (uri, variables) => {
      let user: string;
      try {
        user = decodeURIComponent(String(variables.user));
      } catch {
        throw new InvalidParams(`the user in ${uri.href} is not percent-encoded text`);
      }
      return readToday(uri, user);
    },
  );

  const asUser = { user: z.string().max(256).optional().describe("The API token only: whose data") };
  /**
   * A prompt's `user`, checked as a tool checks it: a wearer's token naming another, or the API token naming none of
   * several linked users, is refused here already rather than in every tool call the prompt asks for.
   */
  const forUser = (user: string | undefined) => {
    try {
      const whose = assistant.whose(principal, user);
      return principal.userId === null ? ` with user "${whose}"` : "";
    } catch (error) {
      throw new InvalidParams(error instanceof Error ? error.message : "user cannot be read");
    }
  };

  server.registerPrompt(
    "morning_briefing",
    { title: "Morning briefing", description: "Last night and today's readiness, against the wearer's usual.", argsSchema: asUser },
    ({ user }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text: `Give me a short morning briefing from my Oura data${forUser(user)}. Call get_night (the newest night) and get_metric_trend for readiness, hrv and resting_hr over 30 days. Say last night's sleep score, total sleep and stages in hours and minutes, lowest heart rate and HRV, and today's readiness against my baseline (the 30-day median), naming the contributors that pulled it down. State each day you speak of, and the units. End with one practical suggestion for today.`,
          },
        },
      ],
    }),
  );

  server.registerPrompt(
    "weekly_review",
    { title: "Weekly review", description: "The seven days to end_date: scores, trends, workouts and what tags did.", argsSchema: { end_date: z.string().max(10).optional().describe("Last day of the week, YYYY-MM-DD (default today)"), ...asUser } },
    ({ end_date, user }) => {
      const today = assistant.currentDay();
      const end = end_date ?? today;
      if (!isCalendarDay(end) || end > today) throw new InvalidParams(`end_date must be a calendar day as YYYY-MM-DD, ${today} or earlier, not "${end}"`);
      const start = shiftDay(end, -6);
      // get_metric_trend and tag_effect end today: enough days to reach back over the week and the 30 days before it,
      // or, for a week further back than they reach, the daily scores of those 30 days instead.
      const reach = (Date.parse(today) - Date.parse(end)) / DAY_MS + 37;
      const before = `${shiftDay(start, -30)} to ${shiftDay(start, -1)}`;
      const trends =
        reach <= MOST_TREND_DAYS
          ? `get_metric_trend for hrv, resting_hr and sleep with days ${reach} (it ends today; compare the week with the 30 days before it, ${before})`
          : `get_daily_scores for ${before} as the usual to compare the week with (get_metric_trend reaches back only ${MOST_TREND_DAYS} days)`;
      const tags =
        reach <= MOST_TAG_EFFECT_DAYS
          ? `For each tag in the week, call tag_effect with metric hrv and with readiness (days ${Math.min(MOST_TAG_EFFECT_DAYS, reach + 53)}) and say whether it made a difference, with the counts.`
          : "Name the tags of the week (tag_effect reaches back only a year, so say what the scores did the day after each).";
      return {
        messages: [
          {
            role: "user",
            content: {
              type: "text",
              text: `Review my week of Oura data, ${start} to ${end}${forUser(user)}. Call get_daily_scores with start_date ${start} and end_date ${end}, list_activities for the same days, and ${trends}. ${tags} Summarise the best and worst day and why, with days and units stated.`,
            },
          },
        ],
      };
    },
  );
}
