// The dashboard: pages and the htmx fragments they load. A data route: without a session it shows the sign-in page.
import { Hono } from "hono";
import type { Context } from "hono";
import { getSignedCookie, setSignedCookie } from "hono/cookie";
import { unlinkUser } from "../auth/account-link.ts";
import { secretsEqual } from "../auth/constant-time.ts";
import { csrfTokenOf, requireCsrf } from "../auth/csrf.ts";
import { isSecureRequest, oauthConfigured, type Principal, readPrincipal, requirePrincipal, startSession, visibleUser } from "../auth/principal.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { OuraApiError } from "../oura/client.ts";
import { syncSubscriptions } from "../oura/subscription-sync.ts";
import { databaseBytes } from "../storage/sqlite/database.ts";
import { randomId } from "../storage/sqlite/session-store.ts";
import { createAttemptLimiter } from "../http/attempt-limiter.ts";
import { EventDetail, FeedList } from "../views/feed.tsx";
import { ErrorNote, htmlDocument, type Markup } from "../views/layout.tsx";
import { requireOura } from "./require-oura.ts";
import { loadMetricSeries } from "../views/metrics.ts";
import { DashboardPage, EventPage, SignInPage } from "../views/pages.tsx";
import { Panels, RANGES } from "../views/panels.tsx";
import { SubscriptionsSummary, SubscriptionsSynced, SubscriptionsTable } from "../views/subscriptions.tsx";

const SIGN_IN_CSRF_COOKIE = "oura_signin";
const FEED_SIZE = 50;

function viewerLabel(principal: Principal): string {
  if (principal.kind === "session" && principal.userId) return `Signed in as Oura user ${principal.userId}`;
  if (principal.kind === "open") return "Open access (loopback, no credentials configured)";
  return "Signed in with the API token: all users";
}

function rangeOf(value: string | undefined): number {
  const days = Number(value);
  return (RANGES as readonly number[]).includes(days) ? days : 7;
}

