// Every statement this server sends to the warehouse. Table names are validated identifiers (settings.ts), back-quoted;
// every value travels as a named parameter (`:name`), never in the text. A batch is one JSON array in one parameter,
// unpacked by from_json + inline, so the statement text is the same whatever the batch holds. Each statement starts
// with a tag comment (`/* oura-streaming:<kind> */`): it names the statement in the warehouse's query history, and the
// fake warehouse in test/ dispatches on it.
import type { DeltaTableName } from "./settings.ts";

export interface Statement {
  kind: string;
  sql: string;
  parameters: { name: string; value: string | null; type?: string }[];
}

const tag = (kind: string) => `/* oura-streaming:${kind} */`;

export interface DeltaTables {
  events: DeltaTableName;
  documents: DeltaTableName;
  heartRate: DeltaTableName;
  tokens: DeltaTableName;
  lease: DeltaTableName;
}

/** The other tables sit beside DELTA_TABLE: `<table>_documents`, `<table>_heartrate`, `<table>_tokens` and `<table>_lease`. */
export function deltaTables(events: DeltaTableName): DeltaTables {
  const sibling = (suffix: string): DeltaTableName => {
    const table = `${events.table}_${suffix}`;
    const parts = [events.catalog, events.schema, table].filter((part): part is string => part !== undefined);
    return { catalog: events.catalog, schema: events.schema, table, quoted: parts.map((part) => `\`${part}\``).join(".") };
  };
  return { events, documents: sibling("documents"), heartRate: sibling("heartrate"), tokens: sibling("tokens"), lease: sibling("lease") };
}

/** The events table: the original product's six columns first (its users' tables have them), then ours. */
export const EVENT_COLUMNS = [
  ["id", "STRING"],
  ["received_at", "TIMESTAMP"],
  ["data_type", "STRING"],
  ["event_type", "STRING"],
  ["user_id", "STRING"],
  ["payload", "STRING"],
  ["object_id", "STRING"],
  ["event_time", "TIMESTAMP"],
  ["source", "STRING"],
  ["document", "STRING"],
] as const;

export const DOCUMENT_COLUMNS = [
  ["user_id", "STRING"],
  ["data_type", "STRING"],
  ["document_id", "STRING"],
  ["day", "DATE"],
  ["payload", "STRING"],
  ["deleted", "BOOLEAN"],
  ["updated_at", "TIMESTAMP"],
] as const;

/** Heart-rate samples (polled: a time series, not documents), one row per user and instant. */
export const HEART_RATE_COLUMNS = [
  ["user_id", "STRING"],
  ["measured_at", "TIMESTAMP"],
  ["bpm", "INT"],
  ["source", "STRING"],
] as const;

export const TOKEN_COLUMNS = [
  ["user_id", "STRING"],
  ["access_token", "STRING"],
  ["refresh_token", "STRING"],
  ["access_expires_at_ms", "BIGINT"],
  ["scopes", "STRING"],
  ["needs_reauth", "BOOLEAN"],
  ["reauth_reason", "STRING"],
  ["handed_off", "BOOLEAN"],
  ["token_version", "BIGINT"],
  ["updated_at", "TIMESTAMP"],
] as const;

/** The token lease (token-lease.ts): one row per lease name, saying which server may spend refresh tokens until when. */
export const LEASE_COLUMNS = [
  ["name", "STRING"],
  ["holder", "STRING"],
  ["host", "STRING"],
  ["pid", "BIGINT"],
  ["acquired_at", "TIMESTAMP"],
  ["expires_at", "TIMESTAMP"],
] as const;

export type ColumnList = readonly (readonly [string, string])[];

/** Types the shipper knows how to cast its text values to (an existing table's columns may use any of them). */
export const CASTABLE_TYPES = new Set(["STRING", "TIMESTAMP", "TIMESTAMP_NTZ", "DATE", "BIGINT", "INT", "BOOLEAN", "DOUBLE"]);

export function ping(): Statement {
  return { kind: "ping", sql: `${tag("ping")} SELECT 1 AS ok`, parameters: [] };
}

