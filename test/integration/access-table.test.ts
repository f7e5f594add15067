// Who may do what, for every route the app has: the routes are taken from the app itself, each is classed once below
// (a route added later without a class fails here), and every principal is sent to every route. Then, for the data
// routes, wearer A's answers are searched for anything of wearer B's.
import { signInWithOura } from "../helpers/sign-in.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app.ts";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";
import { openSocket } from "../helpers/websocket.ts";

type Access = "public" | "optional" | "data" | "operator" | "bearer";

/**
 * Every route, by who may use it: public (anyone, no guard), optional (anyone; more for the signed-in), data (wearers
 * see their own), operator, bearer (/mcp: an MCP token or the API token only, never a browser's session).
 */
const ACCESS: Record<string, Access> = {
  "GET /health": "optional",
  "GET /webhooks": "public",
  "POST /webhooks": "public",
  "GET /auth/login": "public",
  "GET /auth/callback": "public",
  "GET /auth/invite/:secret": "public",
  "POST /auth/logout": "optional",
  "GET /auth/status": "data",
  "DELETE /auth/users/:id": "data",
  "PUT /auth/users/:id/operator": "operator",
  "PUT /auth/users/:id/display-name": "data",
  "DELETE /auth/users/:id/operator": "operator",
  "GET /events": "data",
  "GET /events/:id": "data",
  "DELETE /events": "operator",
  "POST /events/retry-failed": "operator",
  "GET /ws/events": "data",
  "GET /documents": "data",
  "GET /documents/:data_type/:id": "data",
  "GET /polling": "data",
  "POST /backfill": "data",
  "GET /backfill": "data",
  "GET /backfill/:id": "data",
  "DELETE /backfill/:id": "data",
  "GET /subscriptions": "operator",
  "POST /subscriptions": "operator",
  "PUT /subscriptions/:id/renew": "operator",
  "DELETE /subscriptions/:id": "operator",
  "POST /subscriptions/sync": "operator",
  "POST /invitations": "operator",
  "GET /invitations": "operator",
  "DELETE /invitations/:id": "operator",
  "POST /hooks": "data",
  "GET /hooks": "data",
  "GET /hooks/:id": "data",
  "PATCH /hooks/:id": "data",
  "DELETE /hooks/:id": "data",
  "POST /hooks/:id/secret": "data",
  "GET /hooks/:id/deliveries": "data",
  "POST /hooks/:id/deliveries/:delivery_id/retry": "data",
  "GET /export": "data",
  "POST /mcp-tokens": "data",
  "GET /mcp-tokens": "data",
  "DELETE /mcp-tokens/:id": "data",
  "GET /mcp-tokens/log": "data",
  "GET /dashboard/assistants": "data",
  "POST /dashboard/assistants": "data",
  "DELETE /dashboard/assistants/:id": "data",
  "POST /mcp": "bearer",
  "GET /mcp": "bearer",
  "DELETE /mcp": "bearer",
  "GET /metrics": "operator",
  "GET /dashboard": "optional",
  "POST /dashboard/sign-in": "public",
  "GET /dashboard/panels": "data",
  "GET /dashboard/today": "data",
  "PUT /dashboard/users/:id/name": "data",
  "GET /dashboard/feed": "data",
  "GET /dashboard/events/:id": "data",
  "GET /dashboard/night": "data",
  "GET /dashboard/history": "data",
  "POST /dashboard/history/:id": "data",
  "DELETE /dashboard/users/:id": "data",
  "PUT /dashboard/users/:id/operator": "operator",
  "DELETE /dashboard/users/:id/operator": "operator",
  "GET /dashboard/subscriptions": "operator",
  "GET /dashboard/subscriptions/summary": "operator",
  "POST /dashboard/subscriptions/sync": "operator",
  "PUT /dashboard/subscriptions/:id/renew": "operator",
  "DELETE /dashboard/subscriptions/:id": "operator",
  "GET /dashboard/warehouse": "operator",
  "GET /dashboard/invitations": "operator",
  "POST /dashboard/invitations": "operator",
  "DELETE /dashboard/invitations/:id": "operator",
  "POST /dashboard/fetches/retry-failed": "operator",
  "GET /dashboard/hooks": "data",
  "POST /dashboard/hooks": "data",
  "PUT /dashboard/hooks/:id/enabled": "data",
  "DELETE /dashboard/hooks/:id": "data",
  "GET /dashboard/hooks/:id/deliveries": "data",
  "POST /dashboard/hooks/:id/deliveries/:delivery_id/retry": "data",
  "GET /openapi.json": "public",
  "GET /docs": "public",
  "GET /": "public",
};

