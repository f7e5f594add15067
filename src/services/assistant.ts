// What an AI assistant may read, the one place for its rule: whose data a call reads is the Principal's answer
// (a wearer's token: their own only; the API token: any linked user, chosen by `user`). The answers themselves are
// in assistant/ and read the store through the dashboard's own readers, never Oura.
import type { Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { heartRate, type HeartRateResolution, metricTrend, tagEffect } from "../assistant/analysis.ts";
import { activities, dailyScores, nightOf, todaySummary } from "../assistant/records.ts";
import { dayString } from "../views/metrics.ts";
import { offsetMinutesOf, ToolError } from "../assistant/tool-args.ts";
import { isCalendarDay } from "../time/calendar-day.ts";
import { offsetOfInstant } from "../views/night-data.ts";
import { instantOr } from "../views/values.ts";

export type AssistantDeps = Pick<AppDeps, "documents" | "polls" | "accounts" | "now">;

/** Linked users named in a refusal to an operator: enough to choose from, never a long list. */
const MOST_NAMED_USERS = 20;
/** Per-user resources listed to an operator. */
const MOST_LISTED_USERS = 100;

export function assistantService(deps: AssistantDeps) {
  /** The one user a call reads: `requested` when the principal may see them, else a ToolError saying what to send. */
  function whose(principal: Principal, requested: string | undefined): string {
    const only = principal.scope(requested);
    if (only === null) {
      if (principal.userId === null) throw new ToolError("no Oura ring is linked to this caller");
      throw new ToolError(`this token reads only its own wearer's data (user ${principal.userId}): leave out "user"`);
    }
    const linked = deps.accounts.list().map((a) => a.user_id);
    if (linked.length === 0) throw new ToolError("no wearer has signed in with Oura on this server yet: there is no data to read");
    const named = linked.slice(0, MOST_NAMED_USERS).join(", ");
    if (only === undefined) {
      if (linked.length === 1) return linked[0]!;
      throw new ToolError(`the API token reads every user: pass "user", one of ${named}`);
    }
    if (!linked.includes(only)) throw new ToolError(`no linked Oura user "${only}": one of ${named}`);
    return only;
  }

  return {
    whose,
    /** The linked users this principal may read (a wearer: themselves), for a list of per-user resources. */
    /** Today, as the server's clock has it (UTC). */
    currentDay: () => dayString(deps.now()),
    readable: (principal: Principal): string[] => deps.accounts.list().map((a) => a.user_id).filter((u) => principal.canSee(u)).slice(0, MOST_LISTED_USERS),
    night: (principal: Principal, args: { user?: string; day?: string }) => nightOf(deps.documents, whose(principal, args.user), args.day),
    dailyScores: (principal: Principal, args: { user?: string; start_date: string; end_date: string }) =>
      dailyScores(deps.documents, whose(principal, args.user), args.start_date, args.end_date),
    metricTrend: (principal: Principal, args: { user?: string; metric: string; days?: number }) => metricTrend(deps.documents, whose(principal, args.user), args, deps.now()),
    activities: (principal: Principal, args: { user?: string; start_date: string; end_date: string }) =>
      activities(deps.documents, whose(principal, args.user), args.start_date, args.end_date),
    heartRate: async (principal: Principal, args: { user?: string; start: string; end: string; resolution?: HeartRateResolution }) => {
      const user = whose(principal, args.user);
      // A day is the wearer's: its midnight in the offset their ring had on the newest night (one field of one
      // document, read only when a day is given; an instant carries its own offset).
      const dayGiven = isCalendarDay(args.start) || isCalendarDay(args.end);
      const newest = dayGiven ? (await deps.documents.listFields({ data_type: "sleep", user_id: user }, { start: "$.bedtime_start" }, 1))[0] : undefined;
      const bedtime = instantOr(newest?.start);
      return heartRate(deps.polls, user, args, offsetMinutesOf(bedtime === null ? undefined : offsetOfInstant(bedtime)));
    },
    today: (principal: Principal, args: { user?: string }) => todaySummary(deps.documents, whose(principal, args.user), dayString(deps.now())),
    tagEffect: (principal: Principal, args: { user?: string; tag: string; metric: string; days?: number }) => tagEffect(deps.documents, whose(principal, args.user), args, deps.now()),
  };
}

export type AssistantService = ReturnType<typeof assistantService>;
