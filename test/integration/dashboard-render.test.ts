// Dashboard pages and fragments rendered through app.request, signed in and not.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createRecordingBroadcaster } from "../../src/realtime/broadcaster.ts";
import { publishEvent } from "../../src/realtime/event-messages.ts";
import type { Event } from "../../src/schemas/event.ts";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { signInForm } from "../helpers/sign-in.ts";
import { startTestServer } from "../helpers/servers.ts";

let running: RunningServer;
const bearer = { authorization: `Bearer ${TEST_API_TOKEN}` };
const get = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, running.url), { headers, redirect: "manual" });

beforeAll(async () => {
  running = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
});
afterAll(() => running.stop());

const signInFormOf = (server: RunningServer = running) => signInForm(server.url);

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
    const form = await signInFormOf();
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
    const form = await signInFormOf();
    expect((await postSignIn({ ...form, csrf: "forged" }, TEST_API_TOKEN)).status).toBe(403);
    expect((await postSignIn({ cookie: "", csrf: form.csrf }, TEST_API_TOKEN)).status).toBe(403);
  });

  test("guessing is rate-limited: after 5 wrong tokens even the right one waits", async () => {
    const guesser = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
    try {
      const form = await signInFormOf(guesser);
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
    // A metric with no value in the days shown is named in one line, not drawn as an empty card.
    expect(html).toMatch(/<p class="not-recorded">Not recorded in these days: .*<span class="chart" id="chart-spo2" data-points="0">SpO2<\/span>/);
    expect(html).toContain("No Oura ring is linked yet");
    for (const id of ["today", "card-sleep", "card-readiness", "card-activity", "chart-sleep", "chart-hrv", "chart-resting_hr", "chart-steps", "chart-stress_high", "chart-resilience", "chart-spo2", "chart-vo2_max", "chart-cardiovascular_age", "activities", "last-event"]) {
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
    const form = await signInFormOf();
    const session = (await postSignIn(form, TEST_API_TOKEN)).headers.getSetCookie().find((c) => c.startsWith("oura_session="))!.split(";")[0]!;
    const response = await fetch(new URL("/dashboard/users/SOMEONE", running.url), { method: "DELETE", headers: { cookie: session } });
    expect(response.status).toBe(403);
    const page = await (await get("/dashboard", { cookie: session })).text();
    const token = JSON.parse(page.match(/hx-headers:inherited="([^"]+)"/)![1]!.replaceAll("&quot;", '"'))["X-CSRF-Token"];
    const withToken = await fetch(new URL("/dashboard/users/SOMEONE", running.url), { method: "DELETE", headers: { cookie: session, "x-csrf-token": token } });
    expect(withToken.status).toBe(404);
  });
});

describe("Oura data in the HTML is escaped", () => {
  // Every field below comes from Oura (or from whoever signs notifications) and must reach the page as text.
  const HOSTILE = `"><img src=x onerror=alert(1)><script>alert(1)</script>`;
  const ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(1)&lt;/script&gt;";
  const DAY = `2099-12-31${HOSTILE}`;
  let hostile: RunningServer;
  const fake = new FakeOura().start();

  function expectEscaped(html: string) {
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain(ESCAPED);
  }

  async function store(notification: { data_type: string; object_id: string; user_id: string }) {
    const full = { event_type: "create" as const, event_time: "2026-11-24T08:00:00+00:00", ...notification };
    const body = JSON.stringify(full);
    return (await hostile.storage.events.appendEvent({ source: "webhook", identity: full, raw: body, received: JSON.parse(body), fetch: "pending" })).event;
  }

  let fetchedEvent: Event;
  let failedEvent: Event;

  beforeAll(async () => {
    hostile = await startTestServer({ ...fake.env(), API_TOKEN: TEST_API_TOKEN, PUBLIC_URL: "http://127.0.0.1:9" });
    // A sleep score whose document has a hostile day, id and user: it feeds the card, the chart and the feed.
    const sleep = await store({ data_type: "daily_sleep", object_id: `doc${HOSTILE}`, user_id: `USER${HOSTILE}` });
    fetchedEvent = (await hostile.storage.fetchQueue.recordFetched(
      { eventId: sleep.id, userId: sleep.user_id, dataType: sleep.data_type, objectId: sleep.object_id, attempts: 0 },
      { id: `doc${HOSTILE}`, day: DAY, score: 80 },
    ))!;
    // An event of a hostile data type whose fetch failed with a hostile error.
    const other = await store({ data_type: `tag${HOSTILE}`, object_id: `obj${HOSTILE}`, user_id: `USER${HOSTILE}` });
    failedEvent = (await hostile.storage.fetchQueue.recordFetchOutcome(other.id, "failed", `boom${HOSTILE}`))!;
    fake.subscriptions.set(`sub${HOSTILE}`, {
      id: `sub${HOSTILE}`,
      callback_url: "http://127.0.0.1:9/webhooks",
      event_type: "create",
      data_type: `sleep${HOSTILE}`,
      verification_token: "x",
      expiration_time: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    } as never);
  });
  afterAll(async () => {
    await hostile.stop();
    fake.stop();
  });

  const read = async (path: string, headers: Record<string, string> = {}) => (await fetch(new URL(path, hostile.url), { headers: { ...bearer, ...headers } })).text();

  test("in the dashboard: cards, charts (attributes, titles and value table) and feed rows", async () => {
    const html = await read("/dashboard");
    expectEscaped(html);
    // A day that is no calendar day never reaches the cards and charts at all (it is stored as missing).
    expect(html).not.toContain("2099-12-31");
    expect(html).toContain(`data-type="tag${ESCAPED}"`);
    expect(html).toContain(`USER${ESCAPED}`);
  });

  test("in the panels and feed fragments", async () => {
    const panels = await read("/dashboard/panels?days=30");
    expect(panels).not.toContain("<img src=x");
    expect(panels).not.toContain("2099-12-31");
    const feed = await read("/dashboard/feed");
    expectEscaped(feed);
    expect(feed).toContain(`<span class="words">tag${ESCAPED}: could not be fetched</span>`);
  });

  test("in the event detail, fragment and full page", async () => {
    for (const [event, objectId] of [[fetchedEvent, `doc${ESCAPED}`], [failedEvent, `obj${ESCAPED}`]] as const) {
      for (const headers of [{ "hx-request": "true" }, {}] as Record<string, string>[]) {
        const html = await read(`/dashboard/events/${event.id}`, headers);
        expectEscaped(html);
        expect(html).toContain(objectId);
      }
    }
    expect(await read(`/dashboard/events/${failedEvent.id}`)).toContain(`boom${ESCAPED}`);
  });

  test("in the subscriptions table", async () => {
    const html = await read("/dashboard/subscriptions");
    expectEscaped(html);
    expect(html).toContain(`sleep${ESCAPED}`);
  });

  test("in the live WebSocket message, new row, updated row and panel refresh", () => {
    const broadcaster = createRecordingBroadcaster();
    publishEvent(broadcaster, failedEvent, true);
    publishEvent(broadcaster, fetchedEvent, false);
    const html = broadcaster.messages.filter((m) => m.topic.startsWith("html:")).map((m) => m.message);
    expect(html.length).toBeGreaterThan(0);
    for (const message of html) {
      expect(message).toContain("<hx-partial ");
      expectEscaped(message);
    }
    expect(html.some((m) => m.includes('hx-target="#panels-refresh"'))).toBe(true);
  });
});