/** Rows of (col_name, data_type, comment); fails with TABLE_OR_VIEW_NOT_FOUND when the table is missing. */
export function describeTable(table: DeltaTableName): Statement {
  return { kind: "describe", sql: `${tag("describe")} DESCRIBE TABLE ${table.quoted}`, parameters: [] };
}

export function createTable(table: DeltaTableName, columns: ColumnList, comment: string): Statement {
  const body = columns.map(([name, type]) => `  ${name} ${type}`).join(",\n");
  return {
    kind: "create",
    sql: `${tag("create")} CREATE TABLE IF NOT EXISTS ${table.quoted} (\n${body}\n) USING DELTA COMMENT '${comment.replaceAll("'", "")}'`,
    parameters: [],
  };
}

export function addColumns(table: DeltaTableName, columns: ColumnList): Statement {
  return { kind: "alter", sql: `${tag("alter")} ALTER TABLE ${table.quoted} ADD COLUMNS (${columns.map(([name, type]) => `${name} ${type}`).join(", ")})`, parameters: [] };
}

const structType = (columns: ColumnList) => `ARRAY<STRUCT<${columns.map(([name]) => `${name}: STRING`).join(", ")}>>`;
/** The insert list of a MERGE: each text value cast to the target column's type (an existing table's, when known). */
const castValues = (columns: ColumnList, targetTypes: Map<string, string>) =>
  columns.map(([name, type]) => {
    const target = targetTypes.get(name) ?? type;
    return target === "STRING" ? `s.${name}` : `CAST(s.${name} AS ${target})`;
  });

/**
 * Insert-only MERGE of a batch of events on `id` (a key derived from the event's identity, the same on every server
 * and after a redeploy): a retried batch inserts nothing twice. Source rows are de-duplicated first (ROW_NUMBER), since
 * Delta refuses a MERGE whose source has two rows for one key.
 */
export function mergeEvents(table: DeltaTableName, rows: Record<string, string | null>[], targetTypes: Map<string, string> = new Map()): Statement {
  const names = EVENT_COLUMNS.map(([name]) => name);
  const sql = `${tag("merge-events")} MERGE INTO ${table.quoted} AS t
USING (
  SELECT ${names.join(", ")} FROM (
    SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.id ORDER BY r.received_at) AS row_rank
    FROM (SELECT inline(from_json(:rows, '${structType(EVENT_COLUMNS)}'))) AS r
  ) WHERE row_rank = 1
) AS s
ON t.id = s.id
WHEN NOT MATCHED THEN INSERT (${names.join(", ")}) VALUES (${castValues(EVENT_COLUMNS, targetTypes).join(", ")})`;
  return { kind: "merge-events", sql, parameters: [{ name: "rows", value: JSON.stringify(rows) }] };
}

/** Latest version per (user_id, data_type, document_id): newer updated_at wins, a retried batch changes nothing. */
export function mergeDocuments(table: DeltaTableName, rows: Record<string, string | null>[]): Statement {
  const names = DOCUMENT_COLUMNS.map(([name]) => name);
  const values = castValues(DOCUMENT_COLUMNS, new Map());
  const sql = `${tag("merge-documents")} MERGE INTO ${table.quoted} AS t
USING (
  SELECT ${names.join(", ")} FROM (
    SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.user_id, r.data_type, r.document_id ORDER BY r.updated_at DESC) AS row_rank
    FROM (SELECT inline(from_json(:rows, '${structType(DOCUMENT_COLUMNS)}'))) AS r
  ) WHERE row_rank = 1
) AS s
ON t.user_id = s.user_id AND t.data_type = s.data_type AND t.document_id = s.document_id
WHEN MATCHED AND (t.updated_at IS NULL OR t.updated_at <= CAST(s.updated_at AS TIMESTAMP)) THEN UPDATE SET ${names.slice(3).map((name, i) => `${name} = ${values[i + 3]}`).join(", ")}
WHEN NOT MATCHED THEN INSERT (${names.join(", ")}) VALUES (${values.join(", ")})`;
  return { kind: "merge-documents", sql, parameters: [{ name: "rows", value: JSON.stringify(rows) }] };
}

