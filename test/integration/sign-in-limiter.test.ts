// The token sign-in form behind a reverse proxy, under guessing, and with bodies no browser would send.
import { describe, expect, test } from "bun:test";
import { createAttemptLimiter } from "../../src/http/attempt-limiter.ts";
import { clientAddress, parseTrustedProxies } from "../../src/http/client-address.ts";
import type { RunningServer } from "../../src/server.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { startTestServer } from "../helpers/servers.ts";
import { signInForm } from "../helpers/sign-in.ts";

const formOf = (server: RunningServer) => signInForm(server.url);

function attempt(server: RunningServer, form: { cookie: string; csrf: string }, token: string, forwardedFor?: string) {
  return fetch(new URL("/dashboard/sign-in", server.url), {
    method: "POST",
    redirect: "manual",
    headers: { cookie: form.cookie, "content-type": "application/x-www-form-urlencoded", ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
    body: new URLSearchParams({ _csrf: form.csrf, token }),
  });
}

describe("behind a reverse proxy (TRUST_PROXY)", () => {
  test("one guesser is locked out, the other users behind the same proxy are not", async () => {
    const server = await startTestServer({ API_TOKEN: TEST_API_TOKEN, TRUST_PROXY: "loopback" });
    try {
      const form = await formOf(server);
      for (let i = 0; i < 5; i++) expect((await attempt(server, form, `guess-${i}`, "203.0.113.7")).status).toBe(401);
      expect((await attempt(server, form, TEST_API_TOKEN, "203.0.113.7")).status).toBe(429);
      // Someone else, through the same proxy (the same peer address), signs in.
      expect((await attempt(server, form, TEST_API_TOKEN, "198.51.100.20")).status).toBe(303);
      // The guesser cannot escape by prepending an address of its choosing: the proxy appends the real one last.
      expect((await attempt(server, form, TEST_API_TOKEN, "198.51.100.20, 203.0.113.7")).status).toBe(429);
    } finally {
      await server.stop();
    }
  });

  test("without TRUST_PROXY, X-Forwarded-For is ignored: a guesser cannot reset its count by inventing addresses", async () => {
    const server = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
    try {
      const form = await formOf(server);
      for (let i = 0; i < 5; i++) expect((await attempt(server, form, `guess-${i}`, `192.0.2.${i}`)).status).toBe(401);
      expect((await attempt(server, form, TEST_API_TOKEN, "192.0.2.200")).status).toBe(429);
    } finally {
      await server.stop();
    }
  });

  test("a TRUST_PROXY entry that is not an address stops start-up naming the variable", async () => {
    await expect(startTestServer({ TRUST_PROXY: "10.0.0.0/8, proxy.example" })).rejects.toThrow(/TRUST_PROXY/);
  });
});

describe("client address", () => {
  const { trusts } = parseTrustedProxies("10.0.0.0/8, 192.168.1.1, loopback");
  test.each([
    ["an untrusted peer's header is ignored", "203.0.113.9", "1.2.3.4", "203.0.113.9"],
    ["a trusted peer: the rightmost untrusted hop", "10.1.2.3", "1.2.3.4, 198.51.100.5", "198.51.100.5"],
    ["trusted hops are skipped", "127.0.0.1", "198.51.100.5, 192.168.1.1, 10.0.0.2", "198.51.100.5"],
    ["IPv4-mapped IPv6 peers are IPv4", "::ffff:10.0.0.1", "198.51.100.5", "198.51.100.5"],
    ["no header: the peer", "10.0.0.1", undefined, "10.0.0.1"],
  ])("%s", (_, peer, header, expected) => {
    expect(clientAddress(peer, header, trusts)).toBe(expected);
  });
});

describe("attempt limiter memory", () => {
  test("is bounded: past maxKeys, new addresses share one bucket and are throttled together", () => {
    let now = 0;
    const limiter = createAttemptLimiter({ maxFailures: 5, windowMs: 1000, maxKeys: 100, now: () => now });
    for (let i = 0; i < 10_000; i++) limiter.fail(`198.51.${i >> 8}.${i & 255}`);
    expect(limiter.size()).toBeLessThanOrEqual(101);
    expect(limiter.blocked("203.0.113.1")).toBe(true);
    // Once the window passes, every key is forgotten.
    now += 1000;
    expect(limiter.blocked("203.0.113.1")).toBe(false);
    limiter.fail("203.0.113.1");
    expect(limiter.size()).toBe(1);
  });
});

describe("bodies no browser sends", () => {
  test.each([
    ["multipart with a broken body", "multipart/form-data; boundary=zz", "--zz\r\nbroken"],
    ["multipart without a boundary", "multipart/form-data", "--zz\r\nbroken"],
    ["urlencoded with bad escapes", "application/x-www-form-urlencoded", "_csrf=%zz&token=%"],
    ["JSON", "application/json", '{"token":'],
    ["no content type", "", "token=x"],
  ])("%s → 4xx with the JSON error body", async (_, contentType, body) => {
    const server = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
    try {
      const form = await formOf(server);
      const response = await fetch(new URL("/dashboard/sign-in", server.url), {
        method: "POST",
        redirect: "manual",
        headers: { cookie: form.cookie, ...(contentType ? { "content-type": contentType } : {}) },
        body,
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      if (response.headers.get("content-type")?.includes("json")) {
        expect(((await response.json()) as { error: { code: string } }).error.code).toBeString();
      } else {
        // A readable form whose fields are wrong is answered like any wrong sign-in: the page with its message.
        expect(response.status === 401 || response.status === 403).toBe(true);
      }
    } finally {
      await server.stop();
    }
  });
});

describe("guessing at once", () => {
  test("200 concurrent wrong tokens on the sign-in form: at most 5 are judged, the rest are 429", async () => {
    const server = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
    try {
      const form = await formOf(server);
      const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => attempt(server, form, `guess-${i}`).then((r) => r.status)));
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(195);
    } finally {
      await server.stop();
    }
  });

  test("wrong bearer tokens are limited per client address; the right token keeps working from other addresses", async () => {
    const server = await startTestServer({ API_TOKEN: TEST_API_TOKEN, TRUST_PROXY: "loopback" });
    try {
      const guess = (i: number, from: string) =>
        fetch(new URL("/events", server.url), { headers: { authorization: `Bearer wrong-token-${i}`, "x-forwarded-for": from } }).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        });
      const statuses = await Promise.all(Array.from({ length: 3000 }, (_, i) => guess(i, "203.0.113.9")));
      expect(statuses.filter((s) => s === 401).length).toBe(20);
      expect(statuses.filter((s) => s === 429).length).toBe(2980);
      const right = (from: string) => fetch(new URL("/events", server.url), { headers: { authorization: `Bearer ${TEST_API_TOKEN}`, "x-forwarded-for": from } });
      expect((await right("198.51.100.4")).status).toBe(200);
      // The guessing address is refused even with the right token until its window ends.
      const blocked = await right("203.0.113.9");
      expect(blocked.status).toBe(429);
      // When to try again: the guessing window's 15 minutes.
      expect(blocked.headers.get("retry-after")).toBe("900");
      const body = (await (await guess(0, "203.0.113.9").then(() => fetch(new URL("/events", server.url), { headers: { authorization: "Bearer x", "x-forwarded-for": "203.0.113.9" } }))).json()) as { error: { code: string } };
      expect(body.error.code).toBe("too_many_attempts");
    } finally {
      await server.stop();
    }
  });
});
