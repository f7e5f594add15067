// Outgoing webhooks survive kill -9: a server in its own process queues deliveries to a receiver that hangs, is
// SIGKILLed with attempts in flight, and restarts on the same file with the receiver answering. Every delivery is then
// made, with the webhook-id its log shows (an attempt cut short is sent again with the same id, never under a new one).
import { afterAll, describe, expect, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { type ChildServer, spawnServer, tempDir } from "../helpers/servers.ts";

const EVENTS = 12;
const operator = { authorization: `Bearer ${TEST_API_TOKEN}` };
const children: ChildServer[] = [];
const receivers: { stop(force: boolean): unknown }[] = [];

afterAll(async () => {
  for (const child of children) await child.stop("SIGKILL");
  for (const receiver of receivers) receiver.stop(true);
});

describe("kill -9 with deliveries pending", () => {
  test("after a restart every delivery is made, each under the webhook-id it was logged with", async () => {
    const env = { DATABASE_PATH: `${tempDir()}/hooks.db`, API_TOKEN: TEST_API_TOKEN, HOOKS_ALLOW_PRIVATE_ADDRESSES: "true" };
    const port = freePort();
    // First a receiver that takes requests and never answers: attempts are in flight when the server dies.
    const hanging: string[] = [];
    const stuck = Bun.serve({ hostname: "127.0.0.1", port, fetch: (request) => (hanging.push(request.headers.get("webhook-id")!), new Promise<Response>(() => {})) });
    receivers.push(stuck);

    const first = await spawnServer(env);
    children.push(first);
    const created = await fetch(new URL("/hooks", first.url), { method: "POST", headers: { ...operator, "content-type": "application/json" }, body: JSON.stringify({ url: `http://127.0.0.1:${port}/hook` }) });
    expect(created.status).toBe(201);
    const hook = (await created.json()) as { id: string; secret: string };
    for (let i = 0; i < EVENTS; i++) expect((await deliver(first.url, sampleNotification({ object_id: `durable-${i}` }))).status).toBe(201);
    await waitFor(() => hanging.length > 0 || undefined, 5000, "an attempt in flight");
    const logged = async (base: URL) =>
      ((await (await fetch(new URL(`/hooks/${hook.id}/deliveries?limit=200`, base), { headers: operator })).json()) as { deliveries: { event_id: number; message_id: string; status: string }[] }).deliveries;
    const before = await waitFor(async () => {
      const deliveries = await logged(first.url);
      return deliveries.length === EVENTS ? deliveries : undefined;
    }, 5000, "every delivery logged");
    expect(before.every((d) => d.status === "pending")).toBe(true);

    expect(await first.stop("SIGKILL")).not.toBe(0);
    stuck.stop(true);
    const received: { id: string; body: { data: { id: number } } }[] = [];
    const webhook = new Webhook(hook.secret);
    receivers.push(
      Bun.serve({
        hostname: "127.0.0.1",
        port,
        async fetch(request) {
          const body = webhook.verify(await request.text(), request.headers.toJSON()) as { data: { id: number } };
          received.push({ id: request.headers.get("webhook-id")!, body });
          return new Response(null, { status: 204 });
        },
      }),
    );

    const second = await spawnServer(env);
    children.push(second);
    const after = await waitFor(async () => {
      const deliveries = await logged(second.url);
      return deliveries.every((d) => d.status === "delivered") ? deliveries : undefined;
    }, 8000, "every delivery made after the restart");
    await second.stop();

    const idsBefore = new Map(before.map((d) => [d.event_id, d.message_id]));
    expect(new Map(after.map((d) => [d.event_id, d.message_id]))).toEqual(idsBefore);
    // Each event reached the receiver under its logged id; any repeat is the same id again.
    expect(new Set(received.map((r) => r.id))).toEqual(new Set(idsBefore.values()));
    for (const r of received) expect(idsBefore.get(r.body.data.id)).toBe(r.id);
    // The attempts cut short by the kill were among them, under the same ids.
    for (const id of hanging) expect(received.map((r) => r.id)).toContain(id);
  }, 20_000);
});
