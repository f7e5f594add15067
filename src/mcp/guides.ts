// What an assistant may read without a tool call, and the questions it is offered: the latest daily summary as a
// resource, and prompts for a morning briefing and a weekly review that name the tools to call.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "@hono/zod-openapi";
import { ToolError } from "../assistant/tool-args.ts";
import type { ToolContext } from "./tools.ts";

export const TODAY_URI = "oura://today";

export function registerAssistantGuides(server: McpServer, context: ToolContext): void {
  const { assistant, principal } = context;

  server.registerResource(
    "today",
    TODAY_URI,
    { title: "Today's summary", description: "The newest readiness, sleep and activity scores (within a week) with contributors, stress, resilience and temperature deviation.", mimeType: "application/json" },
    async (uri) => {
      try {
        return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(await assistant.today(principal, {})) }] };
      } catch (error) {
        // A resource has no error result of its own: the SDK answers a JSON-RPC error with this message.
        throw error instanceof ToolError ? new Error(error.message) : new Error("the server could not read the summary");
      }
    },
  );

  const asUser = { user: z.string().max(256).optional().describe("The API token only: whose data") };
  const forUser = (user: string | undefined) => (user ? ` with user "${user}"` : "");

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
    { title: "Weekly review", description: "The last seven days: scores, trends, workouts and what tags did.", argsSchema: { end_date: z.string().max(10).optional().describe("Last day of the week, YYYY-MM-DD (default today)"), ...asUser } },
    ({ end_date, user }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text: `Review my week of Oura data${end_date ? ` ending ${end_date}` : " ending today"}${forUser(user)}. Call get_daily_scores for the 7 days, list_activities for the same days, and get_metric_trend for hrv, resting_hr and sleep over 30 days. For each tag in the week, call tag_effect with metric hrv and with readiness (90 days) and say whether it made a difference, with the counts. Summarise the best and worst day and why, with days and units stated.`,
          },
        },
      ],
    }),
  );
}
