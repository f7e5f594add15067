// Times without an offset are UTC, whatever the server's time zone: the same text is the same instant everywhere,
// so duplicate detection and time filters do not move with TZ.
import { describe, expect, test } from "bun:test";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { spawnServer } from "../helpers/servers.ts";

describe("event_time without an offset", () => {
  test.each(["America/New_York", "Asia/Kolkata"])("is read as UTC on a server in %s", async (zone) => {
    const server = await spawnServer({ DATABASE_PATH: ":memory:", API_TOKEN: TEST_API_TOKEN, TZ: zone });
    try {
      const local = sampleNotification({ event_time: "2026-01-01T00:00:00" });
      const first = await deliver(server.url, local);
      expect(first.status).toBe(201);
      // The same instant spelled with an offset is the same notification: a redelivery.
      for (const spelling of ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00+00:00", "2026-01-01T01:00:00+01:00"]) {
        const again = await deliver(server.url, { ...local, event_time: spelling });
        expect(again.status).toBe(200);
        expect(((await again.json()) as { duplicate: boolean }).duplicate).toBe(true);
      }
      const list = async (query: string) =>
        ((await (await fetch(new URL(`/events?object_id=${local.object_id}&${query}`, server.url), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).json()) as { count: number }).count;
      expect(await list("since=2026-01-01T00:00:00")).toBe(1);
      expect(await list("until=2026-01-01T00:00:01")).toBe(1);
      expect(await list("until=2026-01-01T00:00:00")).toBe(0);
      expect(await list("since=2025-12-31T23:59:59Z")).toBe(1);
    } finally {
      await server.stop();
    }
  });

  test("a since that is not ISO 8601 is refused with 400 rather than read in some time zone", async () => {
    const server = await spawnServer({ DATABASE_PATH: ":memory:", API_TOKEN: TEST_API_TOKEN });
    try {
      const response = await fetch(new URL("/events?since=Jan%201%202026", server.url), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    } finally {
      await server.stop();
    }
  });
});
