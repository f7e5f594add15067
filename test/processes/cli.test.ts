// The command line, run as a user runs it: `bun src/main.ts <command>` in a child process.
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../../src/version.ts";
import { TEST_API_TOKEN, TEST_SECRET } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { freePort } from "../helpers/ports.ts";
import { spawnServer, tempDir } from "../helpers/servers.ts";
import { cli } from "../helpers/cli.ts";
import { parseCsv } from "../helpers/csv.ts";

describe("command line basics", () => {
  test("--version and --help", async () => {
    expect((await cli(["--version"])).stdout.trim()).toBe(VERSION);
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["serve", "demo", "send-test", "export", "prune", "check-config"]) expect(help.stdout).toContain(command);
  });

  test.each(["serve", "demo", "send-test", "export", "prune", "check-config"])("%s --help explains itself and exits 0", async (command) => {
    const result = await cli([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: oura-streaming`);
  });

  test.each([
    [["frobnicate"], "unknown command"],
    [["send-test"], "--url is required"],
    [["send-test", "--url", "not a url", "--secret", "x"], "not a URL"],
    [["demo", "--rate", "0"], "--rate must be"],
    [["demo", "--port", "99999"], "--port must be a port number from 0 to 65535, not 99999"],
    [["export", "--format", "xml"], "--format must be ndjson or csv"],
    [["export", "sideways"], 'expected "events" or "documents"'],
    [["prune", "--bogus"], "Unknown option"],
  ])("bad arguments %p → exit 2 and a clear message", async (args, message) => {
    const result = await cli(args as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message as string);
  });

  test("check-config: valid → 0 with the effective values and no secrets; invalid → 1 naming the variable", async () => {
    const ok = await cli(["check-config"], { OURA_CLIENT_SECRET: TEST_SECRET, API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: ":memory:" });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("configuration is valid");
    expect(ok.stdout).toMatch(/OURA_CLIENT_SECRET\s+set/);
    expect(ok.stdout).not.toContain(TEST_SECRET);
    expect(ok.stdout).not.toContain(TEST_API_TOKEN);
    expect(ok.stdout).toContain("access: operators: the API_TOKEN bearer");
    // Sign-in with Oura and nobody to run the server: said, with what to do.
    const alone = await cli(["check-config"], { OURA_CLIENT_ID: "id", OURA_CLIENT_SECRET: TEST_SECRET, DATABASE_PATH: ":memory:" });
    expect(alone.stdout).toContain("set OPERATOR_EMAILS or API_TOKEN, or run `oura-streaming invite`");
    expect(alone.stdout).toMatch(/ALLOWED_EMAILS\s+unset/);
    // Accepted, but part of it cannot work: said, and still 0 (the server starts).
    const refused = await cli(["check-config"], { API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: ":memory:" });
    expect(refused.code).toBe(0);
    expect(refused.stdout).toContain("will not work: webhooks will be refused (503)");
    expect(refused.stdout.trim().split("\n").at(-1)).toBe("configuration is valid (the server starts), but one thing will not work: see above");
    // MQTT: the broker shown without the password in its URL, and the password apart only as "set".
    const mqtt = await cli(["check-config"], { API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: ":memory:", MQTT_URL: "mqtt://ha:url-password@broker.local", MQTT_PASSWORD: "apart-password" });
    expect(mqtt.stdout).toMatch(/MQTT_URL\s+mqtt:\/\/broker\.local:1883\n/);
    expect(mqtt.stdout).toMatch(/MQTT_PASSWORD\s+set/);
    expect(mqtt.stdout).not.toContain("url-password");
    expect(mqtt.stdout).not.toContain("apart-password");
    const badMqtt = await cli(["check-config"], { MQTT_URL: "http://broker.local" });
    expect(badMqtt.code).toBe(1);
    expect(badMqtt.stderr).toContain("MQTT_URL: expected mqtt:// or mqtts://");
    const bad = await cli(["check-config"], { RETENTION_DAYS: "-1" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("RETENTION_DAYS");
  });
});

describe("send-test", () => {
  test("succeeds against the server, and explains a wrong secret", async () => {
    const server = await spawnServer({ DATABASE_PATH: ":memory:" });
    try {
      const url = new URL("/webhooks", server.url).href;
      const good = await cli(["send-test", "--url", url, "--secret", TEST_SECRET]);
      expect(good.code).toBe(0);
      expect(good.stdout).toContain("201");
      expect(good.stdout).toContain("accepted");
      const wrong = await cli(["send-test", "--url", url, "--secret", "not-the-right-secret"]);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain("different secret");
      const nowhere = await cli(["send-test", "--url", `http://127.0.0.1:${freePort()}/webhooks`, "--secret", "x"]);
      expect(nowhere.code).toBe(1);
      expect(nowhere.stderr).toContain("could not reach");
    } finally {
      await server.stop();
    }
  });
});

