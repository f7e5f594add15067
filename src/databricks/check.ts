// `warehouse check` (and check-config in warehouse mode): connects, runs a trivial statement, looks at the tables
// and the principal's rights, and says what each failure means in the words of the Databricks UI.
import type { WarehouseConfig } from "../config.ts";
import { silentLogger } from "../log.ts";
import { workspaceCredentials, WorkspaceAuthError } from "./credentials.ts";
import { DeltaWarehouse, isMissingTable } from "./delta-warehouse.ts";
import { type ColumnList, DOCUMENT_COLUMNS, EVENT_COLUMNS, HEART_RATE_COLUMNS, LEASE_COLUMNS, ping, probeModify, TOKEN_COLUMNS } from "./sql.ts";
import { StatementClient, WarehouseError } from "./statement-client.ts";

export interface CheckResult {
  ok: boolean;
  what: string;
  /** One sentence: what was found, or what is wrong and what to do. */
  detail: string;
}

/** A check waits at most a minute (less when WAREHOUSE_STATEMENT_TIMEOUT_SECONDS is shorter) for a cold warehouse. */
const QUICK_DEADLINE_MS = 5000;
const checkDeadlineMs = (config: WarehouseConfig) => Math.min(60_000, config.statementTimeoutMs);

export async function checkWarehouse(config: WarehouseConfig, fetcher: typeof fetch = fetch): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const credentials = workspaceCredentials(config.host, config.credentials, fetcher);
  const client = new StatementClient({ host: config.host, warehouseId: config.warehouseId, credentials, fetch: fetcher, deadlineMs: checkDeadlineMs(config) });
  const explain = (error: unknown) => explainFailure(error, config);
  try {
    // First briefly: a host that cannot be reached (a typo, a refused port, TLS against plain http) will not become
    // reachable within the minute; a warehouse that is starting will, so only then is the full deadline spent.
    const quick = new StatementClient({ host: config.host, warehouseId: config.warehouseId, credentials, fetch: fetcher, deadlineMs: QUICK_DEADLINE_MS });
    await quick.execute(ping()).catch((error) => {
      if (error instanceof WarehouseError && error.failure === "timeout") return client.execute(ping());
      throw error;
    });
    results.push({ ok: true, what: "warehouse", detail: `${config.host} answered, warehouse ${config.warehouseId} ran SELECT 1` });
  } catch (error) {
    results.push({ ok: false, what: "warehouse", detail: explain(error) });
    return results;
  }
  const warehouse = new DeltaWarehouse(client, config.tables, silentLogger);
  const tables: [string, typeof config.tables.events, ColumnList][] = [
    ["events table", config.tables.events, EVENT_COLUMNS],
    ["documents table", config.tables.documents, DOCUMENT_COLUMNS],
    ["heart-rate table", config.tables.heartRate, HEART_RATE_COLUMNS],
    ["tokens table", config.tables.tokens, TOKEN_COLUMNS],
    ["token lease table", config.tables.lease, LEASE_COLUMNS],
  ];
  let eventsExist = false;
  for (const [what, table, wanted] of tables) {
    try {
      const columns = await warehouse.columns(table);
      if (!columns) {
        results.push({ ok: true, what, detail: `${table.quoted} does not exist yet; the server creates it at start (needs CREATE TABLE on the schema)` });
        continue;
      }
      if (table === config.tables.events) eventsExist = true;
      const missing = wanted.filter(([name]) => !columns.has(name)).map(([name]) => name);
      const idType = columns.get("id");
      if (table === config.tables.events && idType && idType !== "STRING") {
        results.push({ ok: false, what, detail: `${table.quoted} has column id of type ${idType}, but this server writes text keys; point DELTA_TABLE at a new table` });
      } else if (missing.length > 0) {
        results.push({ ok: true, what, detail: `${table.quoted} lacks column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; the server adds them at start with ALTER TABLE … ADD COLUMNS, keeping its rows (needs MODIFY)` });
      } else {
        results.push({ ok: true, what, detail: `${table.quoted} has every column` });
      }
    } catch (error) {
      results.push({ ok: false, what, detail: explain(error) });
    }
  }
  if (eventsExist) {
    try {
      await client.execute(probeModify(config.tables.events));
      results.push({ ok: true, what: "write access", detail: `the principal may write to ${config.tables.events.quoted} (an empty MERGE ran)` });
    } catch (error) {
      results.push({ ok: false, what: "write access", detail: explain(error) });
    }
  }
  return results;
}

/** A warehouse failure in one sentence a Databricks user acts on. */
export function explainFailure(error: unknown, config: WarehouseConfig): string {
  const credentialNames = config.credentials.kind === "token" ? "DATABRICKS_TOKEN" : "DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET";
  if (error instanceof WorkspaceAuthError) return `${error.message}; check ${credentialNames} and DATABRICKS_HOST`;
  if (!(error instanceof WarehouseError)) return `unexpected failure: ${(error as Error).message}`;
  const text = `${error.errorCode ?? ""} ${error.message}`;
  switch (error.failure) {
    case "unauthenticated":
      return `the workspace at ${config.host} refused the credentials: ${credentialNames} is wrong, expired, or from another workspace`;
    case "not_found":
      return `there is no SQL warehouse ${config.warehouseId} in ${config.host}: copy the HTTP path (or the id) from the warehouse's Connection details tab`;
    case "permission":
      return `the principal may not use warehouse ${config.warehouseId}: grant it CAN USE on the warehouse's Permissions tab (${error.message})`;
    case "timeout":
      return `warehouse ${config.warehouseId} did not run a statement within ${checkDeadlineMs(config) / 1000} s: it is stopped or still starting; start it in SQL Warehouses (or give it auto-start) and check again`;
    case "unavailable":
      return /^cannot reach/.test(error.message)
        ? `${error.message}: check DATABRICKS_HOST (the workspace URL, as in your browser's address bar)`
        : `cannot use ${config.host} right now: ${error.message}`;
    default:
      if (/SCHEMA_NOT_FOUND|NO_SUCH_CATALOG|CATALOG_NOT_FOUND/i.test(text)) return `the catalog or schema of DELTA_TABLE does not exist: create it (CREATE SCHEMA …) or point DELTA_TABLE at an existing one (${error.message})`;
      if (/INSUFFICIENT_PERMISSIONS|PERMISSION_DENIED/i.test(text)) return `the principal lacks a privilege: grant USE CATALOG, USE SCHEMA, and SELECT and MODIFY on the tables (${error.message})`;
      if (isMissingTable(error)) return `a table was not found: ${error.message}`;
      return `the warehouse refused the statement: ${error.message}`;
  }
}
