// Outgoing webhooks' pure parts and one real attempt: Standard Webhooks signing checked by the official library, the
// retry schedule, Retry-After, the address guard on literal and resolved addresses, and the sender on a real socket.
import { afterAll, describe, expect, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { addressProblem, hostProblem, type Resolver, systemResolver } from "../../src/hooks/address-guard.ts";
import { nextAttemptAt, parseRetryAfter, RETRY_AFTER_CAP_MS, RETRY_DELAYS_MS } from "../../src/hooks/retry-schedule.ts";
import { BUSY, paceOf, QUIET } from "../../src/hooks/pacing.ts";
import { IngestPressure } from "../../src/realtime/ingest-pressure.ts";
import { sendWebhook } from "../../src/hooks/sender.ts";
import { createMessageSigner, generateSecret } from "../../src/hooks/signature.ts";

const received: { url: string; headers: Headers; body: string }[] = [];
const answers: Response[] = [];
const receiver = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    received.push({ url: request.url, headers: request.headers, body: await request.text() });
    return answers.shift() ?? new Response("ok");
  },
});
afterAll(() => receiver.stop(true));

const port = receiver.port;
const send = (url: string, allowPrivate: boolean, resolve: Resolver = systemResolver, timeoutMs = 2000) =>
  sendWebhook(url, { "webhook-id": "msg_1" }, '{"a":1}', { allowPrivate, resolve, timeoutMs, now: Date.now });

describe("Standard Webhooks signatures", () => {
  test("the official library verifies what we sign, and refuses it signed with another secret or altered", async () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const id = "msg_0123456789abcdef0123456789abcdef";
    const body = JSON.stringify({ type: "daily_sleep.create", timestamp: "2026-11-24T08:00:00+00:00", data: { score: 80 } });
    const headers = await (await createMessageSigner(secret))(id, Date.now() / 1000, body);
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateSecret()).verify(body, { ...headers })).toThrow();
    expect(() => new Webhook(secret).verify(body.replace("80", "81"), { ...headers })).toThrow();
  });

  test("matches the library's own signature for the same id, time and body (a fixed vector)", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const at = new Date(1674087231 * 1000);
    const body = '{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1f81eb52"}}';
    const ours = await (await createMessageSigner(secret))("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", at.getTime() / 1000, body);
    expect(ours["webhook-timestamp"]).toBe("1674087231");
    expect(ours["webhook-signature"]).toBe(new Webhook(secret).sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", at, body));
  });
});

