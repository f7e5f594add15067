import { describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { FakeOura } from "../fake-oura.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { spawnServer, tempDir } from "../helpers/servers.ts";

describe("tokens across restarts", () => {
  test("OURA_INITIAL_REFRESH_TOKEN links a user once; tokens and queued fetches survive a restart; the spent token is ignored", async () => {
    const fake = new FakeOura().start();
    const dir = tempDir();
    const port = String(freePort());
    const initial = fake.issueTokens("USER-BOOT");
    const env = { ...fake.env(), PORT: port, DATABASE_PATH: join(dir, "oura.db"), API_TOKEN: TEST_API_TOKEN, OURA_INITIAL_REFRESH_TOKEN: initial.refresh_token };
    const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
    try {
      const first = await spawnServer(env);
      const status = (await (await fetch(new URL("/auth/status", first.url), { headers: auth })).json()) as { linked_users: { user_id: string }[] };
      expect(status.linked_users.map((u) => u.user_id)).toEqual(["USER-BOOT"]);
      expect(statSync(join(dir, "oura.db.key")).mode & 0o777).toBe(0o600);
      expect(first.lines.join("\n")).toContain("keys.generated");

      // A notification arrives while Oura is failing: the job stays queued when the server stops.
      fake.putDocument("USER-BOOT", "daily_sleep", { id: "d-boot", day: "2026-11-24", score: 90 });
      fake.forcedResponses.push({ status: 503 });
      const delivered = await fake.deliver(new URL("/webhooks", first.url).href, {
        event_type: "create", data_type: "daily_sleep", object_id: "d-boot", event_time: new Date().toISOString(), user_id: "USER-BOOT",
      });
      const { id } = (await delivered.json()) as { id: number };
      await waitFor(() => fake.forcedResponses.length === 0 || undefined);
      expect(await first.stop()).toBe(0);
      const refreshesBefore = fake.counters.refreshes;

      const second = await spawnServer(env);
      // The job is retried after its backoff (about 2 s) with the stored, still-valid access token.
      const event = await waitFor(async () => {
        const body = (await (await fetch(new URL(`/events/${id}`, second.url), { headers: auth })).json()) as { fetch_status: string; document: { score: number } | null };
        return body.fetch_status === "fetched" ? body : undefined;
      }, 10_000, "the queued fetch after restart");
      expect(event.document!.score).toBe(90);
      expect(second.lines.join("\n")).toContain("oauth.initial_refresh_token_ignored");
      expect(fake.counters.refreshes).toBe(refreshesBefore);
      expect(fake.counters.refreshReuse).toBe(0);
      expect(await second.stop()).toBe(0);
    } finally {
      fake.stop();
    }
  }, 30_000);
});
