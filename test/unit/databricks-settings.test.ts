// The Databricks settings the original product's users already have, read as they wrote them.
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config.ts";
import { deltaTable, warehouseId, workspaceUrl } from "../../src/databricks/settings.ts";

describe("DATABRICKS_HOST", () => {
  test.each([
    ["adb-1234567890123456.7.azuredatabricks.net", "https://adb-1234567890123456.7.azuredatabricks.net"],
    ["https://dbc-a1b2c3.cloud.databricks.com/", "https://dbc-a1b2c3.cloud.databricks.com"],
    ["  https://dbc-a1b2c3.cloud.databricks.com  ", "https://dbc-a1b2c3.cloud.databricks.com"],
    ["http://127.0.0.1:8123", "http://127.0.0.1:8123"],
  ])("%s → %s", (raw, expected) => {
    expect(workspaceUrl(raw)).toEqual({ ok: true, value: expected });
  });
  test.each(["", "ftp://x", "https://dbc-1.cloud.databricks.com/sql/1.0/warehouses/abc", "https://"])("refused: %p, naming the variable", (raw) => {
    const parsed = workspaceUrl(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toStartWith("DATABRICKS_HOST: ");
  });
});

describe("the warehouse", () => {
  test.each([
    [{ DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/1a2b3c4d5e6f7a8b" }, "1a2b3c4d5e6f7a8b"],
    [{ DATABRICKS_HTTP_PATH: "/sql/1.0/endpoints/1a2b3c4d5e6f7a8b" }, "1a2b3c4d5e6f7a8b"],
    [{ DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/1a2b3c4d5e6f7a8b?o=6280049833385130" }, "1a2b3c4d5e6f7a8b"],
    [{ DATABRICKS_HTTP_PATH: "sql/1.0/warehouses/1a2b3c4d5e6f7a8b/" }, "1a2b3c4d5e6f7a8b"],
    [{ DATABRICKS_WAREHOUSE_ID: "abcdef0123456789", DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/1a2b3c4d5e6f7a8b" }, "abcdef0123456789"],
  ])("%o → %s", (env, expected) => {
    expect(warehouseId(env)).toEqual({ ok: true, value: expected });
  });
  test.each([
    [{}, "DATABRICKS_HTTP_PATH: not set"],
    [{ DATABRICKS_HTTP_PATH: "sql/protocolv1/o/123/0123-456789-abcdefgh" }, "a cluster's path is not supported"],
    [{ DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/x" }, "is not a warehouse id"],
    [{ DATABRICKS_WAREHOUSE_ID: "not an id" }, "DATABRICKS_WAREHOUSE_ID:"],
  ])("refused: %o", (env, message) => {
    const parsed = warehouseId(env);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });
});

describe("DELTA_TABLE", () => {
  test("catalog.schema.table and schema.table, quoted for SQL text", () => {
    expect(deltaTable("main.oura.events")).toEqual({ ok: true, value: { catalog: "main", schema: "oura", table: "events", quoted: "`main`.`oura`.`events`" } });
    expect(deltaTable("oura.events")).toEqual({ ok: true, value: { catalog: undefined, schema: "oura", table: "events", quoted: "`oura`.`events`" } });
  });
  test.each([undefined, "", "events", "a.b.c.d", "main.oura.events; DROP TABLE x", "main.`oura`.events", "main.oura.1events", "main..events"])("refused: %p", (raw) => {
    const parsed = deltaTable(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toStartWith("DELTA_TABLE: ");
  });
});

describe("warehouse mode in the configuration", () => {
  const base = {
    STORAGE_BACKEND: "warehouse",
    DATABRICKS_HOST: "adb-1234567890123456.7.azuredatabricks.net",
    DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/abcdef1234567890?o=1234567890123456",
    DATABRICKS_TOKEN: "dapi-0123456789",
    DELTA_TABLE: "main.oura.events",
    APP_SECRET_KEY: "a-key-of-at-least-thirty-two-characters",
  };

  test("the original's settings, as written: host without scheme, HTTP path with ?o=, a token", () => {
    const result = loadConfig(base);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const warehouse = result.config.warehouse!;
    expect(warehouse.host).toBe("https://adb-1234567890123456.7.azuredatabricks.net");
    expect(warehouse.warehouseId).toBe("abcdef1234567890");
    expect(warehouse.credentials).toEqual({ kind: "token", token: "dapi-0123456789" });
    expect(warehouse.tables.documents.quoted).toBe("`main`.`oura`.`events_documents`");
    expect(warehouse.tables.tokens.quoted).toBe("`main`.`oura`.`events_tokens`");
    const sqlite = loadConfig({});
    expect(sqlite.ok && sqlite.config.warehouse).toBeUndefined();
  });

  test("a service principal when there is no token; DATABRICKS_WAREHOUSE_ID wins over the path", () => {
    const result = loadConfig({ ...base, DATABRICKS_TOKEN: "", DATABRICKS_CLIENT_ID: "sp-id", DATABRICKS_CLIENT_SECRET: "sp-secret", DATABRICKS_WAREHOUSE_ID: "1234567890abcdef" });
    expect(result.ok && result.config.warehouse).toMatchObject({ warehouseId: "1234567890abcdef", credentials: { kind: "m2m", clientId: "sp-id", clientSecret: "sp-secret" } });
  });

  test.each([
    [{ DATABRICKS_TOKEN: "", DATABRICKS_CLIENT_ID: "sp-id" }, "DATABRICKS_CLIENT_SECRET"],
    [{ APP_SECRET_KEY: "" }, "APP_SECRET_KEY"],
    [{ DELTA_TABLE: "" }, "DELTA_TABLE"],
    [{ DATABRICKS_HTTP_PATH: "", DATABRICKS_WAREHOUSE_ID: "" }, "DATABRICKS_HTTP_PATH"],
  ])("a missing piece stops start-up naming its variable: %o", (override, name) => {
    const result = loadConfig({ ...base, ...override });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join("\n")).toContain(`${name}:`);
  });

  test("as a Databricks App: 0.0.0.0 on DATABRICKS_APP_PORT, no API token needed; elsewhere loopback", () => {
    const app = loadConfig({ ...base, DATABRICKS_APP_PORT: "8000", DATABRICKS_APP_NAME: "oura" });
    expect(app.ok && [app.config.host, app.config.port, app.config.databricksApp?.name]).toEqual(["0.0.0.0", 8000, "oura"]);
    const local = loadConfig(base);
    expect(local.ok && [local.config.host, local.config.databricksApp]).toEqual(["127.0.0.1", undefined]);
    // The app port alone (no app name) is not a Databricks App: a non-loopback host needs a credential.
    expect(loadConfig({ DATABRICKS_APP_PORT: "8000" }).ok).toBe(false);
  });
});