describe("the status strip's mode", () => {
  test("says the server polls when it polls (with or without webhooks), and webhooks otherwise", async () => {
    const fake = new FakeOura().start();
    const servers: RunningServer[] = [];
    try {
      const modeOf = async (env: Record<string, string>) => {
        const server = await startTestServer({ ...fake.env(), API_TOKEN: TEST_API_TOKEN, ...env });
        servers.push(server);
        const html = await (await fetch(new URL("/dashboard", server.url), { headers: bearer })).text();
        return html.match(/<dt>Mode<\/dt>\s*<dd>([^<]*)<\/dd>/)?.[1];
      };
      expect(await modeOf({ POLLING_ENABLED: "true", POLLING_INTERVAL_SECONDS: "300" })).toBe("polling Oura every 300 s");
      expect(await modeOf({ POLLING_ENABLED: "true", POLLING_INTERVAL_SECONDS: "300", PUBLIC_URL: "https://oura.example.org" })).toBe(
        "polling Oura every 300 s, and webhooks at https://oura.example.org/webhooks",
      );
      expect(await modeOf({ PUBLIC_URL: "https://oura.example.org" })).toBe("webhooks at https://oura.example.org/webhooks");
    } finally {
      for (const server of servers) await server.stop();
      fake.stop();
    }
  });
});

describe("people by name", () => {
  test("feed rows, on the page and live, show a linked user's email, the Oura id kept in the tooltip", async () => {
    const fake = new FakeOura().start();
    fake.addUser("USER-NAMED", "ada@example.org");
    const server = await startTestServer({ ...fake.env(), API_TOKEN: TEST_API_TOKEN, OURA_INITIAL_REFRESH_TOKEN: fake.issueTokens("USER-NAMED").refresh_token });
    try {
      for (const user_id of ["USER-NAMED", "USER-ANON"]) expect((await deliver(server.url, sampleNotification({ user_id }), { secret: fake.clientSecret })).status).toBe(201);
      const html = await (await fetch(new URL("/dashboard", server.url), { headers: bearer })).text();
      expect(html).toMatch(/<span class="user" title="USER-NAMED">\s*ada@example\.org\s*<\/span>/);
      expect(html).toMatch(/<span class="user" title="USER-ANON">\s*USER-ANON\s*<\/span>/);
      // The history panel's offer and imports name the user too (an import under way: the offer is gone).
      expect((await fetch(new URL("/dashboard/history/USER-NAMED", server.url), { method: "POST", headers: bearer })).status).toBe(200);
      const history = await (await fetch(new URL("/dashboard/history", server.url), { headers: bearer })).text();
      expect(history).toContain("(ada@example.org)");
      expect(history).not.toContain("(USER-NAMED)");
      // The live feed names them the same way: the server's broadcaster knows the email.
      expect(server.deps.broadcaster.feedContext?.nameOf?.("USER-NAMED")).toBe("ada@example.org");
      expect(server.deps.broadcaster.feedContext?.nameOf?.("USER-ANON")).toBeUndefined();
      const recording = { ...createRecordingBroadcaster(), feedContext: server.deps.broadcaster.feedContext };
      const event = (await server.deps.events.listEvents({ user_id: "USER-NAMED" }, { limit: 1 })).events[0]!;
      publishEvent(recording, event, true);
      expect(recording.messages.find((m) => m.topic.startsWith("html:"))?.message).toMatch(/title="USER-NAMED">\s*ada@example\.org/);
    } finally {
      await server.stop();
      fake.stop();
    }
  });
});