export function createDashboardRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const limiter = createAttemptLimiter({ maxFailures: 5, windowMs: 15 * 60_000, now: deps.now });
  const clientAddress = (c: Context<AppEnv>) => c.env?.server?.requestIP(c.req.raw)?.address ?? "local";

  async function signInPage(c: Context<AppEnv>, status: 200 | 401 | 403 | 429, error?: string) {
    let nonce = await getSignedCookie(c, deps.keys.cookieSecret, SIGN_IN_CSRF_COOKIE);
    if (!nonce) {
      nonce = randomId();
      await setSignedCookie(c, SIGN_IN_CSRF_COOKIE, nonce, deps.keys.cookieSecret, { httpOnly: true, sameSite: "Strict", path: "/dashboard", secure: isSecureRequest(c, deps.config.publicUrl) });
    }
    const page = SignInPage({ oauthConfigured: oauthConfigured(deps.config), csrf: nonce, error, apiTokenConfigured: Boolean(deps.config.apiToken) });
    return c.html(htmlDocument(page), status);
  }

  app.get("/dashboard", async (c) => {
    const principal = await readPrincipal(c, deps).catch(() => undefined);
    if (!principal) return signInPage(c, 200);
    const only = visibleUser(principal);
    const days = rangeOf(c.req.query("days"));
    const [page, lastEventAt, series] = await Promise.all([
      deps.store.listEvents({ user_id: only }, { limit: FEED_SIZE }),
      deps.store.lastEventAt(only),
      loadMetricSeries(deps.store, only, days, deps.now()),
    ]);
    const view = DashboardPage({
      csrf: csrfTokenOf(deps, principal),
      viewer: viewerLabel(principal),
      oauthConfigured: oauthConfigured(deps.config),
      accounts: deps.accounts.list(only),
      mode: deps.config.publicUrl ? `webhooks at ${deps.config.publicUrl}/webhooks` : "webhooks (set PUBLIC_URL for subscriptions)",
      lastEventAt,
      storageBytes: deps.config.databasePath === ":memory:" ? null : databaseBytes(deps.config.databasePath),
      events: page.events,
      series,
      days,
      now: deps.now(),
      publicUrl: deps.config.publicUrl,
    });
    return c.html(htmlDocument(view));
  });

  app.post("/dashboard/sign-in", async (c) => {
    const address = clientAddress(c);
    if (limiter.blocked(address)) return signInPage(c, 429, "Too many wrong tokens. Wait 15 minutes and try again.");
    const form = await c.req.parseBody();
    const nonce = await getSignedCookie(c, deps.keys.cookieSecret, SIGN_IN_CSRF_COOKIE);
    if (!nonce || typeof form._csrf !== "string" || !secretsEqual(form._csrf, nonce)) return signInPage(c, 403, "The form expired. Please try again.");
    const token = typeof form.token === "string" ? form.token : "";
    if (!deps.config.apiToken || !secretsEqual(token, deps.config.apiToken)) {
      limiter.fail(address);
      deps.logger.warn("dashboard.sign_in_failed", { address });
      return signInPage(c, 401, "That token is not right.");
    }
    limiter.reset(address);
    await startSession(c, deps, null);
    return c.redirect("/dashboard", 303);
  });

  app.use("/dashboard/*", async (c, next) => {
    if (c.req.path === "/dashboard/sign-in") return next();
    return requirePrincipal(deps)(c, async () => {
      await requireCsrf(deps)(c, next);
    });
  });

  app.get("/dashboard/panels", async (c) => {
    const days = rangeOf(c.req.query("days"));
    const series = await loadMetricSeries(deps.store, visibleUser(c.var.principal), days, deps.now());
    return c.html(Panels({ series, days, now: deps.now() }));
  });

  app.get("/dashboard/feed", async (c) => {
    const dataType = c.req.query("data_type") || undefined;
    if (dataType !== undefined && !/^[A-Za-z0-9_]{1,64}$/.test(dataType)) throw new AppError(400, "validation_failed", "invalid data_type");
    const page = await deps.store.listEvents({ user_id: visibleUser(c.var.principal), data_type: dataType }, { limit: FEED_SIZE });
    return c.html(FeedList({ events: page.events }));
  });

  app.get("/dashboard/events/:id{[0-9]+}", async (c) => {
    const event = await deps.store.getEvent(Number(c.req.param("id")));
    const only = visibleUser(c.var.principal);
    if (!event || (only !== undefined && event.user_id !== only)) throw new AppError(404, "event_not_found", "no such event");
    const history = (await deps.store.listEvents({ user_id: event.user_id, data_type: event.data_type, object_id: event.object_id }, { limit: 20 })).events.reverse();
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

  app.get("/dashboard/subscriptions", (c) => ouraFragment(c, async () => SubscriptionsTable({ subscriptions: await oura().listSubscriptions(), now: deps.now() })));

  app.get("/dashboard/subscriptions/summary", (c) =>
    ouraFragment(c, async () => SubscriptionsSummary({ subscriptions: deps.oura ? await deps.oura.listSubscriptions() : null, now: deps.now() })),
  );

  app.post("/dashboard/subscriptions/sync", (c) =>
    ouraFragment(c, async () => {
      if (!deps.config.publicUrl) return ErrorNote({ message: "Set PUBLIC_URL (the address Oura can reach) first." });
      const report = await syncSubscriptions(oura(), `${deps.config.publicUrl}/webhooks`, deps.verificationToken, deps.logger);
      return SubscriptionsSynced({ report, subscriptions: await oura().listSubscriptions(), now: deps.now() });
    }),
  );

  app.put("/dashboard/subscriptions/:id/renew", (c) =>
    ouraFragment(c, async () => {
      await oura().renewSubscription(c.req.param("id"));
      return SubscriptionsTable({ subscriptions: await oura().listSubscriptions(), now: deps.now() });
    }),
  );

  app.delete("/dashboard/subscriptions/:id", (c) =>
    ouraFragment(c, async () => {
      await oura().deleteSubscription(c.req.param("id"));
      return SubscriptionsTable({ subscriptions: await oura().listSubscriptions(), now: deps.now() });
    }),
  );

  app.delete("/dashboard/users/:id", async (c) => {
    const id = c.req.param("id");
    const only = visibleUser(c.var.principal);
    if (only !== undefined && only !== id) throw new AppError(403, "forbidden", "a session may unlink only its own Oura user");
    const result = await unlinkUser(deps, id, false);
    if (!result) throw new AppError(404, "user_not_linked", `no linked Oura user ${id}`);
    return c.html("");
  });

  return app;
}
