// Outgoing webhooks end to end: a real server (private addresses allowed), the fake Oura, and receivers that are real
// Bun servers verifying every delivery with the official Standard Webhooks library. The dispatcher is driven by its
// tick and the server's movable clock, so retries are tested without waiting for them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";
import { FakeOura } from "../../src/demo/fake-oura.ts";
import type { RunningServer } from "../../src/server.ts";
import { movableClock } from "../helpers/clock.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";
import { type Session, signInWithOura } from "../helpers/sign-in.ts";

const WEARER = "HOOK-WEARER";
const OTHER = "HOOK-OTHER";
const fake = new FakeOura().start();
const clock = movableClock();
const databasePath = `${tempDir()}/hooks.db`;
let running: RunningServer;
let base: string;
let wearer: Session & { role: string };

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A receiver: records every request, answers from `answers` (then 200). */
function receiver() {
  const requests: Received[] = [];
  const answers: (() => Response)[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      requests.push({ path: new URL(request.url).pathname, headers: request.headers.toJSON(), body: await request.text() });
      return (answers.shift() ?? (() => new Response("ok")))();
    },
  });
  return { url: `http://127.0.0.1:${server.port}/hook`, requests, answers, stop: () => server.stop(true) };
}
const receivers: ReturnType<typeof receiver>[] = [];
const newReceiver = () => {
  const made = receiver();
  receivers.push(made);
  return made;
};

const operator = { authorization: `Bearer ${TEST_API_TOKEN}` };
const asWearer = () => ({ cookie: wearer.cookie, "x-csrf-token": wearer.csrf });
const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = operator) =>
  fetch(new URL(path, base), { method, headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) }, body: body === undefined ? undefined : JSON.stringify(body) });

async function createHook(body: Record<string, unknown>, headers: Record<string, string> = operator): Promise<{ id: string; secret: string }> {
  const response = await api("POST", "/hooks", body, headers);
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; secret: string };
}

/**
 * A pass of the dispatcher that began after this call (tick() joins a run already under way, which may have read the
 * queue before the latest event was committed: the second one is sure to be fresh), and the attempts it started finished.
 */
async function dispatch() {
  await running.hookDispatcher.tick();
  await running.hookDispatcher.tick();
  await running.hookDispatcher.settled();
}

let sequence = 0;
/** Oura announces a document (signed webhook); the server fetches it from the fake. Resolves with the event's id once fetched. */
async function announce(userId: string, dataType = "daily_sleep", eventType: "create" | "update" | "delete" = "create") {
  const objectId = `doc-${++sequence}`;
  if (eventType !== "delete") fake.putDocument(userId, dataType, { id: objectId, day: "2026-11-24", score: 70 + sequence });
  const notification = { event_type: eventType, data_type: dataType, object_id: objectId, event_time: new Date(clock.now()).toISOString(), user_id: userId };
  const response = await fake.deliver(`${base}/webhooks`, notification, Math.floor(clock.now() / 1000));
  expect(response.status).toBeLessThan(300);
  const { id } = (await response.json()) as { id: number };
  await waitFor(async () => ["fetched", "deleted"].includes((await running.storage.events.getEvent(id))?.fetch_status ?? ""), 5000, `event ${id} final`);
  return { id, objectId };
}

const deliveriesOf = async (hookId: string, headers = operator) =>
  ((await (await api("GET", `/hooks/${hookId}/deliveries`, undefined, headers)).json()) as { deliveries: { id: number; event_id: number; status: string; attempts: number; message_id: string; next_attempt_at: string | null; last_error: string | null; last_status_code: number | null; last_response_ms: number | null }[] })
    .deliveries;

beforeAll(async () => {
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  running = await startTestServer(
    { ...fake.env(), API_TOKEN: TEST_API_TOKEN, ALLOWED_EMAILS: "*@example.com", PUBLIC_URL: base, PORT: String(port), DATABASE_PATH: databasePath, HOOKS_ALLOW_PRIVATE_ADDRESSES: "true" },
    { clock: clock.now, hooks: { intervalMs: 3_600_000, random: () => 0.5, timeoutMs: 2000 } },
  );
  wearer = await signInWithOura(fake, base, WEARER);
  await signInWithOura(fake, base, OTHER);
});