interface Caller {
  name: string;
  kind: "anonymous" | "wearer" | "operator" | "guest" | "outside";
  server: "main" | "app";
  headers: () => Record<string, string>;
}

const fake = new FakeOura().start();
const A = "WEARER-A";
const B = "WEARER-B";
let main: RunningServer;
let app: RunningServer;
let base: string;
const sessions = new Map<string, { cookie: string; csrf: string }>();
const bearer = { authorization: `Bearer ${TEST_API_TOKEN}` };

const signIn = (userId: string) => signInWithOura(fake, base, userId);

const session = (userId: string) => () => {
  const s = sessions.get(userId)!;
  return { cookie: s.cookie, "x-csrf-token": s.csrf };
};

/** A Databricks App user's headers: the front door's, and the CSRF token their dashboard would send. */
const appCsrf = new Map<string, string>();
const appUser = (email: string) => () => ({ "x-forwarded-email": email, "x-csrf-token": appCsrf.get(email) ?? "" });

const CALLERS: Caller[] = [
  { name: "anonymous", kind: "anonymous", server: "main", headers: () => ({}) },
  { name: "wearer A", kind: "wearer", server: "main", headers: session(A) },
  { name: "wearer B", kind: "wearer", server: "main", headers: session(B) },
  { name: "operator session", kind: "operator", server: "main", headers: session("OPERATOR-O") },
  { name: "API token", kind: "operator", server: "main", headers: () => bearer },
  { name: "App operator", kind: "operator", server: "app", headers: appUser("boss@corp.example") },
  { name: "App wearer (their email is a linked ring's)", kind: "wearer", server: "app", headers: appUser("wearer-a@example.com") },
  { name: "App user without rights or a ring", kind: "guest", server: "app", headers: appUser("visitor@corp.example") },
  { name: "App request without the front door's header", kind: "outside", server: "app", headers: () => ({}) },
];

