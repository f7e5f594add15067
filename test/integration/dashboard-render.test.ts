// Dashboard pages and fragments rendered through app.request, signed in and not.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningServer } from "../../src/server.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { startTestServer } from "../helpers/servers.ts";

let running: RunningServer;
const bearer = { authorization: `Bearer ${TEST_API_TOKEN}` };
const get = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, running.url), { headers, redirect: "manual" });

beforeAll(async () => {
  running = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
});
afterAll(() => running.stop());

/** Gets the sign-in form's CSRF cookie and field value. */
async function signInForm() {
  const page = await get("/dashboard");
  const cookie = page.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
  return { cookie, csrf };
}

function postSignIn(form: { cookie: string; csrf: string }, token: string, headers: Record<string, string> = {}) {
  return fetch(new URL("/dashboard/sign-in", running.url), {
    method: "POST",
    redirect: "manual",
    headers: { cookie: form.cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ _csrf: form.csrf, token }),
  });
}

describe("without a session", () => {
  test("/dashboard shows a sign-in page and no data", async () => {
    await deliver(running.url, sampleNotification({ user_id: "PRIVATE-USER" }));
    const response = await get("/dashboard");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Sign in");
    expect(html).not.toContain("PRIVATE-USER");
    expect(html).not.toContain('id="feed"');
    // No Oura credentials here: the page says exactly what to set.
    expect(html).toContain("OURA_CLIENT_ID");
    expect(html).toContain("OURA_CLIENT_SECRET");
  });

  test.each(["/dashboard/panels", "/dashboard/feed", "/dashboard/events/1", "/dashboard/subscriptions"])("%s → 401", async (path) => {
    expect((await get(path)).status).toBe(401);
  });
});

describe("API-token sign-in", () => {
  test("the right token starts a session; the wrong one does not", async () => {
    const form = await signInForm();
    const wrong = await postSignIn(form, "not-the-token", { "x-forwarded-for": "10.0.0.1" });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("not right");
    const right = await postSignIn(form, TEST_API_TOKEN);
    expect(right.status).toBe(303);
    const session = right.headers.getSetCookie().find((c) => c.startsWith("oura_session="))!;
    expect(session).toContain("HttpOnly");
    const dashboard = await get("/dashboard", { cookie: session.split(";")[0]! });
    expect(await dashboard.text()).toContain("all users");
  });

  test("without the form's CSRF value → 403", async () => {
    const form = await signInForm();
    expect((await postSignIn({ ...form, csrf: "forged" }, TEST_API_TOKEN)).status).toBe(403);
    expect((await postSignIn({ cookie: "", csrf: form.csrf }, TEST_API_TOKEN)).status).toBe(403);
  });

  test("guessing is rate-limited: after 5 wrong tokens even the right one waits", async () => {
    const guesser = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
    try {
      const url = new URL("/dashboard", guesser.url);
      const page = await fetch(url);
      const form = { cookie: page.headers.getSetCookie().map((c) => c.split(";")[0]).join("; "), csrf: (await page.text()).match(/name="_csrf" value="([^"]+)"/)![1]! };
      const attempt = (token: string) =>
        fetch(new URL("/dashboard/sign-in", guesser.url), {
          method: "POST",
          redirect: "manual",
          headers: { cookie: form.cookie, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ _csrf: form.csrf, token }),
        });
      for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
      expect((await attempt(TEST_API_TOKEN)).status).toBe(429);
    } finally {
      await guesser.stop();
    }
  });
});

describe("signed in", () => {
  test("with no events yet, the feed explains how to send a test notification", async () => {
    const fresh = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
    try {
      const html = await (await fetch(new URL("/dashboard", fresh.url), { headers: bearer })).text();
      expect(html).toContain("No events yet");
      expect(html).toContain("x-oura-signature");
    } finally {
      await fresh.stop();
    }
  });

  test("the dashboard has the status strip, cards, charts, the live feed wired to the WebSocket, and local assets only", async () => {
    const { id } = (await (await deliver(running.url, sampleNotification({ data_type: "daily_sleep" }))).json()) as { id: number };
    const html = await (await get("/dashboard", bearer)).text();
    expect(html).toContain('hx-ws:connect="/ws/events?format=html"');
    expect(html).toContain(`id="event-${id}"`);
    for (const id of ["card-sleep", "card-readiness", "card-activity", "card-hrv", "card-resting_hr", "card-steps", "chart-sleep", "last-event"]) {
      expect(html).toContain(`id="${id}"`);
    }
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((u) => !u.startsWith("/dashboard") && !u.startsWith("/auth"));
    for (const source of sources) {
      expect(source.startsWith("/")).toBe(true);
      if (source.startsWith("/static/")) {
        const asset = await get(source);
        expect(asset.status).toBe(200);
        expect(asset.headers.get("cache-control")).toContain("max-age");
      }
    }
  });

  test("fragments: panels for each range, feed filtered by type, event detail (htmx fragment and full page)", async () => {
    const { id } = (await (await deliver(running.url, sampleNotification({ data_type: "workout" }))).json()) as { id: number };
    for (const days of ["7", "30", "90"]) expect(await (await get(`/dashboard/panels?days=${days}`, bearer)).text()).toContain(`last ${days} days`);
    const feed = await (await get("/dashboard/feed?data_type=workout", bearer)).text();
    expect(feed).toContain(`id="event-${id}"`);
    expect(feed).not.toContain('data-type="daily_sleep"');
    const fragment = await (await get(`/dashboard/events/${id}`, { ...bearer, "hx-request": "true" })).text();
    expect(fragment).not.toContain("<html");
    expect(fragment).toContain("Notification");
    expect(fragment).toContain("History of this document");
    const full = await (await get(`/dashboard/events/${id}`, bearer)).text();
    expect(full).toContain("<html");
    expect((await get("/dashboard/events/999999", bearer)).status).toBe(404);
  });

  test("a session's state-changing dashboard requests need the CSRF token", async () => {
    const form = await signInForm();
    const session = (await postSignIn(form, TEST_API_TOKEN)).headers.getSetCookie().find((c) => c.startsWith("oura_session="))!.split(";")[0]!;
    const response = await fetch(new URL("/dashboard/users/SOMEONE", running.url), { method: "DELETE", headers: { cookie: session } });
    expect(response.status).toBe(403);
    const page = await (await get("/dashboard", { cookie: session })).text();
    const token = JSON.parse(page.match(/hx-headers:inherited="([^"]+)"/)![1]!.replaceAll("&quot;", '"'))["X-CSRF-Token"];
    const withToken = await fetch(new URL("/dashboard/users/SOMEONE", running.url), { method: "DELETE", headers: { cookie: session, "x-csrf-token": token } });
    expect(withToken.status).toBe(404);
  });
});