afterAll(async () => {
  await running.stop();
  fake.stop();
  for (const r of receivers) r.stop();
});

describe("registering an endpoint", () => {
  test("POST /hooks answers the secret once; GET never shows it; the database holds only its ciphertext", async () => {
    const hook = await createHook({ url: newReceiver().url, description: "first" });
    expect(hook.id).toMatch(/^hook_/);
    expect(hook.secret).toMatch(/^whsec_/);
    const shown = await (await api("GET", `/hooks/${hook.id}`)).text();
    expect(shown).not.toContain(hook.secret);
    expect(shown).not.toContain("secret");
    expect(await (await api("GET", "/hooks")).text()).not.toContain(hook.secret);
    running.storage.connection.database.exec("PRAGMA wal_checkpoint(FULL)");
    const bytes = readFileSync(databasePath).toString("latin1") + readFileSync(`${databasePath}-wal`, { flag: "a+" }).toString("latin1");
    expect(bytes).toContain(hook.id);
    expect(bytes).not.toContain(hook.secret.slice("whsec_".length));
    await api("DELETE", `/hooks/${hook.id}`);
  });

  test.each([
    [{}, "missing url"],
    [{ url: "not a url" }, "not a URL"],
    [{ url: "ftp://example.org/x" }, "not http(s)"],
    [{ url: "https://user:pw@example.org/x" }, "credentials"],
    [{ url: "https://example.org/x", data_types: ["daily_nonsense"] }, "unknown data type"],
    [{ url: "https://example.org/x", event_types: ["upsert"] }, "unknown event type"],
    [{ url: "https://example.org/x", extra: 1 }, "unknown field"],
  ])("%j is refused with a 422 JSON error (%s)", async (body) => {
    const response = await api("POST", "/hooks", body);
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
  });

  test("a body that is not JSON is a 4xx JSON error, an unknown id a 404", async () => {
    const response = await fetch(new URL("/hooks", base), { method: "POST", headers: { ...operator, "content-type": "application/json" }, body: "{" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBeString();
    expect((await api("GET", "/hooks/hook_nope")).status).toBe(404);
    expect((await api("PATCH", "/hooks/hook_nope", { description: "x" })).status).toBe(404);
  });
});

describe("deliveries", () => {
  test("a signed Oura webhook, once its document is fetched, reaches the receiver as the enriched event, verified by the library", async () => {
    const target = newReceiver();
    const hook = await createHook({ url: target.url });
    const { id, objectId } = await announce(WEARER);
    await waitFor(async () => (await dispatch(), target.requests.length === 1 || undefined), 5000, "delivery");
    const request = target.requests[0]!;
    const verified = new Webhook(hook.secret).verify(request.body, request.headers) as { type: string; timestamp: string; data: Record<string, unknown> };
    expect(verified.type).toBe("daily_sleep.create");
    expect(verified.data).toMatchObject({ id, user_id: WEARER, object_id: objectId, fetch_status: "fetched", document: { id: objectId, day: "2026-11-24" } });
    expect(request.headers["webhook-id"]).toMatch(/^msg_/);
    const [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ event_id: id, status: "delivered", attempts: 1, message_id: request.headers["webhook-id"], last_status_code: 200 });
    expect(delivery!.last_response_ms).toBeNumber();
    await api("DELETE", `/hooks/${hook.id}`);
  });

  test("a polled or imported document is delivered too", async () => {
    const target = newReceiver();
    const hook = await createHook({ url: target.url, data_types: ["daily_readiness"] });
    await running.storage.polls.recordPolledDocuments(WEARER, "daily_readiness", [{ id: "polled-1", day: "2026-11-24", score: 81 }], new Date(clock.now()).toISOString(), "import");
    await dispatch();
    expect(target.requests.length).toBe(1);
    const body = new Webhook(hook.secret).verify(target.requests[0]!.body, target.requests[0]!.headers) as { type: string; data: { source: string; document: { id: string } } };
    expect(body).toMatchObject({ type: "daily_readiness.create", data: { source: "poll", document: { id: "polled-1" } } });
    await api("DELETE", `/hooks/${hook.id}`);
  });

  test("filters: data type, event type and user are respected", async () => {
    const byType = newReceiver();
    const byEvent = newReceiver();
    const byUser = newReceiver();
    await createHook({ url: byType.url, data_types: ["workout"] });
    await createHook({ url: byEvent.url, event_types: ["delete"] });
    await createHook({ url: byUser.url, user_ids: [OTHER] });
    await announce(WEARER, "daily_sleep");
    await announce(WEARER, "workout");
    await announce(OTHER, "daily_sleep");
    await announce(WEARER, "daily_sleep", "delete");
    await dispatch();
    const types = (r: ReturnType<typeof receiver>) => r.requests.map((q) => JSON.parse(q.body) as { type: string; data: { user_id: string } }).map((b) => `${b.data.user_id} ${b.type}`);
    expect(types(byType)).toEqual([`${WEARER} workout.create`]);
    expect(types(byEvent)).toEqual([`${WEARER} daily_sleep.delete`]);
    expect(types(byUser)).toEqual([`${OTHER} daily_sleep.create`]);
    for (const hook of (await (await api("GET", "/hooks")).json() as { hooks: { id: string }[] }).hooks) await api("DELETE", `/hooks/${hook.id}`);
  });

  test("a new secret signs from the next attempt on, and is shown only in its answer", async () => {
    const target = newReceiver();
    const hook = await createHook({ url: target.url });
    const rotated = await api("POST", `/hooks/${hook.id}/secret`);
    expect(rotated.status).toBe(200);
    const { secret } = (await rotated.json()) as { secret: string };
    expect(secret).not.toBe(hook.secret);
    expect(await (await api("GET", `/hooks/${hook.id}`)).text()).not.toContain(secret);
    await announce(WEARER);
    await dispatch();
    const request = target.requests[0]!;
    expect(new Webhook(secret).verify(request.body, request.headers)).toBeTruthy();
    expect(() => new Webhook(hook.secret).verify(request.body, request.headers)).toThrow();
    await api("DELETE", `/hooks/${hook.id}`);
  });

  test("delete stops deliveries", async () => {
    const target = newReceiver();
    const hook = await createHook({ url: target.url });
    expect((await api("DELETE", `/hooks/${hook.id}`)).status).toBe(204);
    await announce(WEARER);
    await dispatch();
    expect(target.requests.length).toBe(0);
    expect((await api("GET", `/hooks/${hook.id}/deliveries`)).status).toBe(404);
  });
});

describe("a wearer's endpoints", () => {
  test("carry only the wearer's own data, whatever the filter; others' users are refused; others' endpoints are invisible", async () => {
    expect(wearer.role).toBe("wearer");
    const mine = newReceiver();
    const theirs = newReceiver();
    const refused = await api("POST", "/hooks", { url: mine.url, user_ids: [OTHER] }, asWearer());
    expect(refused.status).toBe(404);
    const hook = await createHook({ url: mine.url }, asWearer());
    expect((await (await api("GET", `/hooks/${hook.id}`, undefined, asWearer())).json()) as object).toMatchObject({ owner_user_id: WEARER, user_ids: [WEARER] });
    const operators = await createHook({ url: theirs.url });
    expect((await api("GET", `/hooks/${operators.id}`, undefined, asWearer())).status).toBe(404);
    expect((await api("DELETE", `/hooks/${operators.id}`, undefined, asWearer())).status).toBe(404);
    expect((await api("PATCH", `/hooks/${hook.id}`, { user_ids: [OTHER] }, asWearer())).status).toBe(404);
    const listed = (await (await api("GET", "/hooks", undefined, asWearer())).json()) as { hooks: { id: string }[] };
    expect(listed.hooks.map((h) => h.id)).toEqual([hook.id]);
    await announce(OTHER);
    await announce(WEARER);
    await dispatch();
    expect(mine.requests.map((r) => (JSON.parse(r.body) as { data: { user_id: string } }).data.user_id)).toEqual([WEARER]);
    expect(theirs.requests.length).toBe(2);
    await api("DELETE", `/hooks/${hook.id}`, undefined, asWearer());
    await api("DELETE", `/hooks/${operators.id}`);
  });

  test("asking for another user says why without claiming they are not linked", async () => {
    const refused = await api("POST", "/hooks", { url: newReceiver().url, user_ids: [OTHER] }, asWearer());
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(`${OTHER} is not a user you may see: a wearer's endpoints carry their own data only`);
  });

  test("a wearer purged takes their endpoints and deliveries along; one unlinked keeps them", async () => {
    const purged = await signInWithOura(fake, base, "HOOK-PURGED");
    const kept = await signInWithOura(fake, base, "HOOK-UNLINKED");
    const headersOf = (session: Session) => ({ cookie: session.cookie, "x-csrf-token": session.csrf });
    const gone = await createHook({ url: newReceiver().url }, headersOf(purged));
    const stays = await createHook({ url: newReceiver().url }, headersOf(kept));
    await announce("HOOK-PURGED");
    await dispatch();
    expect((await api("DELETE", "/auth/users/HOOK-PURGED?purge=true")).status).toBe(200);
    expect((await api("DELETE", "/auth/users/HOOK-UNLINKED")).status).toBe(200);
    expect((await api("GET", `/hooks/${gone.id}`)).status).toBe(404);
    expect((await api("GET", `/hooks/${stays.id}`)).status).toBe(200);
    const rows = running.storage.connection.database.query("SELECT count(*) AS n FROM hook_deliveries WHERE endpoint_id = ?").get(gone.id) as { n: number };
    expect(rows.n).toBe(0);
    await api("DELETE", `/hooks/${stays.id}`);
  });
});

describe("the dashboard", () => {
  test("a wearer adds an endpoint with the form, sees its secret once, its delivery log, and sends a delivery again", async () => {
    const target = newReceiver();
    const form = (body: Record<string, string | string[]>) => {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(body)) for (const v of [value].flat()) params.append(name, v);
      return params;
    };
    const post = (path: string, body?: URLSearchParams, method = "POST") =>
      fetch(new URL(path, base), { method, headers: { ...asWearer(), "hx-request": "true", ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) }, body });
    const refused = await post("/dashboard/hooks", form({ url: "not a url" }));
    expect(refused.status).toBe(200);
    expect(await refused.text()).toContain("expected an absolute http(s) URL");
    const added = await (await post("/dashboard/hooks", form({ url: target.url, data_types: ["daily_sleep", "workout"], event_types: "create", description: "phone" }))).text();
    const secret = added.match(/<code id="hook-secret">(whsec_[^<]+)<\/code>/)?.[1];
    expect(secret).toBeString();
    const hookId = added.match(/id="hook-(hook_[^"]+)"/)![1]!;
    expect(await (await fetch(new URL("/dashboard/hooks", base), { headers: asWearer() })).text()).not.toContain(secret!);
    const shown = (await (await api("GET", `/hooks/${hookId}`, undefined, asWearer())).json()) as object;
    expect(shown).toMatchObject({ data_types: ["daily_sleep", "workout"], event_types: ["create"], user_ids: [WEARER], description: "phone" });
    await announce(WEARER);
    await dispatch();
    expect(target.requests.length).toBe(1);
    const log = await (await fetch(new URL(`/dashboard/hooks/${hookId}/deliveries`, base), { headers: asWearer() })).text();
    expect(log).toContain("<td>delivered</td><td>1</td><td>200</td>");
    const deliveryId = log.match(/deliveries\/(\d+)\/retry/)![1];
    const again = await post(`/dashboard/hooks/${hookId}/deliveries/${deliveryId}/retry`);
    expect(await again.text()).toContain("will be sent again");
    await dispatch();
    expect(target.requests.length).toBe(2);
    expect(target.requests[1]!.headers["webhook-id"]).toBe(target.requests[0]!.headers["webhook-id"]);
    expect(new Webhook(secret!).verify(target.requests[1]!.body, target.requests[1]!.headers)).toBeTruthy();
    const removed = await (await post(`/dashboard/hooks/${hookId}`, undefined, "DELETE")).text();
    expect(removed).not.toContain(hookId);
  });

  test("a change without the session's CSRF token is refused", async () => {
    const response = await fetch(new URL("/dashboard/hooks", base), { method: "POST", headers: { cookie: wearer.cookie, "content-type": "application/x-www-form-urlencoded" }, body: "url=https%3A%2F%2Fexample.org%2F" });
    expect(response.status).toBe(403);
  });
});

