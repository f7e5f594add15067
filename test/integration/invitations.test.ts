// Sign-in by invitation: a stranger with an Oura account is refused (and the token Oura gave is revoked); an
// invitation link lets one person in, once, until it expires; ALLOWED_EMAILS and OPERATOR_EMAILS need none.
import { movableClock } from "../helpers/clock.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { browse, CookieJar } from "../helpers/browser.ts";
import { cli as runCli } from "../helpers/cli.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";

const fake = new FakeOura().start();
let running: RunningServer;
let base: string;
let databasePath: string;
const clock = movableClock();
const bearer = { authorization: `Bearer ${TEST_API_TOKEN}` };

beforeAll(async () => {
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  databasePath = `${tempDir()}/invite.db`;
  running = await startTestServer(
    { ...fake.env(), PORT: String(port), PUBLIC_URL: base, API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: databasePath, ALLOWED_EMAILS: "*@family.example", OPERATOR_EMAILS: "boss@example.org" },
    { clock: clock.now },
  );
});
afterAll(async () => {
  await running.stop();
  fake.stop();
});

/** Signs in as `userId` (with `email`) in a fresh browser, starting at `start`; where it ends and what the page says. */
async function signIn(userId: string, email: string, start = `${base}/auth/login`, jar = new CookieJar()) {
  fake.addUser(userId, email);
  fake.nextAuthorizeUser = userId;
  const visit = await browse(jar, start, ["/dashboard"]);
  return { path: visit.url.pathname, status: visit.response.status, text: visit.url.pathname === "/dashboard" ? "" : await visit.response.text(), jar };
}

const linked = async () => ((await (await fetch(`${base}/auth/status`, { headers: bearer })).json()) as { linked_users: { user_id: string; role: string; email: string | null }[] }).linked_users;

async function invite(hours?: number): Promise<{ id: string; link: string; state: string }> {
  const response = await fetch(`${base}/invitations`, { method: "POST", headers: { ...bearer, "content-type": "application/json" }, body: JSON.stringify({ note: "for a friend", ...(hours ? { expires_in_hours: hours } : {}) }) });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; link: string; state: string };
}

