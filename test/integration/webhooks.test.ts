import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createApp } from "../../src/app.ts";
import type { RunningServer } from "../../src/server.ts";
import { TEST_VERIFICATION_TOKEN } from "../helpers/config.ts";
import { countRows } from "../helpers/database.ts";
import { deliver, sampleNotification, signedHeaders } from "../helpers/notifications.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";

let running: RunningServer;
let dbPath: string;

beforeAll(async () => {
  dbPath = join(tempDir(), "events.db");
  running = await startTestServer({ DATABASE_PATH: dbPath, WEBHOOK_MAX_BYTES: "4096" });
});
afterAll(() => running.stop());

const url = (path: string) => new URL(path, running.url);
const stored = () => countRows(dbPath);

async function expectRefused(response: Response, status: number, code: string, before: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/json");
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(stored()).toBe(before);
}

describe("GET /webhooks verification handshake", () => {
  test("the right token gets 200 with the challenge as JSON", async () => {
    const response = await fetch(url(`/webhooks?verification_token=${TEST_VERIFICATION_TOKEN}&challenge=abc-123`));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: "abc-123" });
  });

  test("a wrong or missing token gets 401", async () => {
    for (const query of ["?verification_token=nope&challenge=abc", "?challenge=abc", ""]) {
      const response = await fetch(url(`/webhooks${query}`));
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_verification_token");
    }
  });
});

describe("POST /webhooks", () => {
  test("a correctly signed notification is committed and answered 201 with its id", async () => {
    const before = stored();
    const notification = sampleNotification({ data_type: "sleep" });
    const response = await deliver(running.url, notification);
    expect(response.status).toBe(201);
    const ack = (await response.json()) as { id: number; duplicate: boolean };
    expect(ack.duplicate).toBe(false);
    // Committed before the answer: visible to another connection at once.
    expect(stored()).toBe(before + 1);
    expect(countRows(dbPath, "id = $id AND object_id = $object_id", { id: String(ack.id), object_id: notification.object_id })).toBe(1);
  });

  test("a redelivery (new timestamp and signature) answers 200 with the existing id and stores nothing", async () => {
    const notification = sampleNotification();
    const first = (await (await deliver(running.url, notification)).json()) as { id: number };
    const before = stored();
    const again = await deliver(running.url, notification, { timestamp: Math.floor(Date.now() / 1000) - 30 });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ id: first.id, duplicate: true });
    expect(stored()).toBe(before);
  });

  test("the same instant written differently (Z vs +00:00) is the same event", async () => {
    const notification = sampleNotification({ event_time: "2026-11-20T07:00:00+00:00" });
    const first = (await (await deliver(running.url, notification)).json()) as { id: number };
    const again = await deliver(running.url, { ...notification, event_time: "2026-11-20T07:00:00Z" });
    expect(((await again.json()) as { id: number }).id).toBe(first.id);
  });

  test("an update of a stored object is a new event", async () => {
    const created = sampleNotification();
    await deliver(running.url, created);
    const response = await deliver(running.url, { ...created, event_type: "update" });
    expect(response.status).toBe(201);
  });

  test("an unknown but well-formed data_type is accepted and stored", async () => {
    const before = stored();
    const response = await deliver(running.url, sampleNotification({ data_type: "brand_new_metric_v9" }));
    expect(response.status).toBe(201);
    expect(stored()).toBe(before + 1);
    expect(countRows(dbPath, "data_type = 'brand_new_metric_v9'")).toBe(1);
  });

  test("many concurrent deliveries are all committed, each exactly once", async () => {
    const before = stored();
    const notifications = Array.from({ length: 200 }, () => sampleNotification());
    const responses = await Promise.all(notifications.map((n) => deliver(running.url, n)));
    expect(responses.map((r) => r.status)).toEqual(notifications.map(() => 201));
    const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { id: number }).id));
    expect(new Set(ids).size).toBe(200);
    expect(stored()).toBe(before + 200);
  });

  test("the app itself (app.request, as used without Bun.serve) answers deliveries the same way", async () => {
    const app = createApp(running.deps);
    const before = stored();
    const body = JSON.stringify(sampleNotification());
    const accepted = await app.request("/webhooks", { method: "POST", headers: await signedHeaders(body), body });
    expect(accepted.status).toBe(201);
    expect(stored()).toBe(before + 1);
    const forged = await app.request("/webhooks", { method: "POST", headers: await signedHeaders(body, { secret: "someone-else" }), body });
    await expectRefused(forged, 401, "invalid_signature", before + 1);
  });

  describe("refusals store nothing", () => {
    test("missing signature → 401", async () => {
      const body = JSON.stringify(sampleNotification());
      const { "x-oura-signature": _, ...headers } = await signedHeaders(body);
      await expectRefused(await fetch(url("/webhooks"), { method: "POST", headers, body }), 401, "invalid_signature", stored());
    });

    test("missing timestamp → 401", async () => {
      const body = JSON.stringify(sampleNotification());
      const { "x-oura-timestamp": _, ...headers } = await signedHeaders(body);
      await expectRefused(await fetch(url("/webhooks"), { method: "POST", headers, body }), 401, "invalid_signature", stored());
    });

    test("signed with another secret → 401", async () => {
      await expectRefused(await deliver(running.url, sampleNotification(), { secret: "someone-else" }), 401, "invalid_signature", stored());
    });

    test("body changed after signing → 401", async () => {
      const body = JSON.stringify(sampleNotification());
      const headers = await signedHeaders(body);
      const tampered = body.replace("USER-A", "USER-B");
      await expectRefused(await fetch(url("/webhooks"), { method: "POST", headers, body: tampered }), 401, "invalid_signature", stored());
    });

    test("signature from a replayed (stale) timestamp → 401, also from the future", async () => {
      const now = Math.floor(Date.now() / 1000);
      await expectRefused(await deliver(running.url, sampleNotification(), { timestamp: now - 301 }), 401, "stale_timestamp", stored());
      await expectRefused(await deliver(running.url, sampleNotification(), { timestamp: now + 301 }), 401, "stale_timestamp", stored());
    });

    test("a timestamp just inside the window is accepted", async () => {
      const response = await deliver(running.url, sampleNotification(), { timestamp: Math.floor(Date.now() / 1000) - 290 });
      expect(response.status).toBe(201);
    });

    test("Content-Length over the limit → 413 before the body is read", async () => {
      const body = JSON.stringify(sampleNotification({ padding: "x".repeat(5000) }));
      await expectRefused(await deliver(running.url, body), 413, "payload_too_large", stored());
    });

    test("a streamed (chunked) body over the limit → 413", async () => {
      const before = stored();
      const headers = await signedHeaders("whatever");
      const chunks = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode("y".repeat(1000)));
          controller.close();
        },
      });
      const response = await fetch(url("/webhooks"), { method: "POST", headers, body: chunks });
      await expectRefused(response, 413, "payload_too_large", before);
    });

    test("signed body that is not JSON → 400", async () => {
      await expectRefused(await deliver(running.url, "{not json"), 400, "invalid_json", stored());
    });

    test("signed JSON without the notification fields → 422 with the zod issues", async () => {
      const before = stored();
      const response = await deliver(running.url, { event_type: "explode", data_type: "sleep" });
      expect(response.status).toBe(422);
      const body = (await response.json()) as { error: { code: string; details: { path: string }[] } };
      expect(body.error.code).toBe("validation_failed");
      const paths = body.error.details.map((d) => d.path).sort();
      expect(paths).toEqual(["event_time", "event_type", "object_id", "user_id"]);
      expect(stored()).toBe(before);
    });

    test("signed JSON with a malformed event_time or data_type → 422", async () => {
      await expectRefused(await deliver(running.url, sampleNotification({ event_time: "yesterday" })), 422, "validation_failed", stored());
      await expectRefused(await deliver(running.url, sampleNotification({ data_type: "../etc" })), 422, "validation_failed", stored());
      await expectRefused(await deliver(running.url, [1, 2, 3]), 422, "validation_failed", stored());
    });

    test("no answer to bad input is a 5xx or a 410", async () => {
      const bodies = ["", "null", "[]", '"text"', "{}", '{"event_type":null}', "\u0000\u0001", "{".repeat(3000)];
      for (const body of bodies) {
        const response = await deliver(running.url, body);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.status).not.toBe(410);
      }
    });
  });
});

