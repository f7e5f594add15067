// Bodies far above the limit get the JSON 413 from our code, by Content-Length before a byte is read, or while a
// chunked body streams in; never Bun's empty answer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningServer } from "../../src/server.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { signedHeaders } from "../helpers/notifications.ts";
import { startTestServer } from "../helpers/servers.ts";

const LIMIT = 64 * 1024;
let running: RunningServer;
beforeAll(async () => {
  running = await startTestServer({ API_TOKEN: TEST_API_TOKEN, WEBHOOK_MAX_BYTES: String(LIMIT) });
});
afterAll(() => running.stop());

const chunked = (bytes: number) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (let sent = 0; sent < bytes; sent += 64 * 1024) controller.enqueue(new Uint8Array(64 * 1024).fill(0x7b));
      controller.close();
    },
  });

async function expectJson413(response: Response) {
  expect(response.status).toBe(413);
  expect(response.headers.get("content-type")).toContain("application/json");
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
}

describe("bodies far above the limit (32× WEBHOOK_MAX_BYTES)", () => {
  const big = 32 * LIMIT;
  test.each([
    ["POST /webhooks (signed)", "/webhooks", "POST"],
    ["POST /subscriptions", "/subscriptions", "POST"],
    ["DELETE /events", "/events", "DELETE"],
    ["POST /dashboard/sign-in", "/dashboard/sign-in", "POST"],
  ])("%s: JSON 413 by Content-Length and when chunked", async (_, path, method) => {
    const body = new Uint8Array(big).fill(0x7b);
    const headers = { ...(await signedHeaders("{")), authorization: `Bearer ${TEST_API_TOKEN}` };
    await expectJson413(await fetch(new URL(path, running.url), { method, headers, body }));
    await expectJson413(await fetch(new URL(path, running.url), { method, headers, body: chunked(big) }));
  });

  test("the server is unharmed afterwards", async () => {
    expect((await fetch(new URL("/health", running.url))).status).toBe(200);
  });
});
