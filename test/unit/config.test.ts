import { describe, expect, test } from "bun:test";
import { isLoopbackHost, loadConfig } from "../../src/config.ts";

describe("configuration", () => {
  test("defaults: port 8000 on 127.0.0.1, ./oura_streaming.db, Oura's real endpoints, 300 s tolerance, 1 MiB bodies", () => {
    const result = loadConfig({});
    if (!result.ok) throw new Error(result.errors.join());
    expect(result.config.port).toBe(8000);
    expect(result.config.host).toBe("127.0.0.1");
    expect(result.config.databasePath).toBe("./oura_streaming.db");
    expect(result.config.oura.apiBaseUrl).toBe("https://api.ouraring.com");
    expect(result.config.oura.authUrl).toBe("https://cloud.ouraring.com/oauth/authorize");
    expect(result.config.oura.tokenUrl).toBe("https://api.ouraring.com/oauth/token");
    expect(result.config.webhookToleranceSeconds).toBe(300);
    expect(result.config.webhookMaxBytes).toBe(1048576);
    expect(result.config.logLevel).toBe("info");
  });

  test("DATABRICKS_APP_PORT is the port when PORT is unset; PORT wins when both are set", () => {
    const apps = loadConfig({ DATABRICKS_APP_PORT: "8080", DATABRICKS_APP_NAME: "oura" });
    expect(apps.ok && apps.config.port).toBe(8080);
    const both = loadConfig({ DATABRICKS_APP_PORT: "8080", DATABRICKS_APP_NAME: "oura", PORT: "9000" });
    expect(both.ok && both.config.port).toBe(9000);
  });

  test("blank values mean unset, as .env files write them", () => {
    const result = loadConfig({ PORT: "", API_TOKEN: " ", OURA_CLIENT_SECRET: "" });
    expect(result.ok && result.config.port).toBe(8000);
    expect(result.ok && result.config.apiToken).toBeUndefined();
  });

  test("Oura signs with the client secret; OURA_WEBHOOK_SECRET overrides it", () => {
    const plain = loadConfig({ OURA_CLIENT_SECRET: "client" });
    expect(plain.ok && plain.config.oura.webhookSecret).toBe("client");
    const overridden = loadConfig({ OURA_CLIENT_SECRET: "client", OURA_WEBHOOK_SECRET: "override" });
    expect(overridden.ok && overridden.config.oura.webhookSecret).toBe("override");
  });

  test.each([
    ["PORT", "eighty", "expected a whole number"],
    ["PORT", "70000", "expected a whole number"],
    ["WEBHOOK_TOLERANCE_SECONDS", "0", "at least 1"],
    ["WEBHOOK_MAX_BYTES", "lots", "expected a number of bytes"],
    ["LOG_LEVEL", "loud", "expected one of debug, info, warn, error, silent"],
    ["OURA_API_BASE_URL", "not a url", "expected an http(s) URL"],
    ["API_TOKEN", "short", "at least 16 characters"],
    ["APP_SECRET_KEY", "short", "at least 32 characters"],
  ])("a wrong %s (%s) is refused with the variable's name and what is expected", (name, value, expected) => {
    const result = loadConfig({ [name]: value });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join("\n")).toContain(`${name}: `);
    expect(result.errors.join("\n")).toContain(expected);
  });

  test("a non-loopback HOST without any credential is refused, and accepted with API_TOKEN", () => {
    const open = loadConfig({ HOST: "0.0.0.0" });
    expect(open.ok).toBe(false);
    if (!open.ok) expect(open.errors[0]).toContain("API_TOKEN");
    expect(loadConfig({ HOST: "0.0.0.0", API_TOKEN: "a-long-enough-api-token" }).ok).toBe(true);
  });

  test("loopback hosts", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["0.0.0.0", "192.168.1.5", "::", "example.com"]) expect(isLoopbackHost(host)).toBe(false);
  });

  test("polling settings: defaults, a duplicate type counted once, limits named", () => {
    const ok = loadConfig({ POLL_DATA_TYPES: "sleep, sleep,heartrate" });
    expect(ok.ok && ok.config.polling.dataTypes).toEqual(["sleep", "heartrate"]);
    const defaults = loadConfig({});
    expect(defaults.ok && defaults.config.polling).toMatchObject({ enabled: false, intervalSeconds: 300, lookbackDays: 2, reconcileIntervalHours: 24 });
    expect(defaults.ok && defaults.config.polling.dataTypes.length).toBe(17);
    for (const [name, value] of [["POLL_LOOKBACK_DAYS", "1000"], ["POLLING_INTERVAL_SECONDS", "5"], ["POLLING_ENABLED", "maybe"], ["POLL_DATA_TYPES", "foo"]] as const) {
      const result = loadConfig({ [name]: value });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors.join("\n")).toContain(name);
    }
  });
});
