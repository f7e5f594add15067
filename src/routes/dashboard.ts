// The dashboard: pages and the htmx fragments they load. A data route: without a session it shows the sign-in page.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getSignedCookie, setSignedCookie } from "hono/cookie";
import { unlinkUser } from "../auth/account-link.ts";
import { secretsEqual } from "../auth/constant-time.ts";
import { csrfTokenOf } from "../auth/csrf.ts";
import { isSecureRequest, oauthConfigured, type Principal, startSession, visibleUser } from "../auth/principal.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { OuraApiError } from "../oura/client.ts";
import { syncSubscriptions } from "../oura/subscription-sync.ts";
import { randomId } from "../auth/random-id.ts";
import { createAttemptLimiter } from "../http/attempt-limiter.ts";
import { clientAddress } from "../http/client-address.ts";
import { errorResponse } from "../schemas/common.ts";
import { DataType } from "../schemas/notification.ts";
import { EventDetail, FeedList } from "../views/feed.tsx";
import { ErrorNote, htmlDocument, type Markup } from "../views/layout.tsx";
import { requireOura } from "./require-oura.ts";
import { createRouter, DATA_SECURITY, OPTIONAL_SESSION_SECURITY } from "./router.ts";
import { dayString, loadMetricSeries } from "../views/metrics.ts";
import { HistoryPanel } from "../views/history.tsx";
import { backfillProgress } from "../jobs/backfill.ts";
import { pollingMode } from "./polling.ts";
import { pollingStrip } from "../views/polling-strip.ts";
import { DashboardPage, EventPage, SignInPage, WarehouseSummary } from "../views/pages.tsx";
import { warehouseHealth } from "./health.ts";
import { loadNight } from "../views/night-data.ts";
import { NightView } from "../views/night.tsx";
import { Panels, RANGES } from "../views/panels.tsx";
import { SubscriptionsSummary, SubscriptionsSynced, SubscriptionsTable } from "../views/subscriptions.tsx";

const SIGN_IN_CSRF_COOKIE = "oura_signin";
const FEED_SIZE = 50;

function viewerLabel(principal: Principal): string {
  if (principal.kind === "session" && principal.userId) return `Signed in as Oura user ${principal.userId}`;
  if (principal.kind === "open") return "Open access (loopback, no credentials configured)";
  if (principal.kind === "app_user") return `Signed in to Databricks as ${principal.email}`;
  return "Signed in with the API token: all users";
}

/** Out-of-range values fall back to a week: a hand-edited URL should still show a page. */
function rangeOf(value: string | undefined): number {
  const days = Number(value);
  return (RANGES as readonly number[]).includes(days) ? days : 7;
}

const html = (description: string) => ({ description, content: { "text/html": { schema: z.string() } } });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected a day as YYYY-MM-DD" }).refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)), { error: "no such day" });
const Range = z.object({
  days: z.string().max(8).optional().openapi({ description: "7, 30 or 90" }),
  night: z.string().max(32).optional().openapi({ description: "The night shown in 'Last night' (Oura's day of it)" }),
  event: z.string().max(32).optional().openapi({ description: "An event whose detail opens with the page (its shareable URL)" }),
});
const SubscriptionId = z.object({ id: z.string().min(1).max(256) });
const refusals = { 400: errorResponse("Invalid input"), 401: errorResponse("Not signed in"), 403: errorResponse("Missing CSRF token") };

/** The dashboard's routes are HTML for its own pages, so they stay out of /openapi.json; their guards come from `security` all the same. */
function page<const R extends Omit<Parameters<typeof createRoute>[0], "responses">>(config: R) {
  return createRoute({ ...config, hide: true, responses: { 200: html("HTML"), ...refusals } });
}