describe("export", () => {
  test("round-trips: the CLI's NDJSON and CSV and GET /export hold exactly what /events lists", async () => {
    const dbPath = join(tempDir(), "export.db");
    const server = await spawnServer({ DATABASE_PATH: dbPath, API_TOKEN: TEST_API_TOKEN });
    const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
    try {
      for (let i = 0; i < 620; i += 20) {
        await Promise.all(Array.from({ length: 20 }, (_, j) => deliver(server.url, sampleNotification({ data_type: j % 2 ? "sleep" : "workout", note: `comma, "quote"\nline ${i + j}` }))));
      }
      const listed: unknown[] = [];
      let cursor: string | null = null;
      do {
        const page = (await (await fetch(new URL(`/events?limit=1000${cursor ? `&cursor=${cursor}` : ""}`, server.url), { headers: auth })).json()) as { events: unknown[]; next_cursor: string | null };
        listed.push(...page.events);
        cursor = page.next_cursor;
      } while (cursor);
      expect(listed.length).toBe(620);

      const ndjson = await cli(["export"], { DATABASE_PATH: dbPath });
      expect(ndjson.code).toBe(0);
      expect(ndjson.stdout.trim().split("\n").map((line) => JSON.parse(line))).toEqual(listed);

      const http = await fetch(new URL("/export", server.url), { headers: auth });
      expect(http.headers.get("content-type")).toContain("ndjson");
      expect((await http.text()).trim().split("\n").map((line) => JSON.parse(line))).toEqual(listed);

      const csv = await cli(["export", "--format", "csv", "--data-type", "sleep"], { DATABASE_PATH: dbPath });
      const parsed = parseCsv(csv.stdout);
      expect(parsed[0]!.slice(0, 3)).toEqual(["id", "received_at", "source"]);
      const sleepIds = (listed as { id: number; data_type: string }[]).filter((e) => e.data_type === "sleep").map((e) => String(e.id));
      expect(parsed.slice(1).map((row) => row[0])).toEqual(sleepIds);
      const notificationColumn = parsed[0]!.indexOf("notification");
      expect(JSON.parse(parsed[1]![notificationColumn]!).note).toContain('comma, "quote"\nline');
    } finally {
      await server.stop();
    }
  }, 30_000);
});

describe("prune", () => {
  test("deletes exactly the expired events, keeps those still to be fetched, and --dry-run deletes nothing", async () => {
    const dbPath = join(tempDir(), "prune.db");
    const server = await spawnServer({ DATABASE_PATH: dbPath, RETENTION_DAYS: "0" });
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push(((await (await deliver(server.url, sampleNotification())).json()) as { id: number }).id);
    expect(await server.stop()).toBe(0);
    const db = new Database(dbPath);
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    // 8 old events: 6 done (fetched/missing), 2 still waiting for a fetch; 4 recent.
    db.query(`UPDATE events SET received_at = ?, fetch_status = 'fetched' WHERE id IN (${ids.slice(0, 6).join(",")})`).run(old);
    db.query(`UPDATE events SET received_at = ?, fetch_status = 'awaiting_link' WHERE id IN (${ids.slice(6, 8).join(",")})`).run(old);
    db.close();

    const dry = await cli(["prune", "--dry-run"], { DATABASE_PATH: dbPath, RETENTION_DAYS: "30" });
    expect(dry.stdout).toContain("6 events");
    const count = () => {
      const reader = new Database(dbPath, { readonly: true });
      const ids = (reader.query("SELECT id FROM events ORDER BY id").all() as { id: number }[]).map((r) => r.id);
      reader.close();
      return ids;
    };
    expect(count().length).toBe(12);
    const pruned = await cli(["prune"], { DATABASE_PATH: dbPath, RETENTION_DAYS: "30" });
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain("deleted 6 events");
    expect(count()).toEqual(ids.slice(6));
    // The freed pages went back to the file system (incremental vacuum on a database created with auto_vacuum).
    const check = new Database(dbPath, { readonly: true });
    expect((check.query("PRAGMA auto_vacuum").get() as { auto_vacuum: number }).auto_vacuum).toBe(2);
    expect((check.query("PRAGMA freelist_count").get() as { freelist_count: number }).freelist_count).toBe(0);
    check.close();
    // Decimals are allowed: 0.5 days still keeps today's.
    expect((await cli(["prune"], { DATABASE_PATH: dbPath, RETENTION_DAYS: "0.5" })).stdout).toContain("deleted 0 events");
  }, 30_000);
});


