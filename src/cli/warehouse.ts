// `oura-streaming warehouse check`: is the Databricks side of warehouse mode usable, and if not, why.
import { checkWarehouse } from "../databricks/check.ts";
import type { WarehouseConfig } from "../config.ts";
import { type Command, parse, UsageError } from "./args.ts";
import { configOrExit } from "./config-env.ts";

const usage = `Usage: oura-streaming warehouse check

With STORAGE_BACKEND=warehouse: connects to DATABRICKS_HOST, runs SELECT 1 on the warehouse, looks at the events,
documents and tokens tables (missing ones and missing columns are created at start) and checks that the principal may
write. Each failure is explained in one sentence. Exit code 0 when usable, 1 when not.`;

export const warehouseCommand: Command = {
  name: "warehouse",
  summary: "check the Databricks warehouse and Delta tables (warehouse check)",
  usage,
  async run(argv) {
    const { positionals } = parse(argv, {}, usage, true);
    if (positionals.length !== 1 || positionals[0] !== "check") throw new UsageError(`expected "check", got ${positionals.length ? `"${positionals.join(" ")}"` : "nothing"}`, usage);
    const config = configOrExit();
    if (!config.warehouse) {
      console.error("oura-streaming warehouse check: STORAGE_BACKEND is sqlite; set STORAGE_BACKEND=warehouse and the DATABRICKS_* settings first");
      return 1;
    }
    return (await printWarehouseCheck(config.warehouse)) ? 0 : 1;
  },
};

/** Prints one line per check; true when every check passed. */
export async function printWarehouseCheck(config: WarehouseConfig): Promise<boolean> {
  console.log(`warehouse ${config.warehouseId} at ${config.host}, events table ${config.tables.events.quoted}`);
  const results = await checkWarehouse(config);
  for (const result of results) console.log(`  ${result.ok ? "ok  " : "FAIL"} ${result.what}: ${result.detail}`);
  return results.every((result) => result.ok);
}