/** Insert-only MERGE of heart-rate samples on (user_id, timestamp). */
export function mergeHeartRate(table: DeltaTableName, rows: Record<string, string | null>[]): Statement {
  const names = HEART_RATE_COLUMNS.map(([name]) => name);
  const sql = `${tag("merge-heartrate")} MERGE INTO ${table.quoted} AS t
USING (
  SELECT ${names.join(", ")} FROM (
    SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.user_id, r.measured_at ORDER BY r.bpm) AS row_rank
    FROM (SELECT inline(from_json(:rows, '${structType(HEART_RATE_COLUMNS)}'))) AS r
  ) WHERE row_rank = 1
) AS s
ON t.user_id = s.user_id AND t.measured_at = CAST(s.measured_at AS TIMESTAMP)
WHEN NOT MATCHED THEN INSERT (${names.join(", ")}) VALUES (${castValues(HEART_RATE_COLUMNS, new Map()).join(", ")})`;
  return { kind: "merge-heartrate", sql, parameters: [{ name: "rows", value: JSON.stringify(rows) }] };
}

/** One user's encrypted token row; only a higher token_version replaces what is there (single-use rotation). */
export function mergeToken(table: DeltaTableName, row: Record<string, string | null>): Statement {
  const names = TOKEN_COLUMNS.map(([name]) => name);
  const values = castValues(TOKEN_COLUMNS, new Map());
  const sql = `${tag("merge-token")} MERGE INTO ${table.quoted} AS t
USING (SELECT ${names.map((name) => `:${name} AS ${name}`).join(", ")}) AS s
ON t.user_id = s.user_id
WHEN MATCHED AND t.token_version < CAST(s.token_version AS BIGINT) THEN UPDATE SET ${names.slice(1).map((name, i) => `${name} = ${values[i + 1]}`).join(", ")}
WHEN NOT MATCHED THEN INSERT (${names.join(", ")}) VALUES (${values.join(", ")})`;
  return { kind: "merge-token", sql, parameters: names.map((name) => ({ name, value: row[name] ?? null })) };
}

/**
 * Claims or renews the lease `name` for `holder`, in one atomic MERGE timed by the warehouse's clock (the servers'
 * clocks never meet): it takes the row when it is free (expired, or released) or already this holder's, and leaves it
 * alone otherwise. Who holds it afterwards is read back with selectLease. Two claims at once: Delta commits one and
 * fails the other as a concurrent modification, which is retried and then finds the row taken.
 */
export function mergeLease(table: DeltaTableName, claim: { name: string; holder: string; host: string; pid: number; ttlMs: number }): Statement {
  const sql = `${tag("merge-lease")} MERGE INTO ${table.quoted} AS t
USING (SELECT :name AS name, :holder AS holder, :host AS host, CAST(:pid AS BIGINT) AS pid, current_timestamp() AS now,
  timestampadd(MILLISECOND, CAST(:ttl_ms AS BIGINT), current_timestamp()) AS expires_at) AS s
ON t.name = s.name
WHEN MATCHED AND (t.holder = s.holder OR t.expires_at <= s.now) THEN UPDATE SET holder = s.holder, host = s.host, pid = s.pid,
  acquired_at = CASE WHEN t.holder = s.holder AND t.expires_at > s.now THEN t.acquired_at ELSE s.now END, expires_at = s.expires_at
WHEN NOT MATCHED THEN INSERT (name, holder, host, pid, acquired_at, expires_at) VALUES (s.name, s.holder, s.host, s.pid, s.now, s.expires_at)`;
  return {
    kind: "merge-lease",
    sql,
    parameters: [
      { name: "name", value: claim.name },
      { name: "holder", value: claim.holder },
      { name: "host", value: claim.host },
      { name: "pid", value: String(claim.pid) },
      { name: "ttl_ms", value: String(Math.round(claim.ttlMs)) },
    ],
  };
}