const dashboardRoute = page({ method: "get", path: "/dashboard", security: OPTIONAL_SESSION_SECURITY, request: { query: Range } });
const signInRoute = createRoute({
  method: "post",
  path: "/dashboard/sign-in",
  hide: true,
  request: {
    body: {
      required: true,
      content: {
        "application/x-www-form-urlencoded": { schema: z.object({ _csrf: z.string().max(256).optional(), token: z.string().max(4096).optional() }) },
      },
    },
  },
  responses: { 303: { description: "Signed in" }, 401: html("Wrong token"), 403: html("Form expired"), 429: html("Too many wrong tokens"), 400: errorResponse("Unreadable form") },
});
const panelsRoute = page({ method: "get", path: "/dashboard/panels", security: DATA_SECURITY, request: { query: Range } });
const feedRoute = page({
  method: "get",
  path: "/dashboard/feed",
  security: DATA_SECURITY,
  request: { query: z.object({ data_type: z.union([z.literal(""), DataType]).optional() }) },
});
const eventRoute = page({ method: "get", path: "/dashboard/events/{id}", security: DATA_SECURITY, request: { params: z.object({ id: z.coerce.number().int().min(1) }) } });
const subscriptionsRoute = page({ method: "get", path: "/dashboard/subscriptions", security: DATA_SECURITY });
const summaryRoute = page({ method: "get", path: "/dashboard/subscriptions/summary", security: DATA_SECURITY });
const syncRoute = page({ method: "post", path: "/dashboard/subscriptions/sync", security: DATA_SECURITY });
const renewRoute = page({ method: "put", path: "/dashboard/subscriptions/{id}/renew", security: DATA_SECURITY, request: { params: SubscriptionId } });
const deleteSubscriptionRoute = page({ method: "delete", path: "/dashboard/subscriptions/{id}", security: DATA_SECURITY, request: { params: SubscriptionId } });
const nightRoute = page({ method: "get", path: "/dashboard/night", security: DATA_SECURITY, request: { query: z.object({ day: Day.optional() }) } });
const warehouseRoute = page({ method: "get", path: "/dashboard/warehouse", security: DATA_SECURITY });
const historyRoute = page({ method: "get", path: "/dashboard/history", security: DATA_SECURITY });
const importRoute = page({ method: "post", path: "/dashboard/history/{id}", security: DATA_SECURITY, request: { params: SubscriptionId } });
const unlinkRoute = page({ method: "delete", path: "/dashboard/users/{id}", security: DATA_SECURITY, request: { params: SubscriptionId } });

