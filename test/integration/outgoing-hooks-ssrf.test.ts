// Outgoing webhooks cannot reach the server's own network (HOOKS_ALLOW_PRIVATE_ADDRESSES unset): literal private
// addresses are refused when registered, and a name that resolves to one is refused when connecting — while a real
// receiver listens on 127.0.0.1 and must never get a request.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Resolver } from "../../src/hooks/address-guard.ts";
import type { RunningServer } from "../../src/server.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { startTestServer } from "../helpers/servers.ts";

let running: RunningServer;
/** Connections the receiver accepted: counted at the socket, so even a TLS handshake that would fail counts. */
let connections = 0;
const receiver = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: () => void connections++, data: () => {} } });
/** What DNS would say of names an attacker controls: one points at this machine. */
const resolve: Resolver = async (name) => (name === "rebind.example" ? [{ address: "127.0.0.1", family: 4 }] : []);
const operator = { authorization: `Bearer ${TEST_API_TOKEN}`, "content-type": "application/json" };
const register = (url: string) => fetch(new URL("/hooks", running.url), { method: "POST", headers: operator, body: JSON.stringify({ url }) });

beforeAll(async () => {
  running = await startTestServer({ API_TOKEN: TEST_API_TOKEN }, { hooks: { intervalMs: 3_600_000, resolve, random: () => 0.5 } });
});
afterAll(async () => {
  await running.stop();
  receiver.stop(true);
});

describe("private addresses are refused", () => {
  test.each(["127.0.0.1", "localhost", "[::1]", "10.0.0.1", "169.254.169.254", "[::ffff:127.0.0.1]", "0x7f000001", "2130706433", "127.1"])(
    "https://%s/ is refused at registration with a 422 that says why",
    async (host) => {
      const response = await register(`https://${host}:${receiver.port}/hook`);
      expect(response.status).toBe(422);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("hook_url_refused");
      expect(error.message).toContain("HOOKS_ALLOW_PRIVATE_ADDRESSES");
    },
  );

  test("plain http is refused for a public receiver (deliveries carry health data)", async () => {
    const response = await register("http://receiver.example.org/hook");
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("https");
  });

  test("a name that resolves to 127.0.0.1 is refused when connecting: the delivery fails and says so, the receiver gets nothing", async () => {
    const response = await register(`https://rebind.example:${receiver.port}/hook`);
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    await running.storage.polls.recordPolledDocuments("USER-S", "daily_sleep", [{ id: "s-1", day: "2026-11-24", score: 80 }], new Date().toISOString(), "poll");
    // Twice: the first may join a run that read the queue before the document was recorded.
    await running.hookDispatcher.tick();
    await running.hookDispatcher.tick();
    await running.hookDispatcher.settled();
    const { deliveries } = (await (await fetch(new URL(`/hooks/${id}/deliveries`, running.url), { headers: operator })).json()) as { deliveries: { status: string; attempts: number; last_error: string }[] };
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: "pending", attempts: 1 });
    expect(deliveries[0]!.last_error).toBe(
      "refused: rebind.example resolves to 127.0.0.1, not a public address (loopback); set HOOKS_ALLOW_PRIVATE_ADDRESSES=true to allow private, loopback and link-local addresses",
    );
    expect(connections).toBe(0);
  });
});