/** Ends `holder`'s lease now (the row stays, expired, naming the last holder); a lease another server holds is left alone. */
export function releaseLease(table: DeltaTableName, name: string, holder: string): Statement {
  const sql = `${tag("release-lease")} MERGE INTO ${table.quoted} AS t
USING (SELECT :name AS name, :holder AS holder, current_timestamp() AS now) AS s
ON t.name = s.name AND t.holder = s.holder
WHEN MATCHED AND t.expires_at > s.now THEN UPDATE SET expires_at = s.now`;
  return { kind: "release-lease", sql, parameters: [{ name: "name", value: name }, { name: "holder", value: holder }] };
}

/** The lease row and the warehouse's own time, so what is left of a lease is measured on one clock. */
export function selectLease(table: DeltaTableName, name: string): Statement {
  const iso = (expression: string) => `date_format(${expression}, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX")`;
  const sql = `${tag("select-lease")} SELECT holder, host, CAST(pid AS STRING) AS pid, ${iso("acquired_at")} AS acquired_at, ${iso("expires_at")} AS expires_at,
  ${iso("current_timestamp()")} AS now
FROM ${table.quoted}
WHERE name = :name`;
  return { kind: "select-lease", sql, parameters: [{ name: "name", value: name }] };
}

export function selectTokens(table: DeltaTableName): Statement {
  const names = TOKEN_COLUMNS.map(([name]) => name);
  return { kind: "select-tokens", sql: `${tag("select-tokens")} SELECT ${names.join(", ")} FROM ${table.quoted}`, parameters: [] };
}

/** A page of events received since `since`, in (received_at, id) order, after the last row of the previous page. */
export function selectEventsSince(table: DeltaTableName, since: string, after: { receivedAt: string; id: string } | undefined, limit: number): Statement {
  const names = EVENT_COLUMNS.map(([name]) => name);
  const sql = `${tag("select-events")} SELECT ${names.map((name) => (name === "received_at" || name === "event_time" ? `date_format(${name}, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX") AS ${name}` : name)).join(", ")}
FROM ${table.quoted}
WHERE received_at >= CAST(:since AS TIMESTAMP)
  AND (received_at > CAST(:after_received_at AS TIMESTAMP) OR (received_at = CAST(:after_received_at AS TIMESTAMP) AND id > :after_id))
ORDER BY received_at, id
LIMIT :limit`;
  return {
    kind: "select-events",
    sql,
    parameters: [
      { name: "since", value: since },
      { name: "after_received_at", value: after?.receivedAt ?? since },
      { name: "after_id", value: after?.id ?? "" },
      { name: "limit", value: String(limit), type: "INT" },
    ],
  };
}

/** A page of documents updated since `since`, in (updated_at, user_id, data_type, document_id) order. */
export function selectDocumentsSince(table: DeltaTableName, since: string, offset: number, limit: number): Statement {
  const sql = `${tag("select-documents")} SELECT user_id, data_type, document_id, CAST(day AS STRING) AS day, payload, CAST(deleted AS STRING) AS deleted,
  date_format(updated_at, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX") AS updated_at
FROM ${table.quoted}
WHERE updated_at >= CAST(:since AS TIMESTAMP)
ORDER BY updated_at, user_id, data_type, document_id
LIMIT :limit OFFSET :offset`;
  return {
    kind: "select-documents",
    sql,
    parameters: [
      { name: "since", value: since },
      { name: "limit", value: String(limit), type: "INT" },
      { name: "offset", value: String(offset), type: "INT" },
    ],
  };
}

/** An insert-only MERGE of nothing: proves the principal may modify the table, and changes no row. */
export function probeModify(table: DeltaTableName): Statement {
  const sql = `${tag("probe-modify")} MERGE INTO ${table.quoted} AS t
USING (SELECT CAST(NULL AS STRING) AS id WHERE 1 = 0) AS s
ON t.id = s.id
WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)`;
  return { kind: "probe-modify", sql, parameters: [] };
}