export function createDashboardRoutes(deps: AppDeps) {
  const app = createRouter(deps);
  const limiter = createAttemptLimiter({ maxFailures: 5, windowMs: 15 * 60_000, now: deps.now });
  const addressOf = (c: Context<AppEnv>) => clientAddress(c.env?.server?.requestIP(c.req.raw)?.address, c.req.header("x-forwarded-for"), deps.config.trustsProxy);

  async function signInPage(c: Context<AppEnv>, status: 200 | 401 | 403 | 429, error?: string) {
    let nonce = await getSignedCookie(c, deps.keys.cookieSecret, SIGN_IN_CSRF_COOKIE);
    if (!nonce) {
      nonce = randomId();
      await setSignedCookie(c, SIGN_IN_CSRF_COOKIE, nonce, deps.keys.cookieSecret, { httpOnly: true, sameSite: "Strict", path: "/dashboard", secure: isSecureRequest(c, deps.config.publicUrl) });
    }
    const page = SignInPage({ oauthConfigured: oauthConfigured(deps.config), csrf: nonce, error, apiTokenConfigured: Boolean(deps.config.apiToken) });
    return c.html(htmlDocument(page), status);
  }

  app.openapi(dashboardRoute, async (c) => {
    const principal = c.var.principal;
    if (!principal) return signInPage(c, 200);
    const only = visibleUser(principal);
    const query = c.req.valid("query");
    const days = rangeOf(query.days);
    // A shared link outlives what it points at (retention, a typo): the page still opens, and says so.
    const notes: string[] = [];
    const eventId = query.event === undefined ? undefined : Number(query.event);
    const openEvent =
      eventId === undefined ? undefined : Number.isInteger(eventId) && eventId > 0 ? await eventWithHistory(eventId, only).catch(() => undefined) : undefined;
    if (query.event !== undefined && !openEvent) notes.push(`Event ${query.event} is not here (deleted by retention, or never was).`);
    const nightDay = query.night !== undefined && Day.safeParse(query.night).success ? query.night : undefined;
    if (query.night !== undefined && !nightDay) notes.push(`"${query.night}" is not a day (YYYY-MM-DD): showing the latest night.`);
    const night = await loadNight(deps.store, only, nightDay);
    const [page, lastEventAt, series, pollStates] = await Promise.all([
      deps.store.listEvents({ user_id: only }, { limit: FEED_SIZE }),
      deps.store.lastEventAt(only),
      loadMetricSeries(deps.store, only, days, deps.now()),
      deps.store.pollStates(only),
    ]);
    const view = DashboardPage({
      csrf: csrfTokenOf(deps, principal),
      openEvent,
      night,
      nightDay,
      notes,
      today: dayString(deps.now()),
      signedIn: principal.kind === "session",
      viewer: viewerLabel(principal),
      oauthConfigured: oauthConfigured(deps.config),
      accounts: deps.accounts.list(only),
      mode: deps.config.publicUrl ? `webhooks at ${deps.config.publicUrl}/webhooks` : "webhooks (set PUBLIC_URL for subscriptions)",
      polling: pollingStrip(pollingMode(deps), pollStates),
      warehouse: warehouseHealth(deps),
      lastEventAt,
      storageBytes: deps.store.sizeBytes(),
      events: page.events,
      series,
      days,
      now: deps.now(),
      serverUrl: deps.config.publicUrl ?? new URL(c.req.url).origin,
    });
    return c.html(htmlDocument(view));
  });

  app.openapi(signInRoute, async (c) => {
    const address = addressOf(c);
    if (limiter.blocked(address)) return signInPage(c, 429, "Too many wrong tokens. Wait 15 minutes and try again.");
    const form = c.req.valid("form");
    const nonce = await getSignedCookie(c, deps.keys.cookieSecret, SIGN_IN_CSRF_COOKIE);
    if (!nonce || form._csrf === undefined || !secretsEqual(form._csrf, nonce)) return signInPage(c, 403, "The form expired. Please try again.");
    if (!deps.config.apiToken || !secretsEqual(form.token ?? "", deps.config.apiToken)) {
      limiter.fail(address);
      deps.logger.warn("dashboard.sign_in_failed", { address });
      return signInPage(c, 401, "That token is not right.");
    }
    limiter.reset(address);
    await startSession(c, deps, null);
    return c.redirect("/dashboard", 303);
  });

  app.openapi(panelsRoute, async (c) => {
    const days = rangeOf(c.req.valid("query").days);
    const series = await loadMetricSeries(deps.store, visibleUser(c.var.principal), days, deps.now());
    return c.html(Panels({ series, days, now: deps.now() }));
  });

  app.openapi(feedRoute, async (c) => {
    const dataType = c.req.valid("query").data_type || undefined;
    const page = await deps.store.listEvents({ user_id: visibleUser(c.var.principal), data_type: dataType }, { limit: FEED_SIZE });
    return c.html(FeedList({ events: page.events }));
  });

  /** An event the principal may see, with the other events of the same document (oldest first); 404 otherwise. */
  async function eventWithHistory(id: number, only: string | undefined) {
    const event = await deps.store.getEvent(id);
    if (!event || (only !== undefined && event.user_id !== only)) throw new AppError(404, "event_not_found", "no such event");
    const history = (await deps.store.listEvents({ user_id: event.user_id, data_type: event.data_type, object_id: event.object_id }, { limit: 20 })).events.reverse();
    return { event, history };
  }

  app.openapi(eventRoute, async (c) => {
    const { event, history } = await eventWithHistory(c.req.valid("param").id, visibleUser(c.var.principal));
    if (c.req.header("hx-request")) return c.html(EventDetail({ event, history }));
    return c.html(htmlDocument(EventPage({ event, history })));
  });

  const oura = () => requireOura(deps, "manage subscriptions");
  const ouraFragment = async (c: Context<AppEnv>, work: () => Promise<Markup>) => {
    try {
      return c.html(await work());
    } catch (error) {
      if (error instanceof OuraApiError) return c.html(ErrorNote({ message: `Oura answered ${error.status || "nothing"}: ${error.detail}` }), 200);
      throw error;
    }
  };
  const subscriptionsTable = async () => SubscriptionsTable({ subscriptions: await oura().listSubscriptions(), now: deps.now() });

  app.openapi(subscriptionsRoute, (c) => ouraFragment(c, subscriptionsTable));

  app.openapi(nightRoute, async (c) => {
    const { day } = c.req.valid("query");
    return c.html(NightView({ night: await loadNight(deps.store, visibleUser(c.var.principal), day), day, today: dayString(deps.now()) }));
  });

  app.openapi(warehouseRoute, (c) => {
    const status = warehouseHealth(deps);
    return c.html(status ? WarehouseSummary({ status }) : "off");
  });

  app.openapi(summaryRoute, (c) =>
    ouraFragment(c, async () => SubscriptionsSummary({ subscriptions: deps.oura ? await deps.oura.listSubscriptions() : null, now: deps.now() })),
  );

  app.openapi(syncRoute, (c) =>
    ouraFragment(c, async () => {
      if (!deps.config.publicUrl) return ErrorNote({ message: "Set PUBLIC_URL (the address Oura can reach) first." });
      const report = await syncSubscriptions(oura(), `${deps.config.publicUrl}/webhooks`, deps.verificationToken, deps.logger);
      return SubscriptionsSynced({ report, subscriptions: await oura().listSubscriptions(), now: deps.now() });
    }),
  );

  app.openapi(renewRoute, (c) =>
    ouraFragment(c, async () => {
      await oura().renewSubscription(c.req.valid("param").id);
      return subscriptionsTable();
    }),
  );

  app.openapi(deleteSubscriptionRoute, (c) =>
    ouraFragment(c, async () => {
      await oura().deleteSubscription(c.req.valid("param").id);
      return subscriptionsTable();
    }),
  );

  /** The history panel for this viewer: recent imports, and the offer to import for linked users who never did. */
  async function historyPanel(only: string | undefined) {
    const backfills = (await deps.store.listBackfills(only, 20)).map(backfillProgress);
    const seen = new Set(backfills.map((b) => b.user_id));
    const offerFor = deps.backfills ? deps.accounts.list(only).filter((a) => !a.needs_reauth && !seen.has(a.user_id)).map((a) => a.user_id) : [];
    // The latest import per user is enough on the dashboard; GET /backfill has them all.
    const latest = backfills.filter((b, i) => backfills.findIndex((o) => o.user_id === b.user_id) === i);
    return HistoryPanel({ backfills: latest, offerFor });
  }

  app.openapi(historyRoute, async (c) => c.html(await historyPanel(visibleUser(c.var.principal))));

  app.openapi(importRoute, async (c) => {
    const { id } = c.req.valid("param");
    const only = visibleUser(c.var.principal);
    if (only !== undefined && only !== id) throw new AppError(403, "forbidden", "a session may import only its own Oura user's history");
    if (!deps.backfills) throw new AppError(503, "oura_not_configured", "imports need Oura sign-in (OURA_CLIENT_ID and OURA_CLIENT_SECRET)");
    if (!deps.accounts.list(id).length) throw new AppError(404, "user_not_linked", `${id} has not signed in with Oura`);
    const end = new Date(deps.now()).toISOString().slice(0, 10);
    const start = new Date(deps.now() - 89 * 86_400_000).toISOString().slice(0, 10);
    // An import already under way is simply shown: the panel displays its progress.
    await deps.backfills.queue({ userId: id, startDate: start, endDate: end, dataTypes: deps.config.polling.dataTypes });
    return c.html(await historyPanel(only));
  });

  app.openapi(unlinkRoute, async (c) => {
    const { id } = c.req.valid("param");
    const only = visibleUser(c.var.principal);
    if (only !== undefined && only !== id) throw new AppError(403, "forbidden", "a session may unlink only its own Oura user");
    const result = await unlinkUser(deps, id, false);
    if (!result) throw new AppError(404, "user_not_linked", `no linked Oura user ${id}`);
    return c.html("");
  });

  return app;
}
