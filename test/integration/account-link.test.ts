import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { browse, CookieJar } from "../helpers/browser.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";
import { openSocket } from "../helpers/websocket.ts";

const fake = new FakeOura().start();
let running: RunningServer;
let base: string;
let dbPath: string;
const apiAuth = { authorization: `Bearer ${TEST_API_TOKEN}` };

beforeAll(async () => {
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  dbPath = join(tempDir(), "link.db");
  // Every fake user may link (their emails are <id>@example.com); invitations have tests of their own.
  running = await startTestServer({ ...fake.env(), PORT: String(port), DATABASE_PATH: dbPath, API_TOKEN: TEST_API_TOKEN, OURA_VERIFICATION_TOKEN: "vt", ALLOWED_EMAILS: "*@example.com" });
});
afterAll(async () => {
  await running.stop();
  fake.stop();
});

async function signIn(userId: string) {
  fake.nextAuthorizeUser = userId;
  const jar = new CookieJar();
  const visit = await browse(jar, `${base}/auth/login`, ["/dashboard"]);
  expect(visit.url.pathname).toBe("/dashboard");
  return jar;
}

const csrfTokens = new WeakMap<CookieJar, string>();
const sessionFetch = async (jar: CookieJar, path: string, init: RequestInit = {}) => {
  const url = new URL(path, base);
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>), cookie: jar.header(url) };
  if (init.method && init.method !== "GET") {
    if (!csrfTokens.has(jar)) {
      const status = await fetch(new URL("/auth/status", base), { headers: { cookie: jar.header(url) } });
      csrfTokens.set(jar, ((await status.json()) as { csrf_token: string }).csrf_token);
    }
    headers["x-csrf-token"] = csrfTokens.get(jar)!;
  }
  return fetch(url, { ...init, headers });
};

interface EventBody {
  id: number;
  fetch_status: string;
  fetch_error: string | null;
  document: Record<string, unknown> | null;
}

async function settled(id: number): Promise<EventBody> {
  return waitFor(async () => {
    const event = (await (await fetch(`${base}/events/${id}`, { headers: apiAuth })).json()) as EventBody;
    return event.fetch_status === "pending" ? undefined : event;
  }, 8000, `event ${id} to be fetched`);
}