describe("fail closed without a secret", () => {
  test("POST /webhooks answers 503 naming the variable to set, and stores nothing", async () => {
    const path = join(tempDir(), "closed.db");
    const closed = await startTestServer({ DATABASE_PATH: path, OURA_CLIENT_SECRET: undefined });
    try {
      const response = await deliver(closed.url, sampleNotification());
      expect(response.status).toBe(503);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("webhook_secret_missing");
      expect(body.error.message).toContain("OURA_CLIENT_SECRET");
      expect(countRows(path)).toBe(0);
    } finally {
      await closed.stop();
    }
  });
});

describe("storage failure", () => {
  test("a delivery that cannot be committed answers 503 storage_unavailable (Oura retries), never 2xx, and what was stored stays", async () => {
    const path = join(tempDir(), "failing.db");
    const failing = await startTestServer({ DATABASE_PATH: path });
    try {
      expect((await deliver(failing.url, sampleNotification())).status).toBe(201);
      // The database goes away under the running server: the commit fails for real.
      await failing.storage.close();
      const response = await deliver(failing.url, sampleNotification());
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("storage_unavailable");
      expect(countRows(path)).toBe(1);
    } finally {
      await failing.stop().catch(() => {});
    }
  });
});

describe("OURA_WEBHOOK_SECRET", () => {
  test("overrides the client secret for signatures", async () => {
    const custom = await startTestServer({ OURA_WEBHOOK_SECRET: "override-secret-value" });
    try {
      expect((await deliver(custom.url, sampleNotification())).status).toBe(401);
      expect((await deliver(custom.url, sampleNotification(), { secret: "override-secret-value" })).status).toBe(201);
    } finally {
      await custom.stop();
    }
  });
});