describe("first run without rough edges", () => {
  test("serve names the dashboard's address when it starts listening: its own, or PUBLIC_URL's", async () => {
    for (const [env, expected] of [
      [{}, (url: URL) => `${url.origin}/dashboard`],
      [{ PUBLIC_URL: "https://oura.example.org", API_TOKEN: TEST_API_TOKEN }, () => "https://oura.example.org/dashboard"],
    ] as const) {
      const server = await spawnServer({ DATABASE_PATH: ":memory:", ...env });
      try {
        const listening = server.lines.find((line) => line.includes("server.listening"));
        expect(listening).toContain(`dashboard=${expected(server.url)}`);
      } finally {
        await server.stop();
      }
    }
  });

  test("check-config: URLs shown as URLs, secrets masked, settings nobody reads warned about, an unusable DATABASE_PATH named", async () => {
    const result = await cli(["check-config"], { DEBUG: "1", DATABASE_URL: "postgres://db/oura", OURA_CLIENT_SECRT: "typo", OURA_CLIENT_SECRET: "very-secret-value-123", DATABASE_PATH: "/nonexistent-folder/oura.db" });
    expect(result.stdout).toMatch(/OURA_TOKEN_URL\s+https:\/\/api\.ouraring\.com\/oauth\/token/);
    expect(result.stdout).toMatch(/OURA_CLIENT_SECRET\s+set/);
    expect(result.stdout).not.toContain("very-secret-value-123");
    expect(result.stdout).toContain("warning: DEBUG is set but not read: use LOG_LEVEL=debug");
    expect(result.stdout).toContain("warning: DATABASE_URL is set but not read: use DATABASE_PATH");
    expect(result.stdout).toContain("warning: OURA_CLIENT_SECRT is set but not read (a typo?");
    expect(result.stdout).toContain("DATABASE_PATH: the folder /nonexistent-folder does not exist");
    expect(result.code).toBe(1);
    // A file that is not a database, named.
    const junk = join(tempDir(), "notes.db");
    await Bun.write(junk, "not a database\n");
    const notDatabase = await cli(["check-config"], { DATABASE_PATH: junk });
    expect(notDatabase.code).toBe(1);
    expect(notDatabase.stdout).toContain(`DATABASE_PATH: ${junk} is not a SQLite database`);
  });

  test("a demo that cannot start says why in its own terms (its flags), last, without a stack trace", async () => {
    const blocker = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const busy = await cli(["demo", "--port", String(blocker.port), "--database", join(tempDir(), "demo.db")]);
      expect(busy.code).toBe(1);
      expect(busy.stderr.trim().split("\n").pop()).toBe(
        `oura-streaming demo: could not start: --port: ${blocker.port} on 127.0.0.1 is already in use (another oura-streaming, or another program); stop it or choose another PORT`,
      );
      expect(busy.stderr).not.toContain("    at ");
    } finally {
      blocker.stop(true);
    }
  });

  test("a failed start (port in use, bad path) creates no files and prints its reason last", async () => {
    const dir = tempDir();
    const blocker = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const busy = await cli(["serve"], { PORT: String(blocker.port), DATABASE_PATH: join(dir, "oura.db") });
      expect(busy.code).toBe(1);
      expect(busy.stderr.trim().split("\n").pop()).toBe(
        `oura-streaming: could not start: PORT: ${blocker.port} on 127.0.0.1 is already in use (another oura-streaming, or another program); stop it or choose another PORT`,
      );
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      blocker.stop(true);
    }
    const badPath = await cli(["serve"], { PORT: "0", DATABASE_PATH: join(dir, "missing", "oura.db") });
    expect(badPath.code).toBe(1);
    expect(badPath.stderr.trim().split("\n").pop()).toContain(`DATABASE_PATH: the folder ${join(dir, "missing")} does not exist`);
    expect(readdirSync(dir)).toEqual([]);
  });
});