// The clock moves on from here (by days, at the end): the library checks webhook-timestamp against the real time.
describe("failures", () => {
  test("a 500 is retried with back-off (same webhook-id), and send again delivers once more with that id", async () => {
    const target = newReceiver();
    const hook = await createHook({ url: target.url });
    target.answers.push(() => new Response("boom", { status: 500 }));
    await announce(WEARER);
    await dispatch();
    let [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, last_status_code: 500, last_error: "answered 500: boom" });
    expect(Date.parse(delivery!.next_attempt_at!) - clock.now()).toBeWithin(3000, 5001);
    await dispatch();
    expect(target.requests.length).toBe(1);
    clock.advance(5000);
    await dispatch();
    expect(target.requests.length).toBe(2);
    [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 2, last_error: null });
    expect(target.requests[1]!.headers["webhook-id"]).toBe(target.requests[0]!.headers["webhook-id"]);

    const again = await api("POST", `/hooks/${hook.id}/deliveries/${delivery!.id}/retry`);
    expect(again.status).toBe(200);
    await dispatch();
    expect(target.requests.length).toBe(3);
    expect(target.requests[2]!.headers["webhook-id"]).toBe(delivery!.message_id);
    expect((await api("POST", `/hooks/${hook.id}/deliveries/999999/retry`)).status).toBe(404);
    await api("DELETE", `/hooks/${hook.id}`);
  });

  test("Retry-After longer than the back-off is honoured", async () => {
    const target = newReceiver();
    const hook = await createHook({ url: target.url });
    target.answers.push(() => new Response("busy", { status: 503, headers: { "retry-after": "120" } }));
    await announce(WEARER);
    await dispatch();
    const [delivery] = await deliveriesOf(hook.id);
    expect(Date.parse(delivery!.next_attempt_at!) - clock.now()).toBeWithin(118_000, 120_001);
    clock.advance(60_000);
    await dispatch();
    expect(target.requests.length).toBe(1);
    clock.advance(60_000);
    await dispatch();
    expect(target.requests.length).toBe(2);
    await api("DELETE", `/hooks/${hook.id}`);
  });

  test("410 Gone disables the endpoint at once, saying so", async () => {
    const target = newReceiver();
    const hook = await createHook({ url: target.url });
    target.answers.push(() => new Response("bye", { status: 410 }));
    await announce(WEARER);
    await dispatch();
    expect((await (await api("GET", `/hooks/${hook.id}`)).json()) as object).toMatchObject({ enabled: false, disabled_reason: "the endpoint answered 410 Gone: it wants no more webhooks" });
    // /health names it with its reason, and what waits for a disabled endpoint is not counted as waiting to be sent.
    await announce(WEARER);
    const health = (await (await api("GET", "/health")).json()) as { hooks: { disabled_endpoints: { id: string; reason: string }[]; pending_deliveries: number } };
    expect(health.hooks.disabled_endpoints).toContainEqual(expect.objectContaining({ id: hook.id, reason: "the endpoint answered 410 Gone: it wants no more webhooks" }));
    expect(health.hooks.pending_deliveries).toBe(0);
    await api("DELETE", `/hooks/${hook.id}`);
  });

  test("a secret this server's key cannot open fails the attempt with the remedy, on the schedule (not in a loop)", async () => {
    const target = newReceiver();
    const hook = await createHook({ url: target.url });
    await running.storage.connection.write((db) => db.query("UPDATE hook_endpoints SET secret = 'sealed-under-another-key' WHERE id = ?").run(hook.id));
    await announce(WEARER);
    await dispatch();
    await dispatch();
    const [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1 });
    expect(delivery!.last_error).toContain("POST /hooks/{id}/secret");
    expect(target.requests.length).toBe(0);
    await api("DELETE", `/hooks/${hook.id}`);
  });

  test("a redirect is not followed", async () => {
    const target = newReceiver();
    const elsewhere = newReceiver();
    const hook = await createHook({ url: target.url });
    target.answers.push(() => new Response(null, { status: 302, headers: { location: elsewhere.url } }));
    await announce(WEARER);
    await dispatch();
    const [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: "pending", last_status_code: 302 });
    expect(delivery!.last_error).toContain("redirects are not followed");
    expect(elsewhere.requests.length).toBe(0);
    await api("DELETE", `/hooks/${hook.id}`);
  });

  test("an endpoint failing for days is disabled, with the reason in the API and the dashboard; enabling it again sends what waited", async () => {
    const target = newReceiver();
    const hook = await createHook({ url: target.url, description: "always down" });
    const down = () => new Response("down", { status: 500 });
    target.answers.push(down);
    await announce(WEARER);
    await dispatch();
    expect(((await (await api("GET", `/hooks/${hook.id}`)).json()) as { failing_since: string | null }).failing_since).not.toBeNull();
    clock.advance(3 * 86_400_000);
    target.answers.push(down, down);
    await announce(WEARER);
    await dispatch();
    const shown = (await (await api("GET", `/hooks/${hook.id}`)).json()) as { enabled: boolean; disabled_reason: string };
    expect(shown.enabled).toBe(false);
    expect(shown.disabled_reason).toMatch(/^failing since \d{4}-.*: last error answered 500: down$/);
    const health = (await (await api("GET", "/health")).json()) as { hooks?: { disabled: number } };
    expect(health.hooks?.disabled).toBeGreaterThanOrEqual(1);
    const panel = await (await fetch(new URL("/dashboard/hooks", base), { headers: operator })).text();
    expect(panel).toContain(`disabled: ${shown.disabled_reason}`);
    const page = await (await fetch(new URL("/dashboard", base), { headers: operator })).text();
    expect(page).toMatch(/Outgoing webhooks<\/dt>\s*<dd id="hooks-status"><span class="state bad">\d+ enabled, 1 disabled/);
    // Disabled: nothing is sent, whatever becomes due.
    const sent = target.requests.length;
    clock.advance(86_400_000);
    await dispatch();
    expect(target.requests.length).toBe(sent);
    const enabled = await api("PATCH", `/hooks/${hook.id}`, { enabled: true });
    expect((await enabled.json()) as object).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
    await dispatch();
    expect(target.requests.length).toBeGreaterThan(sent);
    await api("DELETE", `/hooks/${hook.id}`);
  });

  test("after the last attempt of the schedule (≈ 18 h) a delivery has failed; send again gives it a new schedule", async () => {
    const target = newReceiver();
    const hook = await createHook({ url: target.url });
    const down = () => new Response("still down", { status: 503 });
    for (let i = 0; i < 9; i++) target.answers.push(down);
    await announce(WEARER);
    await dispatch();
    for (let attempt = 2; attempt <= 8; attempt++) {
      clock.advance(10 * 3_600_000);
      await dispatch();
    }
    expect(target.requests.length).toBe(8);
    let [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: "failed", attempts: 8, next_attempt_at: null, last_error: "answered 503: still down" });
    clock.advance(24 * 3_600_000);
    await dispatch();
    expect(target.requests.length).toBe(8);
    expect((await api("POST", `/hooks/${hook.id}/deliveries/${delivery!.id}/retry`)).status).toBe(200);
    await dispatch();
    [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1 });
    expect(target.requests.length).toBe(9);
    await api("DELETE", `/hooks/${hook.id}`);
  });

  // Last: its hanging attempts are cut short by the server's stop.
  test("a receiver that hangs holds at most a few attempts; another endpoint's deliveries go meanwhile", async () => {
    let hanging = 0;
    const slow = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (hanging++, new Promise<Response>(() => {})) });
    receivers.push({ stop: () => slow.stop(true) } as ReturnType<typeof receiver>);
    const fast = newReceiver();
    await createHook({ url: `http://127.0.0.1:${slow.port}/hook` });
    await createHook({ url: fast.url });
    const documents = Array.from({ length: 10 }, (_, i) => ({ id: `burst-${i}`, day: "2026-11-25", score: i }));
    await running.storage.polls.recordPolledDocuments(WEARER, "daily_activity", documents, new Date(clock.now()).toISOString(), "poll");
    for (let i = 0; i < 3; i++) await running.hookDispatcher.tick();
    await waitFor(() => fast.requests.length === 10 || undefined, 3000, "the fast endpoint's deliveries");
    expect(hanging).toBe(4);
  });
});