async function notify(userId: string, dataType: string, objectId: string) {
  const response = await fake.deliver(`${base}/webhooks`, { event_type: "create", data_type: dataType, object_id: objectId, event_time: new Date().toISOString(), user_id: userId });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

let eventOfB = 0;
let backfillOfB = 0;

beforeAll(async () => {
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  const dir = tempDir();
  const common = { ...fake.env(), API_TOKEN: TEST_API_TOKEN, ALLOWED_EMAILS: "*@example.com", OPERATOR_EMAILS: "operator-o@example.com", PUBLIC_URL: base };
  main = await startTestServer({ ...common, PORT: String(port), DATABASE_PATH: `${dir}/main.db` });
  app = await startTestServer({ ...fake.env(), DATABASE_PATH: `${dir}/app.db`, DATABRICKS_APP_NAME: "oura", DATABRICKS_APP_OPERATORS: "boss@corp.example", OPERATOR_EMAILS: "" });
  for (const user of [A, B, "OPERATOR-O"]) sessions.set(user, await signIn(user));
  // The App's wearer: the same ring linked on the App's server (as its own sign-in would).
  await app.deps.accounts.link(A, { accessToken: "a", refreshToken: "r", expiresInSeconds: 3600 }, "wearer-a@example.com");
  for (const email of ["boss@corp.example", "wearer-a@example.com"]) {
    const status = (await (await fetch(new URL("/auth/status", app.url), { headers: { "x-forwarded-email": email } })).json()) as { csrf_token: string };
    appCsrf.set(email, status.csrf_token);
  }
  for (const [user, id] of [[A, "sleep-a"], [B, "sleep-b"]] as const) {
    fake.putDocument(user, "daily_sleep", { id, day: "2026-12-01", score: user === A ? 81 : 64 });
    const event = await notify(user, "daily_sleep", id);
    if (user === B) eventOfB = event;
    await waitFor(async () => {
      const body = (await (await fetch(`${base}/events/${event}`, { headers: bearer })).json()) as { fetch_status: string };
      return body.fetch_status === "fetched" || undefined;
    }, 8000, `${user}'s document`);
  }
  const backfill = await fetch(`${base}/backfill`, { method: "POST", headers: { ...bearer, "content-type": "application/json" }, body: JSON.stringify({ user_id: B, start_date: "2026-11-01", end_date: "2026-11-02" }) });
  backfillOfB = ((await backfill.json()) as { id: number }).id;
});

afterAll(async () => {
  await main.stop();
  await app.stop();
  fake.stop();
});

function appRoutes(): string[] {
  const seen = new Set<string>();
  for (const route of createApp(main.deps).routes) {
    if (route.method === "ALL") continue;
    const key = `${route.method} ${route.path.replace(/\{[^}]*\}/g, "")}`;
    if (route.path.includes("*") || route.path.startsWith("/static") || route.path.startsWith("/swagger-ui") || route.path === "/favicon.ico") continue;
    seen.add(key);
  }
  return [...seen];
}

const concrete = (path: string) =>
  path
    .replace(":data_type", "daily_sleep")
    .replace(":secret", "not-an-invitation")
    .replace(":id", "999999")
    .replace(":delivery_id", "999999");

/** Valid bodies, so that what answers is the access rule and not the body's validation. */
const BODIES: Record<string, unknown> = {
  "POST /subscriptions": { data_type: "daily_sleep", event_type: "create" },
  "POST /backfill": { start_date: "2026-11-01", end_date: "2026-11-02" },
  "POST /invitations": { note: "table" },
  // A name that never resolves: the endpoints made here fail at once, sending nothing anywhere.
  "POST /hooks": { url: "https://receiver.invalid/hook" },
  "PATCH /hooks/:id": { description: "table" },
  "POST /mcp-tokens": { name: "table" },
};

const REFUSALS = new Set(["unauthorized", "operator_only", "not_linked", "csrf_failed"]);

/** Whether an answer refuses the caller (not the route's own business: 404, 422, 409, 502, a bad webhook signature, …). */
async function refusal(response: Response): Promise<boolean> {
  if (response.status !== 401 && response.status !== 403) {
    await response.body?.cancel();
    return false;
  }
  if (!response.headers.get("content-type")?.includes("application/json")) return (await response.text()).length >= 0;
  const body = (await response.json()) as { error?: { code?: string } };
  return REFUSALS.has(body.error?.code ?? "");
}

describe("every route × every principal", () => {
  test("every route of the app is classed in the access table (a new route must say who may use it)", () => {
    const routes = appRoutes().sort();
    expect(routes.filter((route) => !(route in ACCESS))).toEqual([]);
    expect(Object.keys(ACCESS).filter((route) => !routes.includes(route))).toEqual([]);
  });

  test("each principal is refused exactly where the table says", async () => {
    const outcomes: string[] = [];
    const wrong: string[] = [];
    for (const route of Object.keys(ACCESS)) {
      const access = ACCESS[route]!;
      const [method, path] = route.split(" ") as [string, string];
      // Changes that would remove what the rest of this test reads (the stored events, the sessions) are left to the
      // tests below; the others are sent ids that do not exist.
      // The token sign-in form has its own CSRF pair and tests (sign-in-limiter.test.ts).
      if (route === "DELETE /events" || route === "POST /auth/logout" || route === "POST /dashboard/sign-in") continue;
      for (const caller of CALLERS) {
        const server = caller.server === "main" ? main : app;
        const body = BODIES[route];
        const headers = { ...caller.headers(), ...(body ? { "content-type": "application/json" } : {}) };
        const response = await fetch(new URL(concrete(path), server.url), { method, redirect: "manual", headers, body: body ? JSON.stringify(body) : undefined });
        const refused = await refusal(response);
        const expectRefused =
          access === "bearer"
            ? caller.name !== "API token"
            : access === "public"
            ? false
            : access === "optional"
              ? // The dashboard tells a signed-in App user without access so (a 403 page); /health and logout never refuse.
                caller.kind === "guest" && route === "GET /dashboard"
              : caller.kind === "anonymous" || caller.kind === "outside" || caller.kind === "guest"
                ? true
                : access === "operator" && caller.kind === "wearer";
        outcomes.push(`${route} ${caller.name} ${response.status}`);
        if (refused !== expectRefused) wrong.push(`${route} as ${caller.name}: ${response.status}, expected ${expectRefused ? "401/403" : "no refusal"}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(400);
  });

  test("a wearer asking for an operator's route gets 403 operator_only; nobody signed in gets 401", async () => {
    const asA = await fetch(`${base}/subscriptions`, { headers: session(A)() });
    expect(asA.status).toBe(403);
    expect(((await asA.json()) as { error: { code: string } }).error.code).toBe("operator_only");
    const deleteAsA = await fetch(`${base}/events`, { method: "DELETE", headers: session(A)() });
    expect(deleteAsA.status).toBe(403);
    expect((await (await fetch(`${base}/events/${eventOfB}`, { headers: bearer })).json()) as object).toHaveProperty("id", eventOfB);
    expect((await fetch(`${base}/subscriptions`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: session(A)() })).status).toBe(403);
  });

  test("the App: a request without the front door's header gets nothing, even with no API_TOKEN configured", async () => {
    for (const path of ["/events", "/auth/status", "/export", "/polling"]) expect((await fetch(new URL(path, app.url))).status).toBe(401);
    const deleted = await fetch(new URL("/events", app.url), { method: "DELETE" });
    expect(deleted.status).toBe(401);
    const guest = await fetch(new URL("/events", app.url), { headers: { "x-forwarded-email": "visitor@corp.example" } });
    expect(guest.status).toBe(403);
    expect(((await guest.json()) as { error: { code: string } }).error.code).toBe("not_linked");
    const boss = (await (await fetch(new URL("/auth/status", app.url), { headers: { "x-forwarded-email": "boss@corp.example" } })).json()) as { role: string };
    expect(boss.role).toBe("operator");
    const wearer = (await (await fetch(new URL("/auth/status", app.url), { headers: { "x-forwarded-email": "Wearer-A@example.com" } })).json()) as { role: string; user_id: string };
    expect(wearer).toMatchObject({ role: "wearer", user_id: A });
    // An App operator promotes that wearer: their next request is an operator's; demoted, a wearer again.
    const asBoss = { "x-forwarded-email": "boss@corp.example", "x-csrf-token": appCsrf.get("boss@corp.example")! };
    expect((await fetch(new URL(`/auth/users/${A}/operator`, app.url), { method: "PUT", headers: asBoss })).status).toBe(200);
    const asA = { "x-forwarded-email": "wearer-a@example.com" };
    expect(((await (await fetch(new URL("/auth/status", app.url), { headers: asA })).json()) as { role: string }).role).toBe("operator");
    expect((await fetch(new URL("/invitations", app.url), { headers: asA })).status).toBe(200);
    expect((await fetch(new URL(`/auth/users/${A}/operator`, app.url), { method: "DELETE", headers: asBoss })).status).toBe(200);
    expect((await fetch(new URL("/invitations", app.url), { headers: asA })).status).toBe(403);
  });
});

describe("a wearer never sees another wearer's data", () => {
  const readsOfA = [
    "/auth/status",
    "/events",
    `/events?user_id=${B}`,
    `/events/${0}`,
    "/documents",
    `/documents?user_id=${B}`,
    "/polling",
    "/backfill",
    "/export",
    `/export?user_id=${B}`,
    "/export?what=documents&format=csv",
    `/export?what=documents&user_id=${B}`,
    "/dashboard",
    "/dashboard/feed",
    "/dashboard/panels?days=30",
    "/dashboard/night",
    "/dashboard/history",
    "/health",
  ];

  test("A's answers hold A's data and nothing of B's (events, documents, nights, exports, imports, the dashboard)", async () => {
    const leaks: string[] = [];
    let sawOwn = 0;
    for (const path of readsOfA) {
      const response = await fetch(`${base}${path}`, { headers: session(A)() });
      const text = await response.text();
      if (text.includes(B) || text.includes("sleep-b") || text.includes("wearer-b@")) leaks.push(`${path} (${response.status})`);
      if (text.includes("sleep-a")) sawOwn++;
    }
    expect(leaks).toEqual([]);
    // B's things asked for by their ids are not there, as far as A can tell.
    for (const path of [`/events/${eventOfB}`, `/backfill/${backfillOfB}`, `/dashboard/events/${eventOfB}`, "/documents/daily_sleep/sleep-b"]) {
      const response = await fetch(`${base}${path}`, { headers: session(A)() });
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(await response.text()).not.toContain("64");
    }
    // Not an empty pass: A's own document is in A's answers.
    expect(sawOwn).toBeGreaterThanOrEqual(4);
    // And B's own answers do hold B's data (the search above could find it).
    expect(await (await fetch(`${base}/events`, { headers: session(B)() })).text()).toContain("sleep-b");
  });

  test("A's WebSocket carries A's events only; B's import is not A's to see or cancel", async () => {
    const socket = await openSocket(`${base.replace("http", "ws")}/ws/events`, { cookie: sessions.get(A)!.cookie });
    try {
      fake.putDocument(B, "daily_sleep", { id: "sleep-b2", day: "2026-12-02", score: 60 });
      fake.putDocument(A, "daily_sleep", { id: "sleep-a2", day: "2026-12-02", score: 80 });
      await notify(B, "daily_sleep", "sleep-b2");
      await notify(A, "daily_sleep", "sleep-a2");
      const first = await socket.next();
      expect(first.event.user_id).toBe(A);
      const seen: string[] = [first.event.user_id];
      while (socket.pending() > 0) seen.push((await socket.next()).event?.user_id);
      expect(seen).not.toContain(B);
    } finally {
      socket.close();
    }
    // A page of another site cannot open A's socket with A's cookie (no CORS rule covers WebSockets).
    const upgrade = (origin: string) =>
      fetch(`${base}/ws/events`, { headers: { cookie: sessions.get(A)!.cookie, origin, connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" } });
    const foreign = await upgrade("http://evil.example");
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe("csrf_failed");
    expect((await upgrade(base)).status).toBe(101);
    expect((await fetch(`${base}/backfill/${backfillOfB}`, { method: "DELETE", headers: session(A)() })).status).toBe(404);
    expect((await fetch(`${base}/backfill`, { method: "POST", headers: { ...session(A)(), "content-type": "application/json" }, body: JSON.stringify({ user_id: B, start_date: "2026-11-01", end_date: "2026-11-02" }) })).status).toBe(404);
    expect((await fetch(`${base}/dashboard/history/${B}`, { method: "POST", headers: session(A)() })).status).toBe(404);
    expect((await fetch(`${base}/auth/users/${B}`, { method: "DELETE", headers: session(A)() })).status).toBe(404);
    // B is still linked.
    expect(await (await fetch(`${base}/auth/status`, { headers: bearer })).text()).toContain(B);
  });
});
