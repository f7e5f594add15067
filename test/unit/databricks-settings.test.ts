// The Databricks settings the original product's users already have, read as they wrote them.
import { describe, expect, test } from "bun:test";
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