describe("retry schedule", () => {
  test("exponential back-off over about a day, ±20% jitter, then no attempt left", () => {
    const total = RETRY_DELAYS_MS.reduce((sum, ms) => sum + ms, 0);
    expect(total / 3_600_000).toBeGreaterThan(17);
    expect(total / 3_600_000).toBeLessThan(24);
    expect(nextAttemptAt(0, 1, undefined, () => 0.5)).toBe(5000);
    expect(nextAttemptAt(0, 1, undefined, () => 0)).toBe(4000);
    expect(nextAttemptAt(0, 2, undefined, () => 0.5)).toBe(60_000);
    expect(nextAttemptAt(0, 7, undefined, () => 0.5)).toBe(10 * 3_600_000);
    expect(nextAttemptAt(0, 8, undefined, () => 0.5)).toBeUndefined();
  });

  test("a Retry-After longer than the back-off wins, up to its cap; a shorter one does not shorten it", () => {
    expect(nextAttemptAt(0, 1, 120_000, () => 0.5)).toBe(120_000);
    expect(nextAttemptAt(0, 3, 1000, () => 0.5)).toBe(300_000);
    expect(nextAttemptAt(0, 1, 30 * 86_400_000, () => 0.5)).toBe(RETRY_AFTER_CAP_MS);
  });

  test("Retry-After in seconds or as an HTTP date", () => {
    const now = Date.parse("2026-12-07T10:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Mon, 07 Dec 2026 10:05:00 GMT", now)).toBe(300_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe("pacing beside ingest", () => {
  test("full speed while events are few; a small share while they arrive faster than 200/s, and for a second after", () => {
    const pressure = new IngestPressure();
    const start = performance.now();
    for (let i = 0; i < 60; i++) pressure.seen(start + i * 10);
    expect(paceOf(pressure, start + 600)).toBe(QUIET);
    // 100 events in 10 ms: the second 50 arrive within a quarter second of the first.
    for (let i = 0; i < 100; i++) pressure.seen(start + 300 + i / 10);
    expect(paceOf(pressure, start + 350)).toBe(BUSY);
    expect(paceOf(pressure, start + 700)).toBe(BUSY);
    expect(paceOf(pressure, start + 1400)).toBe(QUIET);
    expect(BUSY.slice * (1000 / BUSY.paceMs)).toBeLessThanOrEqual(250);
  });
});

describe("address guard", () => {
  test.each(["127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "169.254.169.254", "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "64:ff9b::7f00:1", "::"])(
    "%s is refused",
    (address) => expect(addressProblem(address)).toBeString(),
  );

  test.each(["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])("%s is public", (address) => expect(addressProblem(address)).toBeUndefined());

  test.each(["http://127.0.0.1/", "http://localhost:8080/", "http://[::1]/", "http://10.0.0.1/", "http://169.254.169.254/latest", "http://[::ffff:127.0.0.1]/", "http://0x7f000001/", "http://2130706433/", "http://127.1/", "http://api.localhost/"])(
    "%s is refused at registration",
    (url) => {
      expect(hostProblem(new URL(url), false)).toContain("HOOKS_ALLOW_PRIVATE_ADDRESSES");
      expect(hostProblem(new URL(url), true)).toBeUndefined();
    },
  );

  test("a public name passes registration (its addresses are judged when connecting)", () => {
    expect(hostProblem(new URL("https://receiver.example.org/x"), false)).toBeUndefined();
  });
});

describe("one attempt", () => {
  test("a name the system resolves to 127.0.0.1 (localhost) is refused when connecting, and the receiver gets nothing", async () => {
    const before = received.length;
    const result = await send(`http://localhost:${port}/hook`, false);
    expect(result).toMatchObject({ ok: false, statusCode: null });
    expect((result as { error: string }).error).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1), not a public address \(loopback\)/);
    expect(received.length).toBe(before);
  });

  test("the connection goes to the very address the guard resolved (a name nothing else can resolve)", async () => {
    const resolve: Resolver = async (name) => (name === "receiver.invalid" ? [{ address: "127.0.0.1", family: 4 }] : []);
    expect(await send(`http://receiver.invalid:${port}/hook`, true, resolve)).toMatchObject({ ok: true, statusCode: 200 });
    expect(received.at(-1)!.headers.get("host")).toBe(`receiver.invalid:${port}`);
    // The same resolution judged without private addresses allowed: refused, nothing sent.
    const before = received.length;
    expect(await send(`http://receiver.invalid:${port}/hook`, false, resolve)).toMatchObject({ ok: false, error: expect.stringContaining("refused: receiver.invalid resolves to 127.0.0.1") });
    expect(received.length).toBe(before);
  });

  test("https: the connection goes to the checked address, and TLS still verifies the name", async () => {
    const fixtures = new URL("../fixtures/tls/", import.meta.url);
    const cert = await Bun.file(new URL("receiver.crt", fixtures)).text();
    const tls = Bun.serve({ port: 0, hostname: "127.0.0.1", tls: { cert, key: await Bun.file(new URL("receiver-key.pem", fixtures)).text() }, fetch: (request, server) => new Response(`${request.headers.get("host")} from ${server.requestIP(request)?.address}`) });
    try {
      const resolve: Resolver = async (name) => (name === "receiver.test" || name === "impostor.test" ? [{ address: "127.0.0.1", family: 4 }] : []);
      const options = { allowPrivate: true, resolve, timeoutMs: 2000, now: Date.now, ca: cert };
      expect(await sendWebhook(`https://receiver.test:${tls.port}/hook`, {}, "{}", options)).toMatchObject({ ok: true, statusCode: 200 });
      // The same address under a name the certificate does not carry: refused by TLS, not sent.
      const impostor = await sendWebhook(`https://impostor.test:${tls.port}/hook`, {}, "{}", options);
      expect(impostor).toMatchObject({ ok: false, statusCode: null });
      // And without private addresses allowed, refused before any connection.
      expect(await sendWebhook(`https://receiver.test:${tls.port}/hook`, {}, "{}", { ...options, allowPrivate: false })).toMatchObject({ ok: false, error: expect.stringContaining("refused: receiver.test resolves to 127.0.0.1") });
    } finally {
      tls.stop(true);
    }
  });

  test("a name with one public and one private address is refused", async () => {
    const resolve: Resolver = async () => [{ address: "93.184.216.34", family: 4 }, { address: "10.1.2.3", family: 4 }];
    expect(await send(`http://mixed.invalid:${port}/`, false, resolve)).toMatchObject({ ok: false, error: expect.stringContaining("10.1.2.3") });
  });

  test("a literal private address is refused without connecting", async () => {
    const before = received.length;
    for (const host of ["127.0.0.1", "[::ffff:127.0.0.1]", "0x7f000001"]) {
      expect(await send(`http://${host}:${port}/`, false)).toMatchObject({ ok: false, error: expect.stringContaining("not a public address") });
    }
    expect(received.length).toBe(before);
  });

  test("a 3xx is a failure: the redirect is not followed", async () => {
    answers.push(new Response(null, { status: 307, headers: { location: `http://127.0.0.1:${port}/elsewhere` } }));
    const result = await send(`http://127.0.0.1:${port}/hook`, true);
    expect(result).toMatchObject({ ok: false, statusCode: 307, error: expect.stringContaining("redirects are not followed") });
    expect(received.some((r) => r.url.endsWith("/elsewhere"))).toBe(false);
  });

  test("an error answer: its status, a short excerpt, Retry-After; 410 says the receiver wants no more", async () => {
    answers.push(new Response("x".repeat(10_000), { status: 503, headers: { "retry-after": "90" } }));
    const result = await send(`http://127.0.0.1:${port}/hook`, true);
    expect(result).toMatchObject({ ok: false, statusCode: 503, retryAfterMs: 90_000 });
    expect((result as { error: string }).error.length).toBeLessThan(260);
    answers.push(new Response("gone", { status: 410 }));
    expect(await send(`http://127.0.0.1:${port}/hook`, true)).toMatchObject({ ok: false, statusCode: 410, gone: true });
  });

  test("a receiver that does not answer in time fails with a timeout", async () => {
    const silent = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Promise<Response>(() => {}) });
    try {
      const result = await sendWebhook(`http://127.0.0.1:${silent.port}/`, {}, "{}", { allowPrivate: true, resolve: systemResolver, timeoutMs: 200, now: Date.now });
      expect(result).toMatchObject({ ok: false, statusCode: null, error: "no answer within 0.2 s" });
    } finally {
      silent.stop(true);
    }
  });
});
