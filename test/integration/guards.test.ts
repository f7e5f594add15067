// Every change a browser session can make must carry the session's CSRF token. The routes are taken from the app
// itself, so a route added later without its guard fails here.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app.ts";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { startTestServer } from "../helpers/servers.ts";
import { signInSession } from "../helpers/sign-in.ts";

/** The only changes anyone may ask for without a session or the API token. */
const PUBLIC_CHANGES = new Set(["POST /webhooks", "POST /dashboard/sign-in"]);
/** /mcp opens to a bearer token only (an MCP token or API_TOKEN): a session is no credential there, so no CSRF either. */
const BEARER_ONLY = new Set(["POST /mcp", "DELETE /mcp"]);
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const fake = new FakeOura().start();
let running: RunningServer;
let cookie: string;
let csrf: string;

beforeAll(async () => {
  running = await startTestServer({ ...fake.env(), API_TOKEN: TEST_API_TOKEN, PUBLIC_URL: "http://127.0.0.1:9" });
  // A browser session, the way a person gets one: the sign-in form with the API token.
  ({ cookie, csrf } = await signInSession(running.url, TEST_API_TOKEN));
});
afterAll(async () => {
  await running.stop();
  fake.stop();
});

function changeRoutes(): { method: string; path: string }[] {
  const seen = new Set<string>();
  return createApp(running.deps)
    .routes.filter((route) => UNSAFE.has(route.method))
    .map((route) => ({ method: route.method, path: route.path.replace(/:(\w+)(\{[^}]*\})?/g, "1") }))
    .filter((route) => !PUBLIC_CHANGES.has(`${route.method} ${route.path}`) && !BEARER_ONLY.has(`${route.method} ${route.path}`))
    .filter((route) => !seen.has(`${route.method} ${route.path}`) && seen.add(`${route.method} ${route.path}`));
}

describe("CSRF guard on every change a session can make", () => {
  test("the app has the changes this test expects to guard", () => {
    const routes = changeRoutes().map((route) => `${route.method} ${route.path}`);
    expect(routes).toEqual(expect.arrayContaining(["POST /auth/logout", "DELETE /events", "POST /subscriptions/sync", "DELETE /dashboard/users/1", "DELETE /auth/users/1"]));
    expect(routes.length).toBeGreaterThanOrEqual(11);
  });

  test("a session opens no bearer-only route (401)", async () => {
    for (const route of BEARER_ONLY) {
      const [method, path] = route.split(" ") as [string, string];
      const response = await fetch(new URL(path, running.url), { method, headers: { cookie, "content-type": "application/json", accept: "application/json, text/event-stream" }, body: method === "POST" ? "{}" : undefined });
      expect({ route, status: response.status }).toEqual({ route, status: 401 });
    }
  });

  test("a session without X-CSRF-Token is refused with 403 csrf_failed on every one of them", async () => {
    for (const route of changeRoutes()) {
      const response = await fetch(new URL(route.path, running.url), { method: route.method, headers: { cookie } });
      const body = (await response.json()) as { error?: { code: string } };
      expect({ route, status: response.status, code: body.error?.code }).toEqual({ route, status: 403, code: "csrf_failed" });
    }
  });

  test("a wrong token is refused the same way, and the right one passes the guard", async () => {
    for (const route of changeRoutes()) {
      const wrong = await fetch(new URL(route.path, running.url), { method: route.method, headers: { cookie, "x-csrf-token": "not-the-token" } });
      expect({ route, status: wrong.status }).toEqual({ route, status: 403 });
      await wrong.body?.cancel();
    }
    // With the token the guard lets the request through (what happens next is the route's business).
    const logout = await fetch(new URL("/auth/logout", running.url), { method: "POST", headers: { cookie, "x-csrf-token": csrf } });
    expect(logout.status).toBe(200);
    // The session is gone: its cookie no longer opens a data route.
    expect((await fetch(new URL("/events", running.url), { headers: { cookie } })).status).toBe(401);
  });
});

describe("guards come from each route's declared security", () => {
  test("every operation of /openapi.json that declares security runs a guard made from it before its handler", async () => {
    const document = (await (await fetch(new URL("/openapi.json", running.url))).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const routes = createApp(running.deps).routes;
    const guards = new Set(["principalGuard", "optionalPrincipalGuard", "metricsTokenGuard", "mcpCallerGuard"]);
    const declared = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.security?.length)
        .map(([method]) => ({ method: method.toUpperCase(), path: path.replace(/\{(\w+)\}/g, ":$1") })),
    );
    expect(declared.length).toBeGreaterThanOrEqual(20);
    for (const route of declared) {
      const chain = routes.filter((r) => r.method === route.method && r.path === route.path).map((r) => r.handler.name);
      expect({ route, guarded: chain.some((name) => guards.has(name)) }).toEqual({ route, guarded: true });
    }
  });
});
