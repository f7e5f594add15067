import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningServer } from "../../src/server.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { startTestServer } from "../helpers/servers.ts";

const METRICS_TOKEN = "metrics-only-token-0123456789";
let running: RunningServer;
beforeAll(async () => {
  running = await startTestServer({ API_TOKEN: TEST_API_TOKEN, METRICS_TOKEN });
});
afterAll(() => running.stop());

const scrape = (token?: string) => fetch(new URL("/metrics", running.url), { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe("/metrics", () => {
  test("needs METRICS_TOKEN or the API token; METRICS_TOKEN reads nothing else", async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape("wrong-token-wrong-token")).status).toBe(401);
    expect((await scrape(METRICS_TOKEN)).status).toBe(200);
    expect((await scrape(TEST_API_TOKEN)).status).toBe(200);
    expect((await fetch(new URL("/events", running.url), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(401);
  });

  test("Prometheus text with webhooks by outcome and reason, queue depth, sockets, database, request durations", async () => {
    const notification = sampleNotification();
    await deliver(running.url, notification);
    await deliver(running.url, notification);
    await deliver(running.url, sampleNotification(), { secret: "wrong" });
    await deliver(running.url, "{oops");
    const response = await scrape(METRICS_TOKEN);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain('oura_webhooks_total{outcome="created"} 1');
    expect(text).toContain('oura_webhooks_total{outcome="duplicate"} 1');
    expect(text).toContain('oura_webhooks_total{outcome="rejected",reason="invalid_signature"} 1');
    expect(text).toContain('oura_webhooks_total{outcome="rejected",reason="invalid_json"} 1');
    // No Oura sign-in here: nothing will fetch the document, so nothing waits in the queue (stored as not_fetched).
    expect(text).toMatch(/^oura_fetch_queue_depth 0$/m);
    expect(text).toMatch(/^oura_websocket_clients 0$/m);
    expect(text).toContain("# TYPE oura_http_request_duration_seconds histogram");
    expect(text).toMatch(/oura_http_request_duration_seconds_count\{method="POST",status="2xx"\} \d+/);
    expect(text).toContain("oura_pruned_events_total");
    // Nothing is reported for features that do not exist yet.
    expect(text).not.toContain("oura_outbox_depth");
    expect(text).toContain("oura_poll_runs_total");
    expect(text).toContain("oura_documents_only_by_polling_total 0");
    // Every sample line is "name{labels} value".
    for (const line of text.trim().split("\n")) if (!line.startsWith("#")) expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$|NaN$/);
  });
});
