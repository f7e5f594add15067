// The Databricks settings as users of the original product wrote them, normalised and checked: the workspace host
// (with or without https://), the SQL warehouse (its id, or an HTTP path — /sql/1.0/warehouses/<id>, the legacy
// /sql/1.0/endpoints/<id>, an Azure ?o= suffix), and the Delta table name, which is spliced into SQL text and so is
// accepted only as two or three plain identifiers. Each failure says which variable and why, in one sentence.

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

/** `adb-123.4.azuredatabricks.net`, `https://dbc-1.cloud.databricks.com/` → `https://host` (no path, no slash). */
export function workspaceUrl(raw: string): Parsed<string> {
  const text = raw.trim();
  if (!text) return fail("DATABRICKS_HOST: empty; expected your workspace URL, e.g. https://dbc-1234.cloud.databricks.com");
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return fail(`DATABRICKS_HOST: "${text}" is not a host name or URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return fail(`DATABRICKS_HOST: expected https://…, not ${url.protocol}`);
  if (url.pathname !== "/" && url.pathname !== "") return fail(`DATABRICKS_HOST: expected the workspace URL alone, without a path (${url.pathname})`);
  return ok(`${url.protocol}//${url.host}`);
}

const WAREHOUSE_ID = /^[A-Za-z0-9]{8,64}$/;

/** The warehouse id from DATABRICKS_WAREHOUSE_ID, else from the last segment of DATABRICKS_HTTP_PATH. */
export function warehouseId(env: { DATABRICKS_WAREHOUSE_ID?: string; DATABRICKS_HTTP_PATH?: string }): Parsed<string> {
  const explicit = env.DATABRICKS_WAREHOUSE_ID?.trim();
  if (explicit) return WAREHOUSE_ID.test(explicit) ? ok(explicit) : fail(`DATABRICKS_WAREHOUSE_ID: "${explicit}" is not a warehouse id (letters and digits, as in /sql/1.0/warehouses/<id>)`);
  const path = env.DATABRICKS_HTTP_PATH?.trim();
  if (!path) return fail("DATABRICKS_HTTP_PATH: not set; copy the HTTP path from the warehouse's Connection details (/sql/1.0/warehouses/<id>), or set DATABRICKS_WAREHOUSE_ID");
  const match = path.split("?")[0]!.match(/^\/?sql\/1\.0\/(warehouses|endpoints)\/([^/]+)\/?$/);
  if (!match) return fail(`DATABRICKS_HTTP_PATH: "${path}" is not a SQL warehouse path (expected /sql/1.0/warehouses/<id>; a cluster's path is not supported)`);
  const id = match[2]!;
  return WAREHOUSE_ID.test(id) ? ok(id) : fail(`DATABRICKS_HTTP_PATH: "${id}" is not a warehouse id`);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

export interface DeltaTableName {
  catalog?: string;
  schema: string;
  table: string;
  /** Back-quoted for SQL text: `catalog`.`schema`.`table`. */
  quoted: string;
}

/** `catalog.schema.table` or `schema.table`, each part a plain identifier (never spliced unchecked into SQL). */
export function deltaTable(raw: string | undefined): Parsed<DeltaTableName> {
  const text = raw?.trim() ?? "";
  if (!text) return fail("DELTA_TABLE: not set; expected catalog.schema.table (or schema.table), e.g. main.oura.events");
  const parts = text.split(".");
  if (parts.length < 2 || parts.length > 3) return fail(`DELTA_TABLE: "${text}" should be catalog.schema.table or schema.table`);
  const bad = parts.find((part) => !IDENTIFIER.test(part));
  if (bad !== undefined) return fail(`DELTA_TABLE: "${bad}" is not a plain name (letters, digits and _, not starting with a digit)`);
  const [catalog, schema, table] = parts.length === 3 ? parts : [undefined, ...parts];
  return ok({ catalog, schema: schema!, table: table!, quoted: parts.map((part) => `\`${part}\``).join(".") });
}
