// The dashboard's views of documents for a principal: whose data they show (one rule), the feed's names and usual
// values, and what the page draws — today, a night, the trends — kept in the render cache per view until that view's
// documents change (and drawn again ahead of the next visit, see views/render-cache.ts).
import type { Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { loadActivities } from "../views/activities-data.ts";
import type { FeedContext } from "../views/event-words.ts";
import { dayString, loadMetricSeries, type MetricSeries, usualStartDay } from "../views/metrics.ts";
import { userNames } from "../views/names.ts";
import { loadNight, shiftDay } from "../views/night-data.ts";
import { NightView } from "../views/night.tsx";
import { Panels } from "../views/panels.tsx";
import { loadToday } from "../views/today-data.ts";
import { TodayView } from "../views/today.tsx";
import { accountService, type AccountServiceDeps } from "./accounts.ts";

/** The days of series today's tiles read (their newest point and the wearer's usual). */
const TODAY_DAYS = 7;

export type DashboardViewDeps = AccountServiceDeps & Pick<AppDeps, "documents" | "renderCache">;

export function dashboardViewService(deps: DashboardViewDeps) {
  const accounts = accountService(deps);
  const renderCache = deps.renderCache;

  /** The user filter of the page's health views: one's own ring, or every user for an operator without one (guests never get here). */
  function scope(principal: Principal): string | undefined {
    const personal = principal.personalScope();
    // null is "nothing visible" (a guest): never to be read as "every user".
    if (personal === null) throw new AppError(403, "not_linked", "no Oura ring is linked to you on this server");
    return personal;
  }

  /** The feed's names and usual values for the users a principal may see, each user's read once per render. */
  function feedContext(principal: Principal): FeedContext {
    const names = userNames(accounts.visible(principal));
    const since = usualStartDay(deps.now());
    const usual = new Map<string, number | undefined>();
    const usualOf = (userId: string, metric: string) => {
      const key = `${userId}\n${metric}`;
      if (!usual.has(key)) usual.set(key, deps.documents.usualValue(userId, metric, since));
      return usual.get(key);
    };
    return { nameOf: (userId) => names.get(userId), usualOf };
  }

  /**
   * What the page draws from documents for the principal's view. A key is everything else a drawing depends on: whose
   * view (one user, or every user's), the range, the night asked for and today's date. Nothing is shared between views
   * of different users.
   */
  function drawings(principal: Principal, days: number) {
    const only = scope(principal);
    const view = only === undefined ? "*" : `user:${only}`;
    const now = deps.now();
    const today = dayString(now);
    // One user's view depends on their documents; every user's view on everyone's, and on who is linked by which name.
    const version = () => deps.documents.changeCount(only);
    // Today's tiles read the week's series whatever range the trends show (a key without the range must not depend on it).
    const series = new Map<number, Promise<MetricSeries[]>>();
    const seriesOf = (over: number) => series.get(over) ?? series.set(over, loadMetricSeries(deps.documents, only, over, now)).get(over)!;
    const text = async (node: { toString(): string | Promise<string> }) => String(await node.toString());
    return {
      today: () =>
        renderCache.get(`today\n${view}\n${today}`, version, async () =>
          text(TodayView({ today: only ? await loadToday(deps.documents, only, today) : undefined, series: await seriesOf(TODAY_DAYS), users: only ? undefined : accounts.visible(principal).length })),
        ),
      night: (day: string | undefined) =>
        renderCache.get(`night\n${view}\n${day ?? ""}\n${today}`, version, async () => {
          const night = await loadNight(deps.documents, only, day);
          const shown = night?.day ?? day ?? today;
          // Past today only when a later night is recorded (a wearer east of UTC), never into empty days.
          const laterNight = shown >= today && (await deps.documents.listFields({ data_type: "sleep", user_id: only, start_day: shiftDay(shown, 1) }, {}, 1)).length > 0;
          return text(NightView({ night, day, today, laterNight }));
        }),
      panels: () =>
        renderCache.get(`panels\n${view}\n${days}\n${today}`, version, async () => {
          const activities = await loadActivities(deps.documents, only, dayString(now - (days - 1) * 86_400_000));
          return text(Panels({ series: await seriesOf(days), activities, days, now, names: only ? undefined : userNames(accounts.visible(principal)) }));
        }),
    };
  }

  return { scope, feedContext, drawings };
}
