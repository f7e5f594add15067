// Security headers on pages, the API, errors and the webhook receiver (which answers without Hono).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningServer } from "../../src/server.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { startTestServer } from "../helpers/servers.ts";

let running: RunningServer;
beforeAll(async () => {
  running = await startTestServer({ API_TOKEN: TEST_API_TOKEN });
});
afterAll(() => running.stop());

function expectSecurityHeaders(response: Response) {
  const policy = response.headers.get("content-security-policy") ?? "";
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toMatch(/default-src '(self|none)'/);
  expect(policy).not.toContain("unsafe-eval");
  expect(policy).not.toContain("unsafe-inline");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  expect(response.headers.get("x-frame-options")).toBe("DENY");
}

describe("security headers", () => {
  const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
  test.each([
    ["the dashboard", "/dashboard", {}],
    ["the sign-in page", "/dashboard", { cookie: "" }],
    ["Swagger UI", "/docs", {}],
    ["the API", "/events", auth],
    ["an API refusal", "/events", {}],
    ["an unknown route", "/nope", {}],
    ["a static asset", "/static/htmx.min.js", {}],
    ["the handshake", "/webhooks?verification_token=x&challenge=y", {}],
  ] as const)("on %s", async (_, path, headers) => {
    expectSecurityHeaders(await fetch(new URL(path, running.url), { headers }));
  });

  test("on webhook answers, accepted or refused", async () => {
    expectSecurityHeaders(await deliver(running.url, sampleNotification()));
    expectSecurityHeaders(await deliver(running.url, sampleNotification(), { secret: "wrong" }));
  });

  test("Swagger UI's one inline script is allowed by its hash, nothing else inline", async () => {
    const response = await fetch(new URL("/docs", running.url));
    const html = await response.text();
    const inline = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const hash = new Bun.CryptoHasher("sha256").update(inline).digest("base64");
    expect(response.headers.get("content-security-policy")).toContain(`'sha256-${hash}'`);
  });
});
