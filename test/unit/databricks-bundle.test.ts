// The Databricks Asset Bundle (databricks.yml) against the bundle JSON schema the Databricks CLI publishes
// (databricks/cli, bundle/schema/jsonschema.json at 7bbe2852131bc5c4a6c7bad5f147bc7772eedf9f, copied to
// test/fixtures/databricks-bundle-schema.json: CI has no internet), and against the App it deploys.
import { describe, expect, test } from "bun:test";
import Ajv from "ajv";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/servers.ts";

const bundleText = await Bun.file(join(REPO_ROOT, "databricks.yml")).text();
const bundle = Bun.YAML.parse(bundleText) as any;
const schema = await Bun.file(join(REPO_ROOT, "test/fixtures/databricks-bundle-schema.json")).json();
// The CLI's schema carries editor hints (markdownDescription, doNotSuggest, x-databricks-…): not keywords to enforce.
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

describe("databricks.yml", () => {
  test("is valid against the CLI's bundle schema", () => {
    const valid = validate(bundle);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test("the schema check can fail: a misspelt key and a wrong permission are refused", () => {
    const broken = structuredClone(bundle);
    broken.resources.apps.oura_streaming.resourcez = [];
    broken.resources.apps.oura_streaming.resources[0].sql_warehouse.permission = "CAN_DRIVE";
    expect(validate(broken)).toBe(false);
  });

  test("deploys the App with the warehouse and every secret its settings name, and who may open it", async () => {
    const app = bundle.resources.apps.oura_streaming;
    const appYaml = Bun.YAML.parse(await Bun.file(join(REPO_ROOT, "app.yaml")).text()) as { command: string[]; env: { name: string; valueFrom?: string }[] };
    // The same command as app.yaml, and every value app.yaml takes from a resource taken from one here too.
    expect(app.config.command).toEqual(appYaml.command);
    const fromResource = (env: { name: string; valueFrom?: string; value_from?: string }[]) => Object.fromEntries(env.filter((e) => e.valueFrom ?? e.value_from).map((e) => [e.name, e.valueFrom ?? e.value_from]));
    expect(fromResource(app.config.env)).toEqual(fromResource(appYaml.env));
    const names = app.resources.map((r: { name: string }) => r.name);
    for (const key of Object.values(fromResource(app.config.env))) expect(names).toContain(key);
    expect(app.resources.find((r: any) => r.name === "sql-warehouse").sql_warehouse).toEqual({ id: "${var.warehouse_id}", permission: "CAN_USE" });
    // The table and the operators are variables; the warehouse is looked up by name unless given.
    expect(app.config.env.find((e: any) => e.name === "DELTA_TABLE").value).toBe("${var.catalog}.${var.schema}.${var.table}");
    expect(bundle.variables.warehouse_id.lookup.warehouse).toBe("Serverless Starter Warehouse");
    expect(app.permissions).toEqual([{ level: "CAN_USE", group_name: "${var.users_group}" }]);
    expect(bundle.resources.schemas.oura).toMatchObject({ catalog_name: "${var.catalog}", name: "${var.schema}" });
  });
});
