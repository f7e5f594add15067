// A wrong webhook secret, or a clock that is off, makes every notification a 401 that Oura eventually drops: the
// operator hears of it once in the log (not once per delivery), in /health and on the dashboard.
import { movableClock } from "../helpers/clock.ts";
import { afterEach, describe, expect, test } from "bun:test";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { TEST_API_TOKEN, testConfig } from "../helpers/config.ts";
import { sampleNotification, signedHeaders } from "../helpers/notifications.ts";
import { signInSession } from "../helpers/sign-in.ts";

const bearer = { authorization: `Bearer ${TEST_API_TOKEN}` };
let running: RunningServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** A server whose log lines are kept. */
async function serverWithLog(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const logger = createLogger("info", { write: (line) => void lines.push(line), drain: async () => {} });
  const clock = movableClock();
  running = await startServer(testConfig({ API_TOKEN: TEST_API_TOKEN, ...env }), logger, { clock: clock.now });
  return { server: running, lines, clock };
}

async function deliver(server: RunningServer, options: { secret?: string; timestamp?: number } = {}) {
  const body = JSON.stringify(sampleNotification());
  const response = await fetch(new URL("/webhooks", server.url), { method: "POST", headers: await signedHeaders(body, options), body });
  await response.body?.cancel();
  return response.status;
}

interface WebhookHealth {
  refused_total: number;
  refused_last_hour: number;
  last_reason: string | null;
  last_clock_offset_seconds: number | null;
  alert: string | null;
}
const webhookHealth = async (server: RunningServer, headers: Record<string, string> = bearer) =>
  ((await (await fetch(new URL("/health", server.url), { headers })).json()) as { webhooks?: WebhookHealth }).webhooks;

describe("refused notifications are visible", () => {
  test("a burst signed with another secret: one warning naming the likely cause, counted in /health, a banner for operators", async () => {
    const { server, lines } = await serverWithLog();
    const statuses = await Promise.all(Array.from({ length: 200 }, () => deliver(server, { secret: "the-secret-of-another-application" })));
    expect(new Set(statuses)).toEqual(new Set([401]));
    const warnings = lines.filter((line) => line.includes("webhook.refused_burst"));
    // One line for 200 refusals, not 200 lines.
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toContain("reason=invalid_signature");
    expect(warnings[0]).toContain("is not the secret of the Oura application");
    const health = await webhookHealth(server);
    expect(health).toMatchObject({ refused_total: 200, refused_last_hour: 200, last_reason: "invalid_signature" });
    expect(health!.alert).toContain("OURA_CLIENT_SECRET");
    // Anonymous callers learn nothing of it.
    expect(await webhookHealth(server, {})).toBeUndefined();
    const { cookie } = await signInSession(server.url, TEST_API_TOKEN);
    const dashboard = await (await fetch(new URL("/dashboard", server.url), { headers: { cookie } })).text();
    expect(dashboard).toContain('id="refusal-alert"');
    expect(dashboard).toContain("being refused");
  });

  test("another warning only after five minutes, with the count since; a single stray refusal raises no alarm", async () => {
    const { server, lines, clock } = await serverWithLog();
    expect(await deliver(server, { secret: "stray" })).toBe(401);
    expect((await webhookHealth(server))!.alert).toBeNull();
    expect(lines.filter((line) => line.includes("webhook.refused_burst"))).toEqual([]);
    for (let i = 0; i < 4; i++) await deliver(server, { secret: "wrong" });
    expect(lines.filter((line) => line.includes("webhook.refused_burst")).length).toBe(1);
    clock.advance(6 * 60_000);
    try {
      // The signature check comes before the clock: these are refused for their signature, whatever the time.
      for (let i = 0; i < 3; i++) await deliver(server, { secret: "wrong" });
    } finally {
      clock.advance(-6 * 60_000);
    }
    const warnings = lines.filter((line) => line.includes("webhook.refused_burst"));
    expect(warnings.length).toBe(2);
    expect(warnings[1]).toContain("refused=3");
  });

  test("stray refusals between accepted deliveries raise no alert; a change of reason is told at once", async () => {
    const { server, lines } = await serverWithLog();
    for (let i = 0; i < 4; i++) {
      expect(await deliver(server, { secret: "someone-else" })).toBe(401);
      expect(await deliver(server)).toBe(201);
    }
    const health = await webhookHealth(server);
    expect(health).toMatchObject({ refused_last_hour: 4, alert: null });
    expect(lines.find((line) => line.includes("webhook.refused_burst"))).toContain("accepted_meanwhile=true");
    // Then the clock goes wrong: told at once, not five minutes later.
    const logged = lines.filter((line) => line.includes("webhook.refused_burst")).length;
    for (let i = 0; i < 3; i++) await deliver(server, { timestamp: Math.floor(Date.now() / 1000) - 700 });
    const after = lines.filter((line) => line.includes("webhook.refused_burst"));
    expect(after.length).toBe(logged + 1);
    expect(after.at(-1)).toContain("reason=stale_timestamp");
    expect((await webhookHealth(server))!.alert).toMatch(/clock is 70\d s ahead/);
  });

  test("a clock that is off: stale_timestamp with the offset in /health and in the warning", async () => {
    const { server, lines } = await serverWithLog();
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    for (let i = 0; i < 3; i++) expect(await deliver(server, { timestamp: tenMinutesAgo })).toBe(401);
    const health = await webhookHealth(server);
    expect(health).toMatchObject({ last_reason: "stale_timestamp" });
    expect(Math.abs(health!.last_clock_offset_seconds! - 600)).toBeLessThanOrEqual(2);
    expect(health!.alert).toMatch(/clock is 60\d s ahead/);
    expect(lines.find((line) => line.includes("webhook.refused_burst"))).toContain("reason=stale_timestamp");
    // A good delivery is recorded too, and the count of refusals stays.
    expect(await deliver(server)).toBe(201);
    expect((await webhookHealth(server))!.refused_total).toBe(3);
  });
});
