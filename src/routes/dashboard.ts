// The dashboard: pages and the htmx fragments they load. A data route: without a session it shows the sign-in page.
import { type RouteConfig, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getSignedCookie, setSignedCookie } from "hono/cookie";
import { secretsEqual } from "../auth/constant-time.ts";
import { CalendarDay } from "../schemas/calendar-day.ts";
import { csrfTokenOf } from "../auth/csrf.ts";
import { isSecureRequest, oauthConfigured, type Principal, startSession } from "../auth/principal.ts";
import { mayRegisterHooks } from "../services/hooks.ts";
import { mayManageMcpTokens } from "../services/mcp-tokens.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { randomId } from "../auth/random-id.ts";
import { createAttemptLimiter } from "../http/attempt-limiter.ts";
import { requestAddress } from "../http/request-address.ts";
import { accountService } from "../services/accounts.ts";
import { eventService } from "../services/events.ts";
import { importService } from "../services/imports.ts";
import { invitationService, MAX_INVITATION_HOURS } from "../services/invitations.ts";
import { dashboardViewService } from "../services/dashboard-views.ts";
import { pollingMode, statusService } from "../services/server-status.ts";
import { subscriptionService } from "../services/subscriptions.ts";
import { InvitationsPanel, LinkedUsers, UnlinkedNote } from "../views/access.tsx";
import { errorResponse } from "../schemas/common.ts";
import { DataType } from "../schemas/notification.ts";
import { EventDetail, FeedList } from "../views/feed.tsx";
import { userNames } from "../views/names.ts";
import { RetryFailedNote } from "../views/fetch-retry.tsx";
import { ErrorNote, htmlDocument, type Markup } from "../views/layout.tsx";
import { DisplayNameForm } from "./auth.ts";
import { createRouter, DATA_SECURITY, defineRoute, OPTIONAL_SESSION_SECURITY } from "./router.ts";
import { HistoryPanel } from "../views/history.tsx";
import { pollingStrip } from "../views/polling-strip.ts";
import { AuthErrorPage, DashboardPage, EventPage, SignInPage, WarehouseSummary } from "../views/pages.tsx";
import { RANGES } from "../views/panels.tsx";
import { SubscriptionsSummary, SubscriptionsSynced, SubscriptionsTable } from "../views/subscriptions.tsx";

const SIGN_IN_CSRF_COOKIE = "oura_signin";
const FEED_SIZE = 50;

/** Out-of-range values fall back to a week: a hand-edited URL should still show a page. */
function rangeOf(value: string | undefined): number {
  const days = Number(value);
  return (RANGES as readonly number[]).includes(days) ? days : 7;
}

const html = (description: string) => ({ description, content: { "text/html": { schema: z.string() } } });
const Day = CalendarDay;
const Range = z.object({
  days: z.string().max(8).optional().openapi({ description: "7, 30 or 90" }),
  night: z.string().max(32).optional().openapi({ description: "The night shown in 'Last night' (Oura's day of it)" }),
  event: z.string().max(32).optional().openapi({ description: "An event whose detail opens with the page (its shareable URL)" }),
});
const SubscriptionId = z.object({ id: z.string().min(1).max(256) });
const refusals = { 400: errorResponse("Invalid input"), 401: errorResponse("Not signed in"), 403: errorResponse("Not an operator, or a missing CSRF token") };
const NewInvitationForm = z.object({
  _csrf: z.string().max(256).optional(),
  note: z.string().max(200).optional(),
  hours: z.coerce.number().int().min(1).max(MAX_INVITATION_HOURS).optional(),
});

/** The dashboard's routes are HTML for its own pages, so they stay out of /openapi.json; their guards come from `security` all the same. */
function page<const R extends Omit<RouteConfig, "responses">>(config: R) {
  return defineRoute({ ...config, hide: true, responses: { 200: html("HTML"), ...refusals } });
}

