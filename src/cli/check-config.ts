// `oura-streaming check-config`: validates the environment and shows the effective settings (secrets only as set/unset).
import { EnvSchema } from "../config.ts";
import { type Command, parse } from "./args.ts";
import { configOrExit } from "./config-env.ts";
import { pollingSummary } from "../jobs/polling-plan.ts";
import { printWarehouseCheck } from "./warehouse.ts";

const usage = `Usage: oura-streaming check-config

Validates the configuration from the environment (and .env) and prints the effective values.
Secrets are shown only as "set" or "unset". With STORAGE_BACKEND=warehouse it also runs \`warehouse check\`.
Exit code 0 when valid, 1 when not.`;

const SECRET = /SECRET|TOKEN|KEY/;

export const checkConfigCommand: Command = {
  name: "check-config",
  summary: "validate the configuration and show the effective values",
  usage,
  async run(argv) {
    parse(argv, {}, usage);
    const config = configOrExit();
    const parsed = EnvSchema.parse(process.env) as Record<string, unknown>;
    const width = Math.max(...Object.keys(EnvSchema.shape).map((name) => name.length)) + 1;
    for (const name of Object.keys(EnvSchema.shape)) {
      const value = parsed[name];
      const shown = value === undefined ? "unset" : SECRET.test(name) ? "set" : String(value);
      console.log(`${name.padEnd(width)} ${shown}`);
    }
    console.log(`\nlistening on ${config.host}:${config.port}, database ${config.databasePath}, OAuth redirect ${config.oura.redirectUri}`);
    console.log(pollingSummary(config));
    if (config.warehouse) {
      console.log(`\nstorage: SQLite at ${config.databasePath}, shipped to Databricks`);
      if (!(await printWarehouseCheck(config.warehouse))) {
        console.log("configuration is valid, but the warehouse is not usable (see FAIL above); events are kept locally until it is");
        return 1;
      }
    }
    console.log("configuration is valid");
    return 0;
  },
};