describe("who may link an Oura account", () => {
  test("a stranger is refused with a page that says why and names nobody; the token Oura issued is revoked; nothing is linked", async () => {
    const revocations = fake.counters.revocations;
    const outcome = await signIn("STRANGER", "stranger@elsewhere.example");
    expect(outcome.path).not.toBe("/dashboard");
    expect(outcome.status).toBe(403);
    expect(outcome.text).toContain("invitation");
    expect(outcome.text).toContain("<html");
    for (const name of ["boss@example.org", "family.example", "FRIEND"]) expect(outcome.text).not.toContain(name);
    expect(fake.counters.revocations).toBe(revocations + 1);
    expect((await linked()).map((u) => u.user_id)).not.toContain("STRANGER");
    // No session either.
    expect((await fetch(`${base}/auth/status`, { headers: { cookie: outcome.jar.header(new URL(base)) } })).status).toBe(401);
  });

  test("a user linked before invitations existed (no email stored) stays linked as a wearer and signs in again without one", async () => {
    const tokens = fake.issueTokens("OLD-TIMER");
    await running.deps.accounts.link("OLD-TIMER", { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresInSeconds: tokens.expires_in });
    expect((await linked()).find((u) => u.user_id === "OLD-TIMER")).toMatchObject({ role: "wearer" });
    const again = await signIn("OLD-TIMER", "old-timer@elsewhere.example");
    expect(again.path).toBe("/dashboard");
    expect((await linked()).find((u) => u.user_id === "OLD-TIMER")).toMatchObject({ role: "wearer", email: "old-timer@elsewhere.example" });
  });

  test("personal_info of an odd shape: an email that is no text is missing (an invitation is then needed); no user id links nothing", async () => {
    fake.personalInfoOverrides.push({ email: 12345 });
    const noEmail = await signIn("ODD-EMAIL", "odd@family.example");
    expect(noEmail.status).toBe(403);
    expect(noEmail.text).toContain("invitation");
    fake.personalInfoOverrides.push({ id: null });
    const noId = await signIn("NO-ID", "noid@family.example");
    expect(noId.status).toBe(502);
    expect(noId.text).toContain("no usable user id");
    const ids = (await linked()).map((u) => u.user_id);
    expect(ids).not.toContain("ODD-EMAIL");
    expect(ids).not.toContain("NO-ID");
  });

  test("ALLOWED_EMAILS (a whole domain) and OPERATOR_EMAILS need no invitation; the operator's session is an operator", async () => {
    expect((await signIn("KID", "Kid@Family.Example")).path).toBe("/dashboard");
    const boss = await signIn("BOSS", "boss@example.org");
    expect(boss.path).toBe("/dashboard");
    const roles = Object.fromEntries((await linked()).map((u) => [u.user_id, u.role]));
    expect(roles).toMatchObject({ KID: "wearer", BOSS: "operator" });
    const status = (await (await fetch(`${base}/auth/status`, { headers: { cookie: boss.jar.header(new URL(base)) } })).json()) as { role: string };
    expect(status.role).toBe("operator");
  });

  test("an invitation lets one person in, once; the same link in another browser, or again after unlinking, is refused", async () => {
    const invitation = await invite();
    expect(invitation.link).toStartWith(`${base}/auth/invite/`);
    expect(invitation.state).toBe("open");
    const friend = await signIn("FRIEND", "friend@elsewhere.example", invitation.link);
    expect(friend.path).toBe("/dashboard");
    expect((await linked()).find((u) => u.user_id === "FRIEND")?.role).toBe("wearer");
    const list = (await (await fetch(`${base}/invitations`, { headers: bearer })).json()) as { invitations: { id: string; state: string; used_by: string | null }[] };
    expect(list.invitations.find((i) => i.id === invitation.id)).toMatchObject({ state: "used", used_by: "FRIEND" });
    // A used invitation cannot be withdrawn any more: said, not silently answered as if it had been.
    const withdraw = await fetch(`${base}/invitations/${invitation.id}`, { method: "DELETE", headers: bearer });
    expect(withdraw.status).toBe(409);
    expect(((await withdraw.json()) as { error: { code: string } }).error.code).toBe("invitation_not_open");
    // The link is spent: opening it again says so (no sign-in starts).
    const again = await fetch(invitation.link, { redirect: "manual" });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("already used");
    // A second person who kept the invitation cookie of that link from before it was used is refused too.
    const early = new CookieJar();
    const second = await invite();
    await browse(early, second.link, ["/auth/login"]);
    await signIn("SECOND", "second@elsewhere.example", `${base}/auth/login`, early);
    expect((await linked()).map((u) => u.user_id)).toContain("SECOND");
    const late = await signIn("LATE", "late@elsewhere.example", `${base}/auth/login`, early);
    // The cookie went with the first use: LATE is a stranger now.
    expect(late.status).toBe(403);
    // Unlinked, FRIEND needs a new invitation: the old one stays used.
    expect((await fetch(`${base}/auth/users/FRIEND`, { method: "DELETE", headers: bearer })).status).toBe(200);
    fake.addUser("FRIEND", "friend@elsewhere.example");
    fake.nextAuthorizeUser = "FRIEND";
    const jar = new CookieJar();
    const reuse = await browse(jar, invitation.link, ["/dashboard"]);
    expect(reuse.response.status).toBe(410);
    expect((await linked()).map((u) => u.user_id)).not.toContain("FRIEND");
  });

  test("expired, withdrawn and forged invitations are refused with a page; a forged one names no invitation", async () => {
    const expiring = await invite(1);
    const withdrawn = await invite();
    expect((await fetch(`${base}/invitations/${withdrawn.id}`, { method: "DELETE", headers: bearer })).status).toBe(200);
    const forged = await fetch(`${base}/auth/invite/not-a-real-secret-0123456789`, { redirect: "manual" });
    expect(forged.status).toBe(404);
    const revoked = await fetch(withdrawn.link, { redirect: "manual" });
    expect(revoked.status).toBe(410);
    expect(await revoked.text()).toContain("withdrawn");
    // An hour later (the server's clock is an input).
    clock.advance(61 * 60_000);
    try {
      const expired = await fetch(expiring.link, { redirect: "manual" });
      expect(expired.status).toBe(410);
      expect(await expired.text()).toContain("expired");
    } finally {
      clock.advance(-61 * 60_000);
    }
  });

  test("only operators invite: a wearer's POST /invitations is 403; the CLI makes a working link beside the running server", async () => {
    const kid = await signIn("KID", "kid@family.example");
    const cookie = kid.jar.header(new URL(base));
    const csrf = ((await (await fetch(`${base}/auth/status`, { headers: { cookie } })).json()) as { csrf_token: string }).csrf_token;
    const refused = await fetch(`${base}/invitations`, { method: "POST", headers: { cookie, "x-csrf-token": csrf } });
    expect(refused.status).toBe(403);
    const cli = await runCli(["invite", "--note", "cli"], { DATABASE_PATH: databasePath, PUBLIC_URL: base });
    expect(cli.code).toBe(0);
    const link = cli.stdout.trim();
    expect(link).toStartWith(`${base}/auth/invite/`);
    expect((await signIn("VIA-CLI", "cli@elsewhere.example", link)).path).toBe("/dashboard");
    const listed = await runCli(["invite", "--list"], { DATABASE_PATH: databasePath });
    expect(listed.stdout).toContain("used");
    const promoted = await runCli(["operators", "promote", "cli@elsewhere.example"], { DATABASE_PATH: databasePath });
    expect(promoted.code).toBe(0);
    expect((await linked()).find((u) => u.user_id === "VIA-CLI")?.role).toBe("operator");
  });
});