async function notify(userId: string, dataType: string, objectId: string, eventType = "create") {
  const response = await fake.deliver(`${base}/webhooks`, {
    event_type: eventType,
    data_type: dataType,
    object_id: objectId,
    event_time: new Date().toISOString(),
    user_id: userId,
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

describe("sign in with Oura", () => {
  test("login redirects to Oura with code flow parameters and a state bound to the browser", async () => {
    const response = await fetch(`${base}/auth/login`, { redirect: "manual" });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(location.origin + location.pathname).toBe(`${fake.url}/oauth/authorize`);
    expect(location.searchParams.get("response_type")).toBe("code");
    expect(location.searchParams.get("client_id")).toBe(fake.clientId);
    expect(location.searchParams.get("redirect_uri")).toBe(`${base}/auth/callback`);
    expect(location.searchParams.get("scope")).toContain("daily");
    expect(location.searchParams.get("state")!.length).toBeGreaterThanOrEqual(24);
    expect(response.headers.getSetCookie().join()).toContain("HttpOnly");
  });

  test("the whole flow: callback stores tokens, starts a session, and /auth/status shows the link", async () => {
    const jar = await signIn("USER-FLOW");
    const session = jar.get(new URL(base).host, "oura_session");
    expect(session).toBeDefined();
    const status = (await (await sessionFetch(jar, "/auth/status")).json()) as { principal: string; user_id: string; linked_users: { user_id: string; needs_reauth: boolean; scopes: string[] }[] };
    expect(status.principal).toBe("session");
    expect(status.user_id).toBe("USER-FLOW");
    expect(status.linked_users.map((u) => u.user_id)).toEqual(["USER-FLOW"]);
    expect(status.linked_users[0]!.needs_reauth).toBe(false);
    const landing = await sessionFetch(jar, "/dashboard");
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain("USER-FLOW");
    const cookie = (await fetch(`${base}/auth/login`, { redirect: "manual" })).headers.getSetCookie().join();
    expect(cookie).toContain("SameSite=Lax");
  });

  test("a state from another browser, a reused state and a made-up state are refused with 400, and nothing is linked", async () => {
    const before = fake.counters.codeExchanges;
    // Browser A starts; browser B (no cookie) completes with A's redirect.
    const start = await fetch(`${base}/auth/login`, { redirect: "manual" });
    const toOura = new URL(start.headers.get("location")!);
    const fromOura = await fetch(toOura, { redirect: "manual" });
    const callback = fromOura.headers.get("location")!;
    const stranger = await fetch(callback, { redirect: "manual" });
    expect(stranger.status).toBe(400);
    expect(await stranger.text()).toContain("could not be verified");

    const jar = new CookieJar();
    const visit = await browse(jar, `${base}/auth/login`, ["/auth/callback"]);
    const replayUrl = visit.url;
    const first = await fetch(replayUrl, { redirect: "manual", headers: { cookie: jar.header(replayUrl) } });
    expect(first.status).toBe(302);
    const again = await fetch(replayUrl, { redirect: "manual", headers: { cookie: jar.header(replayUrl) } });
    expect(again.status).toBe(400);

    const madeUp = await fetch(`${base}/auth/callback?code=x&state=nope`, { redirect: "manual" });
    expect(madeUp.status).toBe(400);
    expect(fake.counters.codeExchanges).toBe(before + 1);
  });

  test("a state older than 10 minutes is refused", async () => {
    const jar = new CookieJar();
    const visit = await browse(jar, `${base}/auth/login`, ["/auth/callback"]);
    const db = new Database(dbPath);
    db.run("UPDATE oauth_states SET created_at_ms = created_at_ms - 601000");
    db.close();
    const late = await fetch(visit.url, { redirect: "manual", headers: { cookie: jar.header(visit.url) } });
    expect(late.status).toBe(400);
  });

  test("access_denied shows a 400 page and links nothing", async () => {
    fake.denyNextAuthorize = true;
    fake.nextAuthorizeUser = "USER-DECLINES";
    const jar = new CookieJar();
    const visit = await browse(jar, `${base}/auth/login`);
    expect(visit.response.status).toBe(400);
    expect(await visit.response.text()).toContain("declined");
    const status = (await (await fetch(`${base}/auth/status`, { headers: apiAuth })).json()) as { linked_users: { user_id: string }[] };
    expect(status.linked_users.map((u) => u.user_id)).not.toContain("USER-DECLINES");
  });
});

describe("document fetch after a notification", () => {
  test("notification → document fetched with that user's token → in /documents and on the user's WebSocket", async () => {
    const jar = await signIn("USER-DOC");
    fake.putDocument("USER-DOC", "daily_sleep", { id: "ds-1", day: "2026-11-23", score: 81, contributors: { deep_sleep: 70 } });
    const wsUrl = `${base.replace("http", "ws")}/ws/events`;
    const socket = await openSocket(wsUrl, { cookie: jar.header(new URL(base)) });
    const eventId = await notify("USER-DOC", "daily_sleep", "ds-1");
    const event = await settled(eventId);
    expect(event.fetch_status).toBe("fetched");
    expect(event.document).toMatchObject({ id: "ds-1", score: 81 });

    const first = await socket.next();
    expect(first.event).toMatchObject({ id: eventId, fetch_status: "pending" });
    const enriched = await socket.next();
    expect(enriched.event).toMatchObject({ id: eventId, fetch_status: "fetched", document: { score: 81 } });
    socket.close();

    const documents = (await (await sessionFetch(jar, "/documents?data_type=daily_sleep")).json()) as { documents: { document_id: string; day: string; document: { score: number } }[] };
    expect(documents.documents.map((d) => [d.document_id, d.day, d.document.score])).toEqual([["ds-1", "2026-11-23", 81]]);
    const one = await sessionFetch(jar, "/documents/daily_sleep/ds-1");
    expect(one.status).toBe(200);
  });

  test("a session sees only its own user's events and documents; the API token sees all", async () => {
    const jarA = await signIn("USER-SCOPE-A");
    await signIn("USER-SCOPE-B");
    fake.putDocument("USER-SCOPE-B", "workout", { id: "w-b", day: "2026-11-20", activity: "cycling" });
    const id = await notify("USER-SCOPE-B", "workout", "w-b");
    await settled(id);
    const asA = (await (await sessionFetch(jarA, "/events?user_id=USER-SCOPE-B")).json()) as { events: unknown[]; total_stored: number };
    expect(asA.events).toEqual([]);
    expect(asA.total_stored).toBe(0);
    expect((await sessionFetch(jarA, `/events/${id}`)).status).toBe(404);
    expect((await sessionFetch(jarA, "/documents/workout/w-b")).status).toBe(404);
    const asApi = (await (await fetch(`${base}/documents/workout/w-b`, { headers: apiAuth })).json()) as { user_id: string };
    expect(asApi.user_id).toBe("USER-SCOPE-B");
  });

  test("vo2_max is fetched from the vO2_max path", async () => {
    await signIn("USER-VO2");
    fake.putDocument("USER-VO2", "vO2_max", { id: "v-1", day: "2026-11-22", vo2_max: 44 });
    const event = await settled(await notify("USER-VO2", "vo2_max", "v-1"));
    expect(event.fetch_status).toBe("fetched");
  });

  test("404 marks the event missing; a delete marks the document deleted without a fetch", async () => {
    await signIn("USER-GONE");
    const missing = await settled(await notify("USER-GONE", "sleep", "never-existed"));
    expect(missing.fetch_status).toBe("missing");

    fake.putDocument("USER-GONE", "tag", { id: "t-1", day: "2026-11-21" });
    await settled(await notify("USER-GONE", "tag", "t-1"));
    const requests = fake.counters.documentRequests;
    const deleteId = await notify("USER-GONE", "tag", "t-1", "delete");
    const deleted = (await (await fetch(`${base}/events/${deleteId}`, { headers: apiAuth })).json()) as EventBody;
    expect(deleted.fetch_status).toBe("deleted");
    const document = (await (await fetch(`${base}/documents/tag/t-1`, { headers: apiAuth })).json()) as { deleted: boolean };
    expect(document.deleted).toBe(true);
    expect(fake.counters.documentRequests).toBe(requests);
  });

  test("a notification for a user with no token waits as awaiting_link and is fetched once that user links", async () => {
    fake.putDocument("USER-LATE", "daily_readiness", { id: "r-1", day: "2026-11-24", score: 77 });
    const requests = fake.requests.length;
    const id = await notify("USER-LATE", "daily_readiness", "r-1");
    // Stored as waiting at once: the server knows nobody signed in for this user, so no fetch is even tried.
    const waiting = (await (await fetch(`${base}/events/${id}`, { headers: apiAuth })).json()) as EventBody;
    expect(waiting.fetch_status).toBe("awaiting_link");
    expect(fake.requests.length).toBe(requests);
    await signIn("USER-LATE");
    const fetched = await waitFor(async () => {
      const event = (await (await fetch(`${base}/events/${waiting.id}`, { headers: apiAuth })).json()) as EventBody;
      return event.fetch_status === "fetched" ? event : undefined;
    });
    expect(fetched.document).toMatchObject({ score: 77 });
  });
});

describe("tokens", () => {
  test("an expired access token is refreshed once and rotated; no refresh token is ever presented twice, even with concurrent fetches", async () => {
    await signIn("USER-ROTATE");
    for (const id of ["a", "b", "c", "d"]) fake.putDocument("USER-ROTATE", "daily_activity", { id, day: "2026-11-24", steps: 1000 });
    fake.expireAccessTokens("USER-ROTATE");
    const refreshes = fake.counters.refreshes;
    const ids = await Promise.all(["a", "b", "c", "d"].map((id) => notify("USER-ROTATE", "daily_activity", id)));
    for (const id of ids) expect((await settled(id)).fetch_status).toBe("fetched");
    expect(fake.counters.refreshes).toBe(refreshes + 1);
    expect(fake.counters.refreshReuse).toBe(0);
  });

  test("invalid_grant marks the user as needing re-authorisation, visible in /auth/status, and the fetch loop goes on", async () => {
    await signIn("USER-REVOKED");
    fake.expireAccessTokens("USER-REVOKED");
    // Oura no longer knows the user's refresh token (revoked on Oura's side).
    fake.spentRefresh.add(fake.currentRefresh.get("USER-REVOKED")!);
    fake.currentRefresh.delete("USER-REVOKED");
    fake.putDocument("USER-REVOKED", "sleep", { id: "s-r", day: "2026-11-24" });
    const event = await settled(await notify("USER-REVOKED", "sleep", "s-r"));
    expect(event.fetch_status).toBe("awaiting_link");
    const status = (await (await fetch(`${base}/auth/status`, { headers: apiAuth })).json()) as { linked_users: { user_id: string; needs_reauth: boolean; reauth_reason: string }[] };
    const user = status.linked_users.find((u) => u.user_id === "USER-REVOKED")!;
    expect(user.needs_reauth).toBe(true);
    expect(user.reauth_reason).toContain("invalid_grant");
    // Operators see the count in /health (never who); anonymous callers see no counts at all.
    const health = (await (await fetch(`${base}/health`, { headers: apiAuth })).json()) as { oura: { needs_reauth: number; linked_users: number } };
    expect(health.oura.needs_reauth).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(health)).not.toContain("USER-REVOKED");
    expect(((await (await fetch(`${base}/health`)).json()) as { oura?: unknown }).oura).toBeUndefined();
    const dashboard = await (await fetch(`${base}/dashboard`, { headers: apiAuth })).text();
    expect(dashboard).toContain("sign in again");
    // Other users are still served.
    await signIn("USER-FINE");
    fake.putDocument("USER-FINE", "sleep", { id: "s-f", day: "2026-11-24" });
    expect((await settled(await notify("USER-FINE", "sleep", "s-f"))).fetch_status).toBe("fetched");
    // Reuse here is the fake noticing our one refused attempt with the revoked token, not a second presentation.
    expect(fake.counters.refreshReuse).toBe(1);
  });

  test("the database file never contains a token in plain text", async () => {
    await signIn("USER-SECRET");
    const database = readFileSync(dbPath).toString("latin1") + readFileSync(`${dbPath}-wal`).toString("latin1");
    const tokens = [...fake.accessTokens.keys(), ...fake.currentRefresh.values(), ...fake.spentRefresh];
    expect(tokens.length).toBeGreaterThan(5);
    for (const token of tokens) expect(database.includes(token)).toBe(false);
  });
});

describe("unlinking", () => {
  test("when Oura does not confirm the revoke, the answer says so (revoked false, and why); the link is removed all the same", async () => {
    await signIn("USER-UNREVOKED");
    fake.forcedRevokeStatuses.push(503);
    const response = await fetch(`${base}/auth/users/USER-UNREVOKED`, { method: "DELETE", headers: apiAuth });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user_id: "USER-UNREVOKED", revoked: false, revoke_error: "Oura answered 503" });
    const status = (await (await fetch(`${base}/auth/status`, { headers: apiAuth })).json()) as { linked_users: { user_id: string }[] };
    expect(status.linked_users.map((u) => u.user_id)).not.toContain("USER-UNREVOKED");
  });

  test("a session may unlink only itself; unlinking revokes at Oura, deletes tokens, and ?purge=true deletes the data", async () => {
    const jar = await signIn("USER-LEAVES");
    fake.putDocument("USER-LEAVES", "sleep", { id: "s-l", day: "2026-11-24" });
    await settled(await notify("USER-LEAVES", "sleep", "s-l"));
    // Someone else's user is not there as far as a wearer can tell.
    expect((await sessionFetch(jar, "/auth/users/USER-FLOW", { method: "DELETE" })).status).toBe(404);
    const revocations = fake.counters.revocations;
    const response = await sessionFetch(jar, "/auth/users/USER-LEAVES?purge=true", { method: "DELETE" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { revoked: boolean; revoke_error: string | null; purged: { events: number; documents: number } };
    expect(body.revoked).toBe(true);
    expect(body.revoke_error).toBeNull();
    expect(body.purged.events).toBeGreaterThanOrEqual(1);
    expect(body.purged.documents).toBe(1);
    expect(fake.counters.revocations).toBe(revocations + 1);
    // The session ended with the link.
    expect((await sessionFetch(jar, "/auth/status")).status).toBe(401);
    const events = (await (await fetch(`${base}/events?user_id=USER-LEAVES`, { headers: apiAuth })).json()) as { events: unknown[] };
    expect(events.events).toEqual([]);
  });

  test("a session's changes need its CSRF token: without it 403 and nothing changes", async () => {
    const jar = await signIn("USER-CSRF");
    const url = new URL("/auth/users/USER-CSRF", base);
    const forged = await fetch(url, { method: "DELETE", headers: { cookie: jar.header(url) } });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe("csrf_failed");
    const wrong = await fetch(url, { method: "DELETE", headers: { cookie: jar.header(url), "x-csrf-token": "guess" } });
    expect(wrong.status).toBe(403);
    expect((await sessionFetch(jar, "/auth/status")).status).toBe(200);
  });

  test("POST /auth/logout ends the session", async () => {
    const jar = await signIn("USER-LOGOUT");
    const out = await sessionFetch(jar, "/auth/logout", { method: "POST" });
    expect(out.status).toBe(200);
    jar.store(new URL(base), out);
    expect((await sessionFetch(jar, "/auth/status")).status).toBe(401);
  });
});

describe("cookies behind https", () => {
  test("over https (as a TLS proxy reports it) the sign-in and session cookies are Secure; over plain http they are not", async () => {
    const secure = await fetch(`${base}/auth/login`, { redirect: "manual", headers: { "x-forwarded-proto": "https" } });
    expect(secure.headers.getSetCookie().join()).toContain("Secure");
    const plain = await fetch(`${base}/auth/login`, { redirect: "manual" });
    expect(plain.headers.getSetCookie().join()).not.toContain("Secure");
  });
});
