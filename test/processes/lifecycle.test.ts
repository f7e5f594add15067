import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { TEST_API_TOKEN, TEST_SECRET } from "../helpers/config.ts";
import { countRows } from "../helpers/database.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { REPO_ROOT, spawnServer, tempDir } from "../helpers/servers.ts";

async function runMain(env: Record<string, string>) {
  const child = Bun.spawn([process.execPath, "src/main.ts"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  clearTimeout(timer);
  return { code, stderr };
}

describe("start-up", () => {
  test("a wrong value stops start-up with a message naming the variable and what is expected", async () => {
    const { code, stderr } = await runMain({ PORT: "eighty", DATABASE_PATH: ":memory:" });
    expect(code).toBe(1);
    expect(stderr).toContain("PORT: expected a whole number from 0 to 65535");
  });

  test("refuses a non-loopback HOST when no credential is configured, and says why", async () => {
    const { code, stderr } = await runMain({ HOST: "0.0.0.0", PORT: "0", DATABASE_PATH: ":memory:" });
    expect(code).toBe(1);
    expect(stderr).toContain("HOST");
    expect(stderr).toContain("API_TOKEN");
  });

  test("starts on a non-loopback HOST once API_TOKEN is set", async () => {
    const server = await spawnServer({ HOST: "0.0.0.0", API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: ":memory:" });
    const health = await fetch(`http://127.0.0.1:${server.url.port}/health`);
    expect(health.status).toBe(200);
    expect(await server.stop()).toBe(0);
  });
});

describe("durability across restarts", () => {
  test("events and the generated verification token survive a restart", async () => {
    const dbPath = join(tempDir(), "restart.db");
    const env = { DATABASE_PATH: dbPath, OURA_VERIFICATION_TOKEN: "" };
    const first = await spawnServer(env);
    const sent = [sampleNotification(), sampleNotification(), sampleNotification()];
    for (const n of sent) expect((await deliver(first.url, n)).status).toBe(201);
    expect(await first.stop()).toBe(0);

    const db = new Database(dbPath, { readonly: true });
    const token = (db.query("SELECT value FROM settings WHERE key = 'oura.verification_token'").get() as { value: string }).value;
    db.close();
    expect(token.length).toBeGreaterThanOrEqual(24);

    const second = await spawnServer(env);
    const list = (await (await fetch(new URL("/events", second.url))).json()) as { events: { object_id: string }[] };
    expect(list.events.map((e) => e.object_id).sort()).toEqual(sent.map((n) => n.object_id).sort());
    const handshake = await fetch(new URL(`/webhooks?verification_token=${token}&challenge=c1`, second.url));
    expect(await handshake.json()).toEqual({ challenge: "c1" });
    // A redelivery after the restart is still recognised.
    expect((await deliver(second.url, sent[0])).status).toBe(200);
    expect(await second.stop()).toBe(0);
  });

  test("SIGTERM under load: in-flight requests finish, every acknowledged event is stored, exit code 0", async () => {
    const dbPath = join(tempDir(), "sigterm.db");
    const server = await spawnServer({ DATABASE_PATH: dbPath });
    const acknowledged: string[] = [];
    const { promise: firstAcknowledged, resolve: onFirstAcknowledged } = Promise.withResolvers<void>();
    const inflight = Array.from({ length: 300 }, async (_, i) => {
      await Bun.sleep(i % 50);
      const notification = sampleNotification();
      try {
        const response = await deliver(server.url, notification);
        if (response.status === 201) {
          acknowledged.push(notification.object_id);
          onFirstAcknowledged();
        }
      } catch {
        // Refused after the listener closed: not acknowledged, so Oura would retry it.
      }
    });
    // The signal comes while most deliveries are still on their way (they start over 50 ms), whatever the machine's load.
    await firstAcknowledged;
    const exit = server.stop("SIGTERM");
    await Promise.all(inflight);
    expect(await exit).toBe(0);
    expect(acknowledged.length).toBeGreaterThan(0);
    const stored = countRows(dbPath);
    expect(stored).toBeGreaterThanOrEqual(acknowledged.length);
    for (const id of acknowledged.slice(0, 50)) expect(countRows(dbPath, "object_id = $id", { id })).toBe(1);
  });
});

describe("logging", () => {
  test("a stdout nobody reads does not stall ingestion, and logs never carry secrets or tokens", async () => {
    const server = await spawnServer({ DATABASE_PATH: ":memory:", API_TOKEN: TEST_API_TOKEN }, { readStdout: false });
    const started = performance.now();
    // ~3,000 log lines (~300 KB), far beyond a 64 KB pipe that is not drained meanwhile.
    for (let batch = 0; batch < 30; batch++) {
      const responses = await Promise.all(Array.from({ length: 100 }, () => deliver(server.url, sampleNotification())));
      for (const r of responses) expect(r.status).toBe(201);
    }
    expect(performance.now() - started).toBeLessThan(15_000);
    // Secrets that a careless log line could carry: the API token in a bearer header and in a failed sign-in form.
    expect((await fetch(new URL("/events", server.url), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).status).toBe(200);
    await fetch(new URL("/events", server.url), { headers: { authorization: `Bearer ${TEST_API_TOKEN}-wrong` } });
    await fetch(new URL("/dashboard/sign-in", server.url), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `token=${TEST_API_TOKEN}x` });
    const health = await fetch(new URL("/health", server.url));
    expect(health.status).toBe(200);
    // Now read: what was written while nobody read comes out (or is counted as dropped), and is what this test inspects.
    const lines = server.readRest();
    expect(await server.stop("SIGTERM")).toBe(0);
    const everything = (await lines).join("\n");
    const stored = (everything.match(/ event\.stored /g) ?? []).length;
    const dropped = Number(/log\.dropped count=(\d+)/.exec(everything)?.[1] ?? 0);
    expect(stored).toBeGreaterThan(1000);
    expect(stored + dropped).toBe(3000);
    expect(everything).toContain("server.stopped");
    expect(everything).not.toContain(TEST_SECRET);
    expect(everything).not.toContain(TEST_API_TOKEN);
  });

  test("shutting down does not wait for a stdout nobody reads", async () => {
    const server = await spawnServer({ DATABASE_PATH: ":memory:" }, { readStdout: false });
    // ~100 KB of log lines: more than the pipe holds, so the last ones wait in the server's buffer at shutdown.
    for (let batch = 0; batch < 10; batch++) await Promise.all(Array.from({ length: 100 }, () => deliver(server.url, sampleNotification())));
    const stopping = performance.now();
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(performance.now() - stopping).toBeLessThan(5000);
  });

  test("SIGTERM with live WebSocket clients: they are told 1001 (going away) and the server exits at once", async () => {
    const server = await spawnServer({ DATABASE_PATH: ":memory:", API_TOKEN: TEST_API_TOKEN });
    const socket = new WebSocket(new URL("/ws/events", server.url.href.replace("http", "ws")).href, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } } as unknown as string[]);
    await new Promise((resolve) => (socket.onopen = resolve));
    const closed = new Promise<number>((resolve) => (socket.onclose = (event) => resolve(event.code)));
    const stopping = performance.now();
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(performance.now() - stopping).toBeLessThan(2000);
    expect(await closed).toBe(1001);
  });

  test("one line per stored event, with no health values", async () => {
    const server = await spawnServer({ DATABASE_PATH: ":memory:" });
    const notification = sampleNotification({ data_type: "daily_sleep" });
    const { id } = (await (await deliver(server.url, notification)).json()) as { id: number };
    expect(await server.stop()).toBe(0);
    const lines = server.lines.filter((line) => line.includes("event.stored"));
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain(`id=${id}`);
    expect(lines[0]).toContain("data_type=daily_sleep");
    expect(server.lines.join("\n")).not.toContain(TEST_SECRET);
  });
});
