// The dashboard by role: an operator's has the server's parts (subscriptions, invitations, promotion, the refused-
// delivery banner); a wearer's has their own account only. The same services answer both (tested for every route in
// access-table.test.ts); here, what each sees and can do on the page.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { browse, CookieJar } from "../helpers/browser.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";
import { signInSession } from "../helpers/sign-in.ts";

const fake = new FakeOura().start();
let running: RunningServer;
let base: string;
let operator: { cookie: string; csrf: string };
let wearer: { cookie: string; csrf: string };

async function oauthSession(userId: string, email: string) {
  fake.addUser(userId, email);
  fake.nextAuthorizeUser = userId;
  const jar = new CookieJar();
  expect((await browse(jar, `${base}/auth/login`, ["/dashboard"])).url.pathname).toBe("/dashboard");
  const cookie = jar.header(new URL(base));
  const { csrf_token } = (await (await fetch(`${base}/auth/status`, { headers: { cookie } })).json()) as { csrf_token: string };
  return { cookie, csrf: csrf_token };
}

const page = async (session: { cookie: string }, path = "/dashboard") => (await fetch(`${base}${path}`, { headers: { cookie: session.cookie } })).text();
const htmx = (session: { cookie: string; csrf: string }, method: string, path: string, form?: Record<string, string>) =>
  fetch(`${base}${path}`, {
    method,
    headers: { cookie: session.cookie, "x-csrf-token": session.csrf, "hx-request": "true", ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
    body: form ? new URLSearchParams(form) : undefined,
  });

beforeAll(async () => {
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  running = await startTestServer({ ...fake.env(), PORT: String(port), PUBLIC_URL: base, API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: `${tempDir()}/dash.db`, ALLOWED_EMAILS: "*@family.example", OPERATOR_EMAILS: "parent@family.example" });
  operator = await signInSession(new URL(base), TEST_API_TOKEN);
  wearer = await oauthSession("KID", "kid@family.example");
});
afterAll(async () => {
  await running.stop();
  fake.stop();
});

describe("the dashboard by role", () => {
  test("a wearer's page: their own account (by email) and Unlink; no subscriptions, invitations, promotion, storage or mode", async () => {
    const html = await page(wearer);
    expect(html).toContain("Your Oura account");
    expect(html).toContain("Signed in as kid@family.example (wearer)");
    expect(html).toContain("Unlink");
    for (const operatorOnly of ["Subscribe to everything", "/dashboard/invitations", "/dashboard/subscriptions", "Make operator", "<dt>Storage</dt>", "<dt>Mode</dt>"]) expect(html).not.toContain(operatorOnly);
  });

  test("an operator makes an invitation on the page: the link is shown once, then listed without it; withdrawing it works", async () => {
    expect(await page(operator)).toContain('hx-get="/dashboard/invitations"');
    const made = await htmx(operator, "POST", "/dashboard/invitations", { note: "Alex", hours: "24" });
    expect(made.status).toBe(200);
    const fragment = await made.text();
    const link = fragment.match(/id="invitation-link">([^<]+)</)?.[1];
    expect(link).toStartWith(`${base}/auth/invite/`);
    const listed = await (await htmx(operator, "GET", "/dashboard/invitations")).text();
    expect(listed).toContain("Alex · open");
    expect(listed).not.toContain(link!);
    const id = listed.match(/id="invitation-([^"]+)"/)?.[1];
    const withdrawn = await (await htmx(operator, "DELETE", `/dashboard/invitations/${id}`)).text();
    expect(withdrawn).toContain("Alex · withdrawn");
    expect((await fetch(link!, { redirect: "manual" })).status).toBe(410);
  });

  test("an operator promotes a wearer on the page; the wearer's next request is an operator's; demoted, a wearer again", async () => {
    const promoted = await htmx(operator, "PUT", "/dashboard/users/KID/operator");
    expect(promoted.status).toBe(200);
    expect(await promoted.text()).toMatch(/kid@family\.example<\/span> <small class="role">operator/);
    expect(((await (await fetch(`${base}/auth/status`, { headers: { cookie: wearer.cookie } })).json()) as { role: string }).role).toBe("operator");
    expect(await page(wearer)).toContain("Subscribe to everything");
    await htmx(operator, "DELETE", "/dashboard/users/KID/operator");
    expect(((await (await fetch(`${base}/auth/status`, { headers: { cookie: wearer.cookie } })).json()) as { role: string }).role).toBe("wearer");
    // A wearer cannot promote anyone, themselves included.
    expect((await htmx(wearer, "PUT", "/dashboard/users/KID/operator")).status).toBe(403);
  });

  test("an operator who wears a ring sees their own nights and feed on the page; the API token's page shows everyone's", async () => {
    const parent = await oauthSession("PARENT", "parent@family.example");
    for (const [user, id] of [["PARENT", "sleep-parent"], ["KID", "sleep-kid"]]) {
      const response = await fake.deliver(`${base}/webhooks`, { event_type: "create", data_type: "daily_sleep", object_id: id!, event_time: new Date().toISOString(), user_id: user! });
      expect(response.status).toBe(201);
    }
    // The feed names each event's user: the parent's holds PARENT's only.
    const parentsFeed = await page(parent, "/dashboard/feed");
    expect(parentsFeed).toMatch(/<span class="user" title="PARENT">\s*parent@family\.example\s*<\/span>/);
    expect(parentsFeed).not.toContain('<span class="user" title="KID">');
    // Still an operator: every user in the list, and the server's parts.
    const parentsPage = await page(parent);
    expect(parentsPage).toContain("kid@family.example");
    expect(parentsPage).toContain("Subscribe to everything");
    const tokenFeed = await page(operator, "/dashboard/feed");
    expect(tokenFeed).toContain('<span class="user" title="PARENT">');
    expect(tokenFeed).toContain('<span class="user" title="KID">');
  });

  test("unlinking on the page when Oura does not confirm the revoke: the row becomes a note saying so", async () => {
    await oauthSession("COUSIN", "cousin@family.example");
    fake.forcedRevokeStatuses.push(503);
    const response = await htmx(operator, "DELETE", "/dashboard/users/COUSIN");
    expect(response.status).toBe(200);
    const note = await response.text();
    expect(note).toContain("Oura did not confirm");
    expect(note).toContain("Oura answered 503");
    // A confirmed revoke just removes the row.
    await oauthSession("AUNT", "aunt@family.example");
    expect(await (await htmx(operator, "DELETE", "/dashboard/users/AUNT")).text()).toBe("");
  });

  test("refused deliveries put a banner on the operator's page only", async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${base}/webhooks`, { method: "POST", headers: { "x-oura-signature": "00", "x-oura-timestamp": String(Math.floor(Date.now() / 1000)) }, body: "{}" });
      expect(response.status).toBe(401);
    }
    expect(await page(operator)).toContain('id="refusal-alert"');
    expect(await page(wearer)).not.toContain('id="refusal-alert"');
  });
});