const dashboardRoute = page({ method: "get", path: "/dashboard", security: OPTIONAL_SESSION_SECURITY, request: { query: Range } });
const signInRoute = defineRoute({
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
const promoteRoute = page({ method: "put", path: "/dashboard/users/{id}/operator", security: DATA_SECURITY, request: { params: SubscriptionId } });
const renameRoute = page({
  method: "put",
  path: "/dashboard/users/{id}/name",
  security: DATA_SECURITY,
  request: { params: SubscriptionId, body: { required: true, content: { "application/x-www-form-urlencoded": { schema: DisplayNameForm.extend({ _csrf: z.string().max(256).optional() }) } } } },
});
const todayRoute = page({ method: "get", path: "/dashboard/today", security: DATA_SECURITY });
const demoteRoute = page({ method: "delete", path: "/dashboard/users/{id}/operator", security: DATA_SECURITY, request: { params: SubscriptionId } });
const invitationsRoute = page({ method: "get", path: "/dashboard/invitations", security: DATA_SECURITY });
const inviteRoute = page({
  method: "post",
  path: "/dashboard/invitations",
  security: DATA_SECURITY,
  request: { body: { required: false, content: { "application/x-www-form-urlencoded": { schema: NewInvitationForm } } } },
});
const withdrawRoute = page({ method: "delete", path: "/dashboard/invitations/{id}", security: DATA_SECURITY, request: { params: SubscriptionId } });
const retryFailedRoute = page({ method: "post", path: "/dashboard/fetches/retry-failed", security: DATA_SECURITY });

/** How data reaches this server, as the status strip says it: polling (when on) before webhooks. */
function receivingMode(config: AppDeps["config"]): string {
  const webhooks = config.publicUrl ? `webhooks at ${config.publicUrl}/webhooks` : "webhooks (set PUBLIC_URL for subscriptions)";
  if (!config.polling.enabled) return webhooks;
  return `polling Oura every ${config.polling.intervalSeconds} s${config.publicUrl ? `, and ${webhooks}` : ""}`;
}

export function createDashboardRoutes(deps: AppDeps) {
  const app = createRouter();
  const limiter = createAttemptLimiter({ maxFailures: 5, windowMs: 15 * 60_000, now: deps.now });
  const accounts = accountService(deps);
  const events = eventService(deps);
  const imports = importService(deps);
  const invitations = invitationService(deps);
  const subscriptions = subscriptionService(deps);
  const status = statusService(deps);
  const views = dashboardViewService(deps);

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
    if (principal.role === "guest") return c.html(htmlDocument(AuthErrorPage({ title: "No ring linked to you yet", message: "You are signed in, but no Oura account is linked to you on this server. Sign in with Oura to link yours, or ask an operator." })), 403);
    const only = views.scope(principal);
    const query = c.req.valid("query");
    const days = rangeOf(query.days);
    // A shared link outlives what it points at (retention, a typo): the page still opens, and says so.
    const notes: string[] = [];
    const eventId = query.event === undefined ? undefined : Number(query.event);
    const openEvent =
      eventId === undefined ? undefined : Number.isInteger(eventId) && eventId > 0 ? await events.withHistory(principal, eventId).catch(() => undefined) : undefined;
    if (query.event !== undefined && !openEvent) notes.push(`Event ${query.event} is not here (deleted by retention, or never was).`);
    const nightDay = query.night !== undefined && Day.safeParse(query.night).success ? query.night : undefined;
    if (query.night !== undefined && !nightDay) notes.push(`"${query.night}" is not a day (YYYY-MM-DD): showing the latest night.`);
    const drawn = views.drawings(principal, days);
    const [night, today, panels, page, lastEventAt, pollStates] = await Promise.all([
      drawn.night(nightDay),
      drawn.today(),
      drawn.panels(),
      deps.events.listEvents({ user_id: only }, { limit: FEED_SIZE }),
      deps.events.lastEventAt(only),
      deps.polls.pollStates(only),
    ]);
    const visible = accounts.visible(principal);
    const server = status.operatorStrip(principal);
    const view = DashboardPage({
      csrf: csrfTokenOf(deps, principal),
      openEvent,
      notes,
      signedIn: principal.kind === "session",
      viewer: principal.describe(principal.userId ? visible.find((a) => a.user_id === principal.userId) : undefined),
      operator: principal.isOperator,
      self: principal.userId,
      refusalAlert: server?.refusalAlert ?? null,
      oauthConfigured: oauthConfigured(deps.config),
      accounts: visible,
      mode: receivingMode(deps.config),
      polling: pollingStrip(pollingMode(deps), pollStates),
      warehouse: server?.warehouse ?? null,
      mqtt: server?.mqtt ?? null,
      refreshMs: deps.dashboardRefreshMs,
      hooks: server?.hooks ?? null,
      hooksPanel: mayRegisterHooks(principal),
      assistantsPanel: mayManageMcpTokens(principal),
      lastEventAt,
      storageBytes: server?.storageBytes ?? null,
      events: page.events,
      feedContext: views.feedContext(principal),
      drawn: { today, night, panels },
      serverUrl: deps.config.publicUrl ?? new URL(c.req.url).origin,
    });
    return c.html(htmlDocument(view));
  });

  app.openapi(signInRoute, async (c) => {
    const address = requestAddress(c, deps.config);
    // Counted before it is judged: concurrent guesses cannot all pass one check while the form is read.
    if (!limiter.attempt(address)) return signInPage(c, 429, "Too many wrong tokens. Wait 15 minutes and try again.");
    const form = c.req.valid("form");
    const nonce = await getSignedCookie(c, deps.keys.cookieSecret, SIGN_IN_CSRF_COOKIE);
    if (!nonce || form._csrf === undefined || !secretsEqual(form._csrf, nonce)) return signInPage(c, 403, "The form expired. Please try again.");
    if (!deps.config.apiToken || !secretsEqual(form.token ?? "", deps.config.apiToken)) {
      deps.logger.warn("dashboard.sign_in_failed", { address });
      return signInPage(c, 401, "That token is not right.");
    }
    limiter.reset(address);
    await startSession(c, deps, null);
    return c.redirect("/dashboard", 303);
  });

  app.openapi(panelsRoute, async (c) => c.html(await views.drawings(c.var.principal, rangeOf(c.req.valid("query").days)).panels()));

  app.openapi(todayRoute, async (c) => c.html(await views.drawings(c.var.principal, 7).today()));

  app.openapi(feedRoute, async (c) => {
    const dataType = c.req.valid("query").data_type || undefined;
    const page = await events.list(c.var.principal, { data_type: dataType, user_id: views.scope(c.var.principal) }, { limit: FEED_SIZE });
    return c.html(FeedList({ events: page.events, context: views.feedContext(c.var.principal) }));
  });

  app.openapi(eventRoute, async (c) => {
    const { event, history } = await events.withHistory(c.var.principal, c.req.valid("param").id);
    if (c.req.header("hx-request")) return c.html(EventDetail({ event, history }));
    return c.html(htmlDocument(EventPage({ event, history })));
  });

  /** Oura's refusals and an unconfigured sign-in become a note in the fragment; a refusal of the principal stays a 403. */
  const ouraFragment = async (c: Context<AppEnv>, work: () => Promise<Markup>) => {
    try {
      return c.html(await work());
    } catch (error) {
      if (error instanceof AppError && error.status !== 403 && error.status !== 401) return c.html(ErrorNote({ message: error.message }), 200);
      throw error;
    }
  };
  const subscriptionsTable = async (principal: Principal) => SubscriptionsTable({ subscriptions: await subscriptions.list(principal), now: deps.now() });

  app.openapi(subscriptionsRoute, (c) => ouraFragment(c, () => subscriptionsTable(c.var.principal)));

  app.openapi(nightRoute, async (c) => c.html(await views.drawings(c.var.principal, 7).night(c.req.valid("query").day)));

  app.openapi(warehouseRoute, (c) => {
    const warehouse = status.warehouse(c.var.principal);
    return c.html(warehouse ? WarehouseSummary({ status: warehouse }) : "off");
  });

  app.openapi(summaryRoute, (c) =>
    ouraFragment(c, async () => SubscriptionsSummary({ subscriptions: await subscriptions.listIfConfigured(c.var.principal), now: deps.now() })),
  );

  app.openapi(syncRoute, (c) =>
    ouraFragment(c, async () => {
      const report = await subscriptions.sync(c.var.principal);
      return SubscriptionsSynced({ report, subscriptions: await subscriptions.list(c.var.principal), now: deps.now() });
    }),
  );

  app.openapi(renewRoute, (c) =>
    ouraFragment(c, async () => {
      await subscriptions.renew(c.var.principal, c.req.valid("param").id);
      return subscriptionsTable(c.var.principal);
    }),
  );

  app.openapi(deleteSubscriptionRoute, (c) =>
    ouraFragment(c, async () => {
      await subscriptions.remove(c.var.principal, c.req.valid("param").id);
      return subscriptionsTable(c.var.principal);
    }),
  );

  const historyPanel = async (principal: Principal) => HistoryPanel({ ...(await imports.panel(principal)), names: userNames(accounts.visible(principal)) });
  app.openapi(historyRoute, async (c) => c.html(await historyPanel(c.var.principal)));

  app.openapi(importRoute, async (c) => {
    // An import already under way is simply shown: the panel displays its progress.
    await imports.queueRecent(c.var.principal, c.req.valid("param").id);
    return c.html(await historyPanel(c.var.principal));
  });

  app.openapi(unlinkRoute, async (c) => {
    const result = await accounts.unlink(c.var.principal, c.req.valid("param").id, false);
    // The row goes; when Oura did not confirm the revoke, a note takes its place saying so and what to do.
    return c.html(result.revoked ? "" : UnlinkedNote({ revokeError: result.revoke_error }));
  });

  const linkedUsers = (principal: Principal) => LinkedUsers({ accounts: accounts.visible(principal), operator: principal.isOperator, self: principal.userId });

  app.openapi(promoteRoute, async (c) => {
    await accounts.setOperator(c.var.principal, c.req.valid("param").id, true);
    return c.html(linkedUsers(c.var.principal));
  });

  app.openapi(renameRoute, async (c) => {
    await accounts.setDisplayName(c.var.principal, c.req.valid("param").id, c.req.valid("form").display_name);
    return c.html(linkedUsers(c.var.principal));
  });

  app.openapi(demoteRoute, async (c) => {
    await accounts.setOperator(c.var.principal, c.req.valid("param").id, false);
    return c.html(linkedUsers(c.var.principal));
  });

  const invitationsPanel = (principal: Principal, created?: { link: string; expires_at: string }) => InvitationsPanel({ invitations: invitations.list(principal), created });

  app.openapi(invitationsRoute, (c) => c.html(invitationsPanel(c.var.principal)));

  app.openapi(inviteRoute, async (c) => {
    const form = c.req.valid("form");
    const created = await invitations.create(c.var.principal, { note: form.note?.trim() || null, expiresInHours: form.hours, base: new URL(c.req.url).origin });
    return c.html(invitationsPanel(c.var.principal, created));
  });

  app.openapi(withdrawRoute, async (c) => {
    await invitations.revoke(c.var.principal, c.req.valid("param").id);
    return c.html(invitationsPanel(c.var.principal));
  });

  app.openapi(retryFailedRoute, (c) => ouraFragment(c, async () => RetryFailedNote({ requeued: await events.retryFailed(c.var.principal) })));

  return app;
}
