// `oura-streaming check-config`: validates the environment and shows the effective settings (secrets only as set/unset).
import { oauthConfigured } from "../auth/principal.ts";
import { type Config, EnvSchema } from "../config.ts";
import { type Command, parse } from "./args.ts";
import { configOrExit } from "./config-env.ts";
import { pollingSummary } from "../jobs/polling-plan.ts";
import { printWarehouseCheck } from "./warehouse.ts";
import { configurationGaps } from "./config-gaps.ts";
import { databasePathProblem } from "../storage/sqlite/database.ts";

const usage = `Usage: oura-streaming check-config

Validates the configuration from the environment (and .env) and prints the effective values.
Secrets are shown only as "set" or "unset". With STORAGE_BACKEND=warehouse it also runs \`warehouse check\`.
It also says what will not work with these settings (webhooks refused, sign-in off, Oura unable to reach\nPUBLIC_URL). Exit code 0 when the server would start, 1 when not.`;

/** Secrets end in SECRET, TOKEN, KEY or PASSWORD (OURA_TOKEN_URL is a URL, shown as it is). */
const SECRET = /(SECRET|TOKEN|KEY|PASSWORD)$/;

/** Settings that look like ours (the original product's, or a typo) but are read by nothing here. */
const NOT_READ: Record<string, string> = {
  DEBUG: "use LOG_LEVEL=debug",
  DATABASE_URL: "use DATABASE_PATH (a SQLite file)",
  WEBHOOK_SECRET: "Oura signs with the client secret (OURA_CLIENT_SECRET); OURA_WEBHOOK_SECRET overrides it",
};
/** Set by the Databricks Apps runtime, not by users: not worth a warning. */
const RUNTIME = new Set(["DATABRICKS_WORKSPACE_ID", "DATABRICKS_APP_URL"]);

function unreadSettings(env: Record<string, string | undefined>): string[] {
  const known = new Set(Object.keys(EnvSchema.shape));
  return Object.keys(env)
    .filter((name) => env[name] !== undefined && env[name] !== "" && !known.has(name) && !RUNTIME.has(name))
    .filter((name) => name in NOT_READ || /^(OURA|DATABRICKS|POLL|POLLING|DELTA|WAREHOUSE|WEBHOOK|RETENTION|MQTT)_/.test(name))
    .map((name) => `warning: ${name} is set but not read${NOT_READ[name] ? `: ${NOT_READ[name]}` : " (a typo? see the README's Configuration table)"}`);
}

/** Who will be able to run the server and to link a ring, in one line. */
function accessSummary(config: Config): string {
  if (config.databricksApp) {
    const operators = config.databricksApp.operators;
    return `access: Databricks App users; operators: ${operators.length ? operators.join(", ") : "every App user (DATABRICKS_APP_OPERATORS unset)"}`;
  }
  const signIn = oauthConfigured(config);
  const operators = [config.apiToken ? "the API_TOKEN bearer" : "", config.access.operatorEmails.length ? `OPERATOR_EMAILS (${config.access.operatorEmails.join(", ")})` : ""].filter(Boolean);
  if (!config.apiToken && !signIn) return "access: open to this machine only (no API_TOKEN, no Oura sign-in): its one user is the operator";
  const linking = signIn ? `rings linked by invitation${config.access.allowedEmails.length ? ` or ALLOWED_EMAILS (${config.access.allowedEmails.join(", ")})` : ""}` : "no Oura sign-in (OURA_CLIENT_ID/OURA_CLIENT_SECRET unset)";
  const who = operators.length ? `operators: ${operators.join(", ")}, and users promoted here` : "operators: users promoted here only — set OPERATOR_EMAILS or API_TOKEN, or run `oura-streaming invite` for the first person";
  return `access: ${who}; ${linking}`;
}

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
      const shown =
        value === undefined || (Array.isArray(value) && value.length === 0)
          ? "unset"
          : SECRET.test(name)
            ? "set"
            : // MQTT_URL may carry a password: the broker alone is shown.
              name === "MQTT_URL" && config.mqtt
              ? config.mqtt.brokerUrl
              : String(value);
      console.log(`${name.padEnd(width)} ${shown}`);
    }
    for (const warning of unreadSettings(process.env)) console.log(warning);
    console.log(`\nlistening on ${config.host}:${config.port}, database ${config.databasePath}, OAuth redirect ${config.oura.redirectUri}`);
    const pathProblem = databasePathProblem(config.databasePath);
    if (pathProblem) {
      console.log(`${pathProblem}\nconfiguration is not usable: the server would not start`);
      return 1;
    }
    console.log(pollingSummary(config));
    console.log(accessSummary(config));
    if (config.warehouse) {
      console.log(`\nstorage: SQLite at ${config.databasePath}, shipped to Databricks`);
      if (!(await printWarehouseCheck(config.warehouse))) {
        console.log("configuration is valid, but the warehouse is not usable (see FAIL above); events are kept locally until it is");
        return 1;
      }
    }
    const gaps = configurationGaps(config);
    for (const gap of gaps) console.log(`will not work: ${gap}`);
    console.log(gaps.length ? `configuration is valid (the server starts), but ${gaps.length === 1 ? "one thing" : `${gaps.length} things`} will not work: see above` : "configuration is valid");
    return 0;
  },
};
