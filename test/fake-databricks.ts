// A fake Databricks workspace that speaks the real protocol over HTTP on 127.0.0.1: the SQL Statement Execution API 2.0
// (execute, poll, cancel) on one SQL warehouse, and the OAuth M2M token endpoint. It runs exactly the statements of
// src/databricks/sql.ts, recognised by their tag comment (`/* oura-streaming:<kind> */`), against in-memory Delta
// tables, with the real API's answer shapes and error messages. Tests inject faults (HTTP errors, FAILED/CLOSED
// statements, warehouses that stay PENDING, answers lost after the statement ran) and can take it off the network.
// Lease MERGEs see Delta's optimistic concurrency: one whose table another statement changed after it was submitted
// fails as a concurrent modification (so of two claims at once, one commits and the other is retried).
import { DOCUMENT_COLUMNS, EVENT_COLUMNS, LEASE_COLUMNS, TOKEN_COLUMNS } from "../src/databricks/sql.ts";

export type Row = Record<string, string | null>;
export interface Column {
  name: string;
  type: string;
}
export interface Table {
  columns: Column[];
  rows: Row[];
}

export type StatementState = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "CLOSED";

/** Applied to the next POST /statements (of `kind`, when given; statements of other kinds pass it by). */
export type Fault = { kind?: string } & (
  | { type: "http"; status: number; retryAfter?: number; body?: object }
  | { type: "failed"; message: string; errorCode?: string }
  | { type: "closed" }
  | { type: "pending"; polls: number }
  | { type: "lost-answer" }
  | { type: "slow"; ms: number }
);

export interface Parameter {
  name: string;
  value?: string | null;
  type?: string;
}

export interface RecordedStatement {
  kind: string;
  statement: string;
  parameters: Parameter[];
  warehouseId: string | undefined;
  at: number;
  /** The statement's state (its final one, once it ends), "lost-answer", or "http <status>" when the POST was refused. */
  outcome: string;
  statementId?: string;
}

export interface FakeDatabricksOptions {
  warehouseId?: string;
  /** The personal access token accepted as a Bearer token. */
  token?: string;
  /** The service principal of the M2M endpoint (/oidc/v1/token). */
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of M2M tokens (expires_in). */
  tokenSeconds?: number;
  /** Whether the principal has CAN USE on the warehouse (403 otherwise). */
  canUse?: boolean;
  /** Whether the principal has MODIFY on the tables (MERGE and ALTER fail otherwise). */
  canModify?: boolean;
  /** How long every POST /statements takes before it runs and answers. */
  latencyMs?: number;
  /** The longest a POST waits for a statement that stays PENDING (wait_timeout is honoured up to this, to keep tests fast). */
  pendingWaitCapMs?: number;
  /**
   * Benchmarks: MERGEs succeed without unpacking or keeping their rows, so the fake costs about what a remote warehouse
   * costs the machine (nothing) rather than competing for its cores with the load generator.
   */
  sink?: boolean;
}

interface SqlError {
  error_code: string;
  message: string;
  sql_state?: string;
}

interface ResultSet {
  columns: Column[];
  rows: (string | null)[][];
}

interface Execution {
  id: string;
  kind: string;
  text: string;
  parameters: Parameter[];
  state: StatementState;
  error?: SqlError;
  result?: ResultSet;
  /** GET polls still to answer PENDING before the statement runs (a "pending" fault). */
  pendingPolls: number;
  /** A "closed" fault: the statement runs, then ends CLOSED. */
  closeWhenDone: boolean;
  record: RecordedStatement;
  /** The version of the statement's table when it was submitted (what Delta's optimistic concurrency checks against). */
  snapshot: number;
}

/** A statement that fails: answered as state FAILED with this error. */
class SqlFailure extends Error {
  constructor(
    message: string,
    readonly sqlState?: string,
    readonly errorCode = "BAD_REQUEST",
  ) {
    super(message);
  }
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const apiError = (status: number, error_code: string, message: string) => json({ error_code, message }, status);
const random = () => Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64url");
const names = (columns: readonly (readonly [string, string])[]) => columns.map(([name]) => name);
const TERMINAL = new Set<StatementState>(["SUCCEEDED", "FAILED", "CANCELED", "CLOSED"]);
const INTEGER_TYPES = new Set(["INT", "INTEGER", "BIGINT", "LONG", "SMALLINT", "TINYINT"]);

// ---- SQL text helpers ----

/** The statement with string literals and comments blanked: what remains are identifiers, keywords and markers. */
export function codeOf(sql: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const char = sql[i]!;
    if (char === "'" || char === '"') {
      let end = i + 1;
      while (end < sql.length && sql[end] !== char) end += sql[end] === "\\" ? 2 : 1;
      out += " ";
      i = end + 1;
    } else if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      out += " ";
      i = end < 0 ? sql.length : end + 2;
    } else if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end;
    } else if (char === "`") {
      const end = sql.indexOf("`", i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else {
      out += char;
      i++;
    }
  }
  return out;
}

const IDENTIFIER_PART = /`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*)/g;
const TABLE_REFERENCE = /\b(?:DESCRIBE\s+TABLE|CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS|ALTER\s+TABLE|MERGE\s+INTO|FROM)\s+((?:`[^`]+`|[A-Za-z_]\w*)(?:\.(?:`[^`]+`|[A-Za-z_]\w*))*)/i;

/** `main`.`oura`.`events`, main.oura.events → main.oura.events (identifiers are case-insensitive). */
export function tableKey(reference: string): string {
  return [...reference.matchAll(IDENTIFIER_PART)].map((match) => (match[1] ?? match[2]!).toLowerCase()).join(".");
}

const quoted = (key: string) => key.split(".").map((part) => `\`${part}\``).join(".");

/** The text inside the parenthesis that opens at or after `from`, up to its matching close. */
function parenthesised(code: string, from: number): string | undefined {
  const open = code.indexOf("(", from);
  if (open < 0) return undefined;
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === "(") depth++;
    if (code[i] === ")" && --depth === 0) return code.slice(open + 1, i);
  }
  return undefined;
}

/** Splits on commas outside parentheses and angle brackets (DECIMAL(10,2), STRUCT<a: INT, b: INT>). */
function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const char = list[i];
    if (char === "(" || char === "<") depth++;
    if (char === ")" || char === ">") depth--;
    if (char === "," && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts.map((part) => part.trim()).filter(Boolean);
}

/** `name TYPE [NOT NULL] [COMMENT ...]` definitions, as in CREATE TABLE and ADD COLUMNS. */
function columnDefinitions(list: string): Column[] {
  return splitTopLevel(list).map((definition) => {
    const match = definition.match(/^(`[^`]+`|\w+)\s+(.+)$/s);
    if (!match) throw new SqlFailure(`[PARSE_SYNTAX_ERROR] Syntax error at or near '${definition}'. SQLSTATE: 42601`, "42601");
    const type = match[2]!.split(/\s+(?:NOT\s+NULL|COMMENT|DEFAULT|GENERATED)\b/i)[0]!.trim();
    return { name: match[1]!.replaceAll("`", ""), type: type.toUpperCase() };
  });
}

/** The column list of `INSERT (a, b, ...)`, if the statement has one. */
function insertColumns(code: string): string[] | undefined {
  const match = code.match(/\bINSERT\s*\(([^)]*)\)/i);
  return match ? match[1]!.split(",").map((name) => name.trim().replaceAll("`", "")).filter(Boolean) : undefined;
}

/** Named markers (`:name`) of the statement; `::` casts are not markers. */
function markers(code: string): Set<string> {
  return new Set([...code.matchAll(/(?<![:\w]):([a-zA-Z_][a-zA-Z0-9_]*)/g)].map((match) => match[1]!));
}

// ---- values ----

const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Milliseconds of a timestamp as Spark reads one (no zone means UTC, the warehouse's session zone), else NaN. */
export function timestampMs(text: string | null | undefined): number {
  if (text == null || !TIMESTAMP_TEXT.test(text.trim())) return NaN;
  let value = text.trim().replace(" ", "T");
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) value += "T00:00:00";
  if (!/(?:Z|[+-]\d{2}(?::?\d{2})?)$/.test(value.slice(10))) value += "Z";
  return Date.parse(value);
}

function castable(value: string, type: string): boolean {
  const base = type.toUpperCase().replace(/\(.*$/, "");
  if (INTEGER_TYPES.has(base)) return /^\s*[+-]?\d+\s*$/.test(value);
  if (base === "DOUBLE" || base === "FLOAT" || base === "DECIMAL") return value.trim() !== "" && Number.isFinite(Number(value));
  if (base === "BOOLEAN") return /^\s*(true|false|t|f|yes|no|y|n|1|0)\s*$/i.test(value);
  if (base === "DATE") return /^\s*\d{4}-\d{2}-\d{2}\s*$/.test(value) && Number.isFinite(timestampMs(value));
  if (base === "TIMESTAMP" || base === "TIMESTAMP_NTZ") return Number.isFinite(timestampMs(value));
  return true;
}

function checkCast(value: string | null | undefined, type: string): void {
  if (value == null || castable(value, type)) return;
  throw new SqlFailure(
    `[CAST_INVALID_INPUT] The value '${value}' of the type "STRING" cannot be cast to "${type.toUpperCase()}" because it is malformed. Correct the value as per the syntax, or change its target type. SQLSTATE: 22018`,
    "22018",
  );
}

/** Timestamps in time order (unparseable text after, compared as text). */
function compareTimestamps(a: string | null | undefined, b: string | null | undefined): number {
  const [x, y] = [timestampMs(a), timestampMs(b)];
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return String(a ?? "").localeCompare(String(b ?? ""));
}

const compareText = (a: string | null | undefined, b: string | null | undefined) => (a ?? "") < (b ?? "") ? -1 : (a ?? "") > (b ?? "") ? 1 : 0;

/** What date_format(x, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX") prints in a UTC session. */
const formatTimestamp = (value: string | null) => {
  const ms = timestampMs(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : value;
};

/** The manifest's type_name for a SQL type (BIGINT is LONG, as the API names it). */
function typeName(type: string): string {
  const base = type.toUpperCase().replace(/[(<].*$/s, "");
  return ({ BIGINT: "LONG", INTEGER: "INT", SMALLINT: "SHORT", TINYINT: "BYTE", VARCHAR: "STRING", CHAR: "STRING" } as Record<string, string>)[base] ?? base;
}

// ---- failures with the warehouse's messages ----

const tableNotFound = (key: string) =>
  new SqlFailure(
    `[TABLE_OR_VIEW_NOT_FOUND] The table or view ${quoted(key)} cannot be found. Verify the spelling and correctness of the schema and catalog.\nIf you did not qualify the name with a schema, verify the current_schema() output, or qualify the name with the correct schema and catalog.\nTo tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS. SQLSTATE: 42P01`,
    "42P01",
  );
const unresolvedColumn = (key: string, column: string, table: Table) =>
  new SqlFailure(
    `[UNRESOLVED_COLUMN] A column, variable, or function parameter with name \`${column}\` cannot be resolved. Did you mean one of the following? [${table.columns.map((c) => `\`${c.name}\``).join(", ")}] (table ${quoted(key)}). SQLSTATE: 42703`,
    "42703",
  );
const noModify = (key: string) =>
  new SqlFailure(`[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have MODIFY on Table '${key}'. SQLSTATE: 42501`, "42501", "PERMISSION_DENIED");
const concurrentUpdate = () =>
  new SqlFailure(
    "[DELTA_CONCURRENT_APPEND] ConcurrentAppendException: Files were added to the root of the table by a concurrent update. Please try the operation again. SQLSTATE: 2D521",
    "2D521",
  );
const duplicateSourceRows = () =>
  new SqlFailure(
    "[DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE] Cannot perform Merge as multiple source rows matched and attempted to modify the same target row in the Delta table in possibly conflicting ways. SQLSTATE: 21506",
    "21506",
  );

// ---- the fake ----

export class FakeDatabricks {
  readonly warehouseId: string;
  readonly token: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenSeconds: number;
  canUse: boolean;
  canModify: boolean;
  latencyMs: number;
  readonly sink: boolean;
  pendingWaitCapMs: number;
  /** While true every statement stays PENDING (a stopped warehouse starting); once false, they run at the next poll. */
  warehouseStopped = false;
  readonly tables = new Map<string, Table>();
  readonly faults: Fault[] = [];
  readonly statements: RecordedStatement[] = [];
  readonly counters = { statements: 0, executed: 0, tokensIssued: 0, tokenWrites: 0, polls: 0, cancels: 0, leaseConflicts: 0 };
  /** Commits per table (key), as Delta versions them: what a lease MERGE's snapshot is compared with. */
  private readonly versions = new Map<string, number>();
  private readonly executions = new Map<string, Execution>();
  /** M2M access token → expiry (ms of the fake's clock). */
  private readonly issuedTokens = new Map<string, number>();
  private clockOffsetMs = 0;
  private server?: ReturnType<typeof Bun.serve>;
  private port?: number;

  constructor(options: FakeDatabricksOptions = {}) {
    this.warehouseId = options.warehouseId ?? "abcdef1234567890";
    this.token = options.token ?? "dapi-fake-token-0123456789";
    this.clientId = options.clientId ?? "fake-sp-client";
    this.clientSecret = options.clientSecret ?? "fake-sp-secret";
    this.tokenSeconds = options.tokenSeconds ?? 3600;
    this.canUse = options.canUse ?? true;
    this.canModify = options.canModify ?? true;
    this.latencyMs = options.latencyMs ?? 0;
    this.sink = options.sink ?? false;
    this.pendingWaitCapMs = options.pendingWaitCapMs ?? 50;
  }

  get url(): string {
    if (this.port === undefined) throw new Error("FakeDatabricks: not started");
    return `http://127.0.0.1:${this.port}`;
  }

  start(port = 0): this {
    this.server = Bun.serve({ hostname: "127.0.0.1", port, fetch: (request) => this.handle(request) });
    this.port = this.server.port;
    return this;
  }

  stop(): void {
    this.server?.stop(true);
    this.server = undefined;
  }

  /** Off the network: connections to its port are refused until setOn(). Tables and statements are kept. */
  setOff(): void {
    this.stop();
  }

  /** Listens again on the same port. */
  setOn(): void {
    if (!this.server) this.start(this.port ?? 0);
  }

  /** Environment that points the server under test at this fake: a PAT, or (m2m) the service principal's credentials. */
  env(auth: "pat" | "m2m" = "pat"): Record<string, string> {
    const credentials: Record<string, string> = auth === "pat" ? { DATABRICKS_TOKEN: this.token } : { DATABRICKS_CLIENT_ID: this.clientId, DATABRICKS_CLIENT_SECRET: this.clientSecret };
    return {
      STORAGE_BACKEND: "warehouse",
      DATABRICKS_HOST: this.url,
      DATABRICKS_HTTP_PATH: `/sql/1.0/warehouses/${this.warehouseId}`,
      ...credentials,
      DELTA_TABLE: "main.oura.events",
    };
  }

  /** The fake's clock (M2M token expiry): the wall clock plus whatever advanceClock() added. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  table(name: string): Table | undefined {
    return this.tables.get(tableKey(name));
  }

  rows(name: string): Row[] {
    return this.table(name)?.rows ?? [];
  }

  /** Seeds a table (replacing one of that name), e.g. one the original product made with its six columns. */
  createTable(name: string, columns: Column[], rows: Row[] = []): Table {
    const table: Table = { columns: columns.map((column) => ({ ...column })), rows: rows.map((row) => ({ ...row })) };
    this.tables.set(tableKey(name), table);
    return table;
  }

  // ---- HTTP ----

  private async handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/oidc/v1/token" && request.method === "POST") return this.issueToken(request);
    if (path === "/api/2.0/sql/statements" && request.method === "POST") return this.submit(request);
    const match = path.match(/^\/api\/2\.0\/sql\/statements\/([^/]+)(\/cancel)?$/);
    if (match && (request.method === (match[2] ? "POST" : "GET"))) {
      const denied = this.authenticate(request);
      if (denied) return denied;
      return match[2] ? this.cancel(match[1]!) : this.poll(match[1]!);
    }
    return apiError(404, "ENDPOINT_NOT_FOUND", `No API found for '${request.method} ${path}'`);
  }

  private async issueToken(request: Request): Promise<Response> {
    const basic = request.headers.get("authorization")?.match(/^Basic\s+(.+)$/i)?.[1];
    const [id, secret] = basic ? splitOnce(Buffer.from(basic, "base64").toString("utf8"), ":") : [];
    if (!id || !secret || safeDecode(id) !== this.clientId || safeDecode(secret) !== this.clientSecret) {
      return json({ error: "invalid_client", error_description: "Client authentication failed" }, 401);
    }
    if (!request.headers.get("content-type")?.includes("application/x-www-form-urlencoded")) {
      return json({ error: "invalid_request", error_description: "Expected a form body" }, 400);
    }
    const form = new URLSearchParams(await request.text());
    if (form.get("grant_type") !== "client_credentials") return json({ error: "unsupported_grant_type" }, 400);
    if (!(form.get("scope") ?? "").split(" ").includes("all-apis")) return json({ error: "invalid_scope" }, 400);
    const token = `fake-m2m-${random()}`;
    this.issuedTokens.set(token, this.now() + this.tokenSeconds * 1000);
    this.counters.tokensIssued++;
    return json({ access_token: token, token_type: "Bearer", expires_in: this.tokenSeconds, scope: "all-apis" });
  }

  private authenticate(request: Request): Response | undefined {
    const token = request.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (!token) return apiError(401, "UNAUTHENTICATED", "Credential was not sent or was of an unsupported type for this API.");
    if (token === this.token) return undefined;
    const expiresAt = this.issuedTokens.get(token);
    if (expiresAt === undefined) return apiError(401, "UNAUTHENTICATED", "Invalid access token.");
    if (expiresAt <= this.now()) return apiError(401, "UNAUTHENTICATED", "Token is expired.");
    return undefined;
  }

  /** The request-level checks of POST /statements: a Response when the request itself is refused. */
  private refusal(request: Request, body: Record<string, unknown>): Response | undefined {
    const denied = this.authenticate(request);
    if (denied) return denied;
    if (typeof body.statement !== "string" || !body.statement) return apiError(400, "BAD_REQUEST", "statement is required");
    const warehouse = body.warehouse_id;
    if (typeof warehouse !== "string" || !warehouse) return apiError(400, "BAD_REQUEST", "warehouse_id is required");
    if (warehouse !== this.warehouseId) return apiError(404, "RESOURCE_DOES_NOT_EXIST", `SQL warehouse ${warehouse} does not exist.`);
    if (!this.canUse) return apiError(403, "PERMISSION_DENIED", `User does not have CAN USE on warehouse ${warehouse}.`);
    if (waitTimeoutMs(body.wait_timeout) === undefined) return apiError(400, "INVALID_PARAMETER_VALUE", "wait_timeout must be 0s or between 5s and 50s");
    const problem = parameterProblem(body.parameters);
    if (problem) return apiError(400, "INVALID_PARAMETER_VALUE", problem);
    return undefined;
  }

  private async submit(request: Request): Promise<Response> {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = await request.json();
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      return apiError(400, "MALFORMED_REQUEST", "Could not parse request object: expected a JSON object");
    }
    const text = typeof body.statement === "string" ? body.statement : "";
    const kind = text.match(/^\s*\/\*\s*oura-streaming:([\w-]+)\s*\*\//)?.[1] ?? "untagged";
    const snapshot = this.versions.get(tableKey(codeOf(text).match(TABLE_REFERENCE)?.[1] ?? "")) ?? 0;
    const record: RecordedStatement = {
      kind,
      statement: text,
      parameters: Array.isArray(body.parameters) ? (body.parameters as Parameter[]) : [],
      warehouseId: typeof body.warehouse_id === "string" ? body.warehouse_id : undefined,
      at: this.now(),
      outcome: "PENDING",
    };
    this.statements.push(record);
    this.counters.statements++;

    const refused = this.refusal(request, body);
    if (refused) {
      record.outcome = `http ${refused.status}`;
      return refused;
    }
    const fault = this.takeFault(kind);
    if (fault?.type === "http") {
      record.outcome = `http ${fault.status}`;
      const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { "retry-after": String(fault.retryAfter) };
      return json(fault.body ?? defaultErrorBody(fault.status), fault.status, headers);
    }
    if (fault?.type === "slow") await Bun.sleep(fault.ms);
    if (this.latencyMs > 0) await Bun.sleep(this.latencyMs);

    const execution = this.newExecution(kind, text, record.parameters, record, fault, snapshot);
    if (execution.state === "PENDING") await this.waitOnPost(execution, waitTimeoutMs(body.wait_timeout)!, body.on_wait_timeout === "CANCEL");
    if (fault?.type === "lost-answer") {
      record.outcome = "lost-answer";
      return apiError(502, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable. Please try again later.");
    }
    return json(this.statementResponse(execution));
  }

  /** The first fault that applies to a statement of this kind, taken off the queue. */
  private takeFault(kind: string): Fault | undefined {
    const index = this.faults.findIndex((fault) => fault.kind === undefined || fault.kind === kind);
    return index < 0 ? undefined : this.faults.splice(index, 1)[0];
  }

  private newExecution(kind: string, text: string, parameters: Parameter[], record: RecordedStatement, fault: Fault | undefined, snapshot = 0): Execution {
    const execution: Execution = {
      id: crypto.randomUUID(),
      kind,
      text,
      parameters,
      state: "PENDING",
      pendingPolls: fault?.type === "pending" ? fault.polls : 0,
      closeWhenDone: fault?.type === "closed",
      record,
      snapshot,
    };
    record.statementId = execution.id;
    this.executions.set(execution.id, execution);
    if (fault?.type === "failed") this.finish(execution, "FAILED", { error_code: fault.errorCode ?? "BAD_REQUEST", message: fault.message });
    else this.runIfReady(execution);
    return execution;
  }

  /** A statement still PENDING is held for wait_timeout (capped), then answered in whatever state it is. */
  private async waitOnPost(execution: Execution, waitMs: number, cancelOnTimeout: boolean): Promise<void> {
    if (waitMs > 0) await Bun.sleep(Math.min(waitMs, this.pendingWaitCapMs));
    if (execution.pendingPolls === 0) this.runIfReady(execution);
    if (cancelOnTimeout && !TERMINAL.has(execution.state)) this.finish(execution, "CANCELED");
  }

  private poll(id: string): Response {
    this.counters.polls++;
    const execution = this.executions.get(id);
    if (!execution) return apiError(404, "NOT_FOUND", `Statement ${id} not found.`);
    if (execution.state === "PENDING" && !this.warehouseStopped && execution.pendingPolls > 0) execution.pendingPolls--;
    else this.runIfReady(execution);
    return json(this.statementResponse(execution));
  }

  private cancel(id: string): Response {
    this.counters.cancels++;
    const execution = this.executions.get(id);
    if (!execution) return apiError(404, "NOT_FOUND", `Statement ${id} not found.`);
    if (!TERMINAL.has(execution.state)) this.finish(execution, "CANCELED");
    return json({});
  }

  private finish(execution: Execution, state: StatementState, error?: SqlError, result?: ResultSet): void {
    execution.state = state;
    execution.error = error;
    execution.result = result;
    execution.record.outcome = state;
  }

  /** Runs a PENDING statement once the warehouse is up and no forced PENDING polls remain. */
  private runIfReady(execution: Execution): void {
    if (execution.state !== "PENDING" || this.warehouseStopped || execution.pendingPolls > 0) return;
    this.counters.executed++;
    try {
      const result = this.execute(execution.kind, execution.text, execution.parameters, execution.snapshot);
      if (execution.closeWhenDone) this.finish(execution, "CLOSED");
      else this.finish(execution, "SUCCEEDED", undefined, result);
    } catch (error) {
      if (!(error instanceof SqlFailure)) throw error;
      this.finish(execution, execution.closeWhenDone ? "CLOSED" : "FAILED", { error_code: error.errorCode, message: error.message, sql_state: error.sqlState });
    }
  }

  private statementResponse(execution: Execution): Record<string, unknown> {
    const { error_code, message, sql_state } = execution.error ?? {};
    const status = {
      state: execution.state,
      ...(error_code ? { error: { error_code, message } } : {}),
      ...(sql_state ? { sql_state } : {}),
    };
    const response: Record<string, unknown> = { statement_id: execution.id, status };
    if (execution.state !== "SUCCEEDED" || !execution.result) return response;
    const { columns, rows } = execution.result;
    // As the real API does, empty lists are left out: no `columns` for a DDL statement, no `data_array` for no rows.
    const schemaColumns = columns.map((column, position) => ({ name: column.name, position, type_name: typeName(column.type), type_text: column.type.toUpperCase() }));
    response.manifest = {
      format: "JSON_ARRAY",
      schema: { column_count: columns.length, ...(columns.length ? { columns: schemaColumns } : {}) },
      total_row_count: rows.length,
      total_chunk_count: rows.length ? 1 : 0,
      ...(rows.length ? { chunks: [{ chunk_index: 0, row_offset: 0, row_count: rows.length }] } : {}),
      truncated: false,
    };
    response.result = { chunk_index: 0, row_offset: 0, row_count: rows.length, ...(rows.length ? { data_array: rows } : {}) };
    return response;
  }

  // ---- statements ----

  private execute(kind: string, text: string, parameters: Parameter[], snapshot = 0): ResultSet {
    const code = codeOf(text);
    const values = checkParameters(code, parameters);
    const reference = code.match(TABLE_REFERENCE)?.[1];
    const key = reference ? tableKey(reference) : "";
    if (this.sink && kind.startsWith("merge-")) return FakeDatabricks.mergeCounts(0, 0);
    if ((kind === "merge-lease" || kind === "release-lease") && (this.versions.get(key) ?? 0) !== snapshot) {
      this.counters.leaseConflicts++;
      throw concurrentUpdate();
    }
    switch (kind) {
      case "ping":
        return { columns: [{ name: "ok", type: "INT" }], rows: [["1"]] };
      case "describe":
        return this.describe(key);
      case "create":
        return this.create(key, code);
      case "alter":
        return this.alter(key, code);
      case "merge-events":
        return this.mergeEvents(key, code, values);
      case "merge-documents":
        return this.mergeDocuments(key, code, values);
      case "merge-heartrate":
        return this.mergeHeartRate(key, code, values);
      case "merge-token":
        return this.mergeToken(key, code, values);
      case "merge-lease":
        return this.mergeLease(key, code, values);
      case "release-lease":
        return this.releaseLease(key, code, values);
      case "select-lease":
        return this.selectLease(key, values);
      case "select-tokens":
        return this.select(key, code, this.existingTable(key).rows, names(TOKEN_COLUMNS));
      case "select-events":
        return this.selectEvents(key, code, values);
      case "select-documents":
        return this.selectDocuments(key, code, values);
      case "probe-modify":
        return this.probeModify(key, code);
      default:
        throw new SqlFailure(`[PARSE_SYNTAX_ERROR] Syntax error at or near '${text.slice(0, 40)}'. SQLSTATE: 42601`, "42601");
    }
  }

  private existingTable(key: string): Table {
    const table = this.tables.get(key);
    if (!table) throw tableNotFound(key);
    return table;
  }

  /** A table the principal is about to change: it exists and the principal has MODIFY on it. */
  private modifiableTable(key: string): Table {
    const table = this.existingTable(key);
    if (!this.canModify) throw noModify(key);
    return table;
  }

  private requireColumns(key: string, table: Table, columns: string[]): void {
    const present = new Set(table.columns.map((column) => column.name.toLowerCase()));
    const missing = columns.find((column) => !present.has(column.toLowerCase()));
    if (missing !== undefined) throw unresolvedColumn(key, missing, table);
  }

  private describe(key: string): ResultSet {
    const table = this.existingTable(key);
    return {
      columns: [
        { name: "col_name", type: "STRING" },
        { name: "data_type", type: "STRING" },
        { name: "comment", type: "STRING" },
      ],
      rows: table.columns.map((column) => [column.name, column.type.toLowerCase(), null]),
    };
  }

  private create(key: string, code: string): ResultSet {
    if (!this.tables.has(key)) {
      const reference = code.match(TABLE_REFERENCE)!;
      const columns = columnDefinitions(parenthesised(code, reference.index! + reference[0].length) ?? "");
      this.tables.set(key, { columns, rows: [] });
    }
    return { columns: [], rows: [] };
  }

  private alter(key: string, code: string): ResultSet {
    const table = this.modifiableTable(key);
    const list = code.match(/\bADD\s+COLUMNS\b/i);
    if (!list) throw new SqlFailure("[PARSE_SYNTAX_ERROR] Syntax error: only ALTER TABLE ... ADD COLUMNS is supported by the fake. SQLSTATE: 42601", "42601");
    const added = columnDefinitions(parenthesised(code, list.index! + list[0].length) ?? "");
    const taken = new Set(table.columns.map((column) => column.name.toLowerCase()));
    for (const column of added) {
      if (taken.has(column.name.toLowerCase())) {
        throw new SqlFailure(`[FIELDS_ALREADY_EXISTS] Cannot add column, because \`${column.name}\` already exists in ${quoted(key)}. SQLSTATE: 42710`, "42710");
      }
      taken.add(column.name.toLowerCase());
    }
    table.columns.push(...added);
    for (const row of table.rows) for (const column of added) row[column.name] = null;
    return { columns: [], rows: [] };
  }

  /** The batch of a MERGE: the `rows` parameter, a JSON array of objects, checked against the statement's casts. */
  private sourceRows(code: string, values: Map<string, string | null>): Row[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values.get("rows") ?? "null");
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || parsed.some((row) => typeof row !== "object" || row === null || Array.isArray(row))) {
      throw new SqlFailure("[MALFORMED_RECORD_IN_PARSING] Malformed records are detected in record parsing: the rows parameter is not a JSON array of objects. SQLSTATE: 22023", "22023");
    }
    const rows = parsed.map((row: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(row).map(([name, value]) => [name, value === null || value === undefined ? null : String(value)])),
    );
    for (const row of rows) checkSourceCasts(code, row);
    return rows;
  }

  /** One row per key: ROW_NUMBER() … = 1 keeps the first in `better` order; without it, Delta refuses duplicates. */
  private deduplicate(code: string, rows: Row[], keyOf: (row: Row) => string | undefined, better: (a: Row, b: Row) => boolean): Row[] {
    const kept = new Map<string, Row>();
    const unkeyed: Row[] = [];
    for (const row of rows) {
      const key = keyOf(row);
      if (key === undefined) unkeyed.push(row);
      else if (!kept.has(key)) kept.set(key, row);
      else if (!/ROW_NUMBER\s*\(\s*\)/i.test(code)) throw duplicateSourceRows();
      else if (better(row, kept.get(key)!)) kept.set(key, row);
    }
    return [...kept.values(), ...unkeyed];
  }

  /** A new target row: the INSERT list's columns from the source, null elsewhere. */
  private static inserted(table: Table, insert: string[], source: Row): Row {
    const listed = new Set(insert.map((name) => name.toLowerCase()));
    return Object.fromEntries(table.columns.map((column) => [column.name, listed.has(column.name.toLowerCase()) ? (source[column.name] ?? null) : null]));
  }

  private static mergeCounts(inserted: number, updated: number): ResultSet {
    const columns = ["num_affected_rows", "num_updated_rows", "num_deleted_rows", "num_inserted_rows"].map((name) => ({ name, type: "BIGINT" }));
    return { columns, rows: [[String(inserted + updated), String(updated), "0", String(inserted)]] };
  }

  private mergeEvents(key: string, code: string, values: Map<string, string | null>): ResultSet {
    const table = this.modifiableTable(key);
    const insert = insertColumns(code) ?? table.columns.map((column) => column.name);
    this.requireColumns(key, table, insert);
    const source = this.deduplicate(
      code,
      this.sourceRows(code, values),
      (row) => row.id ?? undefined,
      (a, b) => compareTimestamps(a.received_at, b.received_at) < 0,
    );
    const present = new Set(table.rows.map((row) => row.id));
    const fresh = source.filter((row) => row.id == null || !present.has(row.id));
    table.rows.push(...fresh.map((row) => FakeDatabricks.inserted(table, insert, row)));
    return FakeDatabricks.mergeCounts(fresh.length, 0);
  }

  /** Insert-only on (user_id, measured_at), compared as instants. */
  private mergeHeartRate(key: string, code: string, values: Map<string, string | null>): ResultSet {
    const table = this.modifiableTable(key);
    const insert = insertColumns(code) ?? table.columns.map((column) => column.name);
    this.requireColumns(key, table, insert);
    const keyOf = (row: Row) => (row.user_id == null || row.measured_at == null ? undefined : JSON.stringify([row.user_id, timestampMs(row.measured_at)]));
    const source = this.deduplicate(code, this.sourceRows(code, values), keyOf, () => false);
    const present = new Set(table.rows.map(keyOf));
    const fresh = source.filter((row) => !present.has(keyOf(row)));
    table.rows.push(...fresh.map((row) => FakeDatabricks.inserted(table, insert, row)));
    return FakeDatabricks.mergeCounts(fresh.length, 0);
  }

  private mergeDocuments(key: string, code: string, values: Map<string, string | null>): ResultSet {
    const table = this.modifiableTable(key);
    const insert = insertColumns(code) ?? table.columns.map((column) => column.name);
    this.requireColumns(key, table, insert);
    const keyOf = (row: Row) =>
      row.user_id == null || row.data_type == null || row.document_id == null ? undefined : JSON.stringify([row.user_id, row.data_type, row.document_id]);
    const source = this.deduplicate(code, this.sourceRows(code, values), keyOf, (a, b) => compareTimestamps(a.updated_at, b.updated_at) > 0);
    const targets = new Map<string, Row>();
    for (const row of table.rows) {
      const rowKey = keyOf(row);
      if (rowKey !== undefined) targets.set(rowKey, row);
    }
    const keyColumns = new Set(["user_id", "data_type", "document_id"]);
    let [inserted, updated] = [0, 0];
    for (const row of source) {
      const rowKey = keyOf(row);
      const target = rowKey === undefined ? undefined : targets.get(rowKey);
      if (!target) {
        table.rows.push(FakeDatabricks.inserted(table, insert, row));
        inserted++;
      } else if (target.updated_at == null || (row.updated_at != null && compareTimestamps(target.updated_at, row.updated_at) <= 0)) {
        for (const name of insert) if (!keyColumns.has(name)) target[name] = row[name] ?? null;
        updated++;
      }
    }
    return FakeDatabricks.mergeCounts(inserted, updated);
  }

  private mergeToken(key: string, code: string, values: Map<string, string | null>): ResultSet {
    const table = this.modifiableTable(key);
    const insert = insertColumns(code) ?? table.columns.map((column) => column.name);
    this.requireColumns(key, table, insert);
    const source: Row = Object.fromEntries(names(TOKEN_COLUMNS).map((name) => [name, values.get(name) ?? null]));
    checkSourceCasts(code, source);
    const target = source.user_id == null ? undefined : table.rows.find((row) => row.user_id === source.user_id);
    if (!target) {
      table.rows.push(FakeDatabricks.inserted(table, insert, source));
      this.counters.tokenWrites++;
      return FakeDatabricks.mergeCounts(1, 0);
    }
    // `t.token_version < CAST(s.token_version AS BIGINT)`: a null on either side is not true, so nothing changes.
    if (target.token_version == null || source.token_version == null || !(Number(target.token_version) < Number(source.token_version))) {
      return FakeDatabricks.mergeCounts(0, 0);
    }
    for (const name of insert) if (name !== "user_id") target[name] = source[name] ?? null;
    this.counters.tokenWrites++;
    return FakeDatabricks.mergeCounts(0, 1);
  }

  /**
   * The selected columns of `rows` in `columns` order. Columns the statement wraps in date_format() come out as the
   * ISO text it asks for, and those it CASTs AS STRING are typed STRING.
   */
  private select(key: string, code: string, rows: Row[], columns: string[]): ResultSet {
    const table = this.existingTable(key);
    this.requireColumns(key, table, columns);
    const typeOf = new Map(table.columns.map((column) => [column.name.toLowerCase(), column.type]));
    const formatted = new Set([...code.matchAll(/date_format\(\s*(\w+)/gi)].map((match) => match[1]!.toLowerCase()));
    const asString = new Set([...code.matchAll(/CAST\(\s*(\w+)\s+AS\s+STRING\s*\)/gi)].map((match) => match[1]!.toLowerCase()));
    const stringish = (name: string) => formatted.has(name.toLowerCase()) || asString.has(name.toLowerCase());
    return {
      columns: columns.map((name) => ({ name, type: stringish(name) ? "STRING" : (typeOf.get(name.toLowerCase()) ?? "STRING") })),
      rows: rows.map((row) => columns.map((name) => (formatted.has(name.toLowerCase()) ? formatTimestamp(row[name] ?? null) : (row[name] ?? null)))),
    };
  }

  private selectEvents(key: string, code: string, values: Map<string, string | null>): ResultSet {
    const table = this.existingTable(key);
    const since = timestampMs(values.get("since"));
    const afterAt = timestampMs(values.get("after_received_at"));
    const afterId = values.get("after_id") ?? null;
    const limit = Number(values.get("limit"));
    const rows = table.rows
      .filter((row) => {
        const at = timestampMs(row.received_at);
        if (!(at >= since)) return false;
        return at > afterAt || (at === afterAt && row.id != null && afterId != null && row.id > afterId);
      })
      .sort((a, b) => compareTimestamps(a.received_at, b.received_at) || compareText(a.id, b.id))
      .slice(0, limit);
    return this.select(key, code, rows, names(EVENT_COLUMNS));
  }

  private selectDocuments(key: string, code: string, values: Map<string, string | null>): ResultSet {
    const table = this.existingTable(key);
    const since = timestampMs(values.get("since"));
    const offset = Number(values.get("offset") ?? 0);
    const limit = Number(values.get("limit"));
    const rows = table.rows
      .filter((row) => timestampMs(row.updated_at) >= since)
      .sort(
        (a, b) =>
          compareTimestamps(a.updated_at, b.updated_at) || compareText(a.user_id, b.user_id) || compareText(a.data_type, b.data_type) || compareText(a.document_id, b.document_id),
      )
      .slice(offset, offset + limit);
    return this.select(key, code, rows, names(DOCUMENT_COLUMNS));
  }

  /** A new version of the table: a lease MERGE submitted before it now conflicts. */
  private committed(key: string): void {
    this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
  }

  /**
   * The claim of sql.ts's mergeLease, on the fake's clock (`current_timestamp()`): taken when missing, free (expired)
   * or already the claimant's. Its match condition is applied only as written: a MERGE without it takes any row.
   */
  private mergeLease(key: string, code: string, values: Map<string, string | null>): ResultSet {
    const table = this.modifiableTable(key);
    this.requireColumns(key, table, names(LEASE_COLUMNS));
    const guarded = /WHEN\s+MATCHED\s+AND\s*\(\s*t\.holder\s*=\s*s\.holder\s+OR\s+t\.expires_at\s*<=\s*s\.now\s*\)/i.test(code);
    const now = this.now();
    const expires = new Date(now + Number(values.get("ttl_ms"))).toISOString();
    const claim = { holder: values.get("holder") ?? null, host: values.get("host") ?? null, pid: values.get("pid") ?? null };
    const target = table.rows.find((row) => row.name === values.get("name"));
    if (!target) {
      table.rows.push({ name: values.get("name") ?? null, ...claim, acquired_at: new Date(now).toISOString(), expires_at: expires });
      this.committed(key);
      return FakeDatabricks.mergeCounts(1, 0);
    }
    const live = timestampMs(target.expires_at) > now;
    if (guarded && target.holder !== claim.holder && live) return FakeDatabricks.mergeCounts(0, 0);
    const renewal = target.holder === claim.holder && live;
    Object.assign(target, claim, { acquired_at: renewal ? target.acquired_at : new Date(now).toISOString(), expires_at: expires });
    this.committed(key);
    return FakeDatabricks.mergeCounts(0, 1);
  }

  private releaseLease(key: string, code: string, values: Map<string, string | null>): ResultSet {
    const table = this.modifiableTable(key);
    this.requireColumns(key, table, ["name", "holder", "expires_at"]);
    const now = this.now();
    const target = table.rows.find((row) => row.name === values.get("name") && row.holder === values.get("holder"));
    if (!target || !(timestampMs(target.expires_at) > now) || !/ON\s+t\.name\s*=\s*s\.name\s+AND\s+t\.holder\s*=\s*s\.holder/i.test(code)) {
      return FakeDatabricks.mergeCounts(0, 0);
    }
    target.expires_at = new Date(now).toISOString();
    this.committed(key);
    return FakeDatabricks.mergeCounts(0, 1);
  }

  private selectLease(key: string, values: Map<string, string | null>): ResultSet {
    const table = this.existingTable(key);
    this.requireColumns(key, table, names(LEASE_COLUMNS));
    const now = new Date(this.now()).toISOString();
    const columns = ["holder", "host", "pid", "acquired_at", "expires_at", "now"].map((name) => ({ name, type: "STRING" }));
    const rows = table.rows
      .filter((row) => row.name === values.get("name"))
      .map((row) => [row.holder ?? null, row.host ?? null, row.pid ?? null, formatTimestamp(row.acquired_at ?? null), formatTimestamp(row.expires_at ?? null), now]);
    return { columns, rows };
  }

  private probeModify(key: string, code: string): ResultSet {
    const table = this.modifiableTable(key);
    this.requireColumns(key, table, insertColumns(code) ?? []);
    return FakeDatabricks.mergeCounts(0, 0);
  }
}

// ---- request checks ----

function splitOnce(text: string, separator: string): [string, string] | [] {
  const at = text.indexOf(separator);
  return at < 0 ? [] : [text.slice(0, at), text.slice(at + 1)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}

/** wait_timeout in ms ("0s", or "5s".."50s"; default 10s), or undefined when invalid. */
function waitTimeoutMs(value: unknown): number | undefined {
  if (value === undefined) return 10_000;
  const seconds = typeof value === "string" ? value.match(/^(\d+)s$/)?.[1] : undefined;
  if (seconds === undefined) return undefined;
  const n = Number(seconds);
  return n === 0 || (n >= 5 && n <= 50) ? n * 1000 : undefined;
}

/** Why a `parameters` list is not one the API accepts: [{name, value?: string|null, type?: scalar type}]. */
function parameterProblem(parameters: unknown): string | undefined {
  if (parameters === undefined) return undefined;
  if (!Array.isArray(parameters)) return "parameters must be a list";
  for (const parameter of parameters as Record<string, unknown>[]) {
    if (typeof parameter !== "object" || parameter === null || typeof parameter.name !== "string" || !parameter.name) return "each parameter needs a name";
    if (parameter.value !== undefined && parameter.value !== null && typeof parameter.value !== "string") return `parameter ${parameter.name}: value must be a string`;
    if (parameter.type !== undefined && typeof parameter.type !== "string") return `parameter ${parameter.name}: type must be a string`;
    if (typeof parameter.type === "string" && /^\s*(ARRAY|MAP|STRUCT)\b/i.test(parameter.type)) return `parameter ${parameter.name}: type ${parameter.type} is not supported`;
  }
  return undefined;
}

/**
 * The statement's parameter values by name, after the warehouse's checks: no positional `?`, every `:name` bound,
 * each value castable to its declared type and to the types the text CASTs it to, LIMIT/OFFSET bound as integers.
 */
function checkParameters(code: string, parameters: Parameter[]): Map<string, string | null> {
  const values = new Map(parameters.map((parameter) => [parameter.name, parameter.value ?? null]));
  const types = new Map(parameters.map((parameter) => [parameter.name, (parameter.type ?? "STRING").toUpperCase()]));
  if (code.includes("?")) {
    throw new SqlFailure("[UNBOUND_SQL_PARAMETER] Found the unbound parameter: ?. Positional parameters are not supported; use named parameter markers (:name). SQLSTATE: 42P02", "42P02");
  }
  for (const name of markers(code)) {
    if (!values.has(name)) {
      throw new SqlFailure(
        `[UNBOUND_SQL_PARAMETER] Found the unbound parameter: ${name}. Please, fix \`args\` and provide a mapping of the parameter to either a SQL literal or collection constructor functions such as \`map()\`, \`array()\`, \`struct()\`. SQLSTATE: 42P02`,
        "42P02",
      );
    }
  }
  for (const [name, type] of types) checkCast(values.get(name), type);
  for (const match of code.matchAll(/CAST\(\s*:(\w+)\s+AS\s+(\w+)\s*\)/gi)) checkCast(values.get(match[1]!), match[2]!);
  for (const match of code.matchAll(/\b(LIMIT|OFFSET)\s+:(\w+)/gi)) {
    const type = types.get(match[2]!) ?? "STRING";
    if (!INTEGER_TYPES.has(type)) {
      throw new SqlFailure(
        `[INVALID_LIMIT_LIKE_EXPRESSION.DATA_TYPE] The ${match[1]!.toLowerCase()} like expression ":${match[2]}" is invalid. The ${match[1]!.toLowerCase()} expression must be integer type, but got "${type}". SQLSTATE: 42K0E`,
        "42K0E",
      );
    }
  }
  return values;
}

/** Source values go through the statement's `CAST(s.<column> AS <type>)`; a malformed one fails the statement (ANSI mode). */
function checkSourceCasts(code: string, row: Row): void {
  for (const match of code.matchAll(/CAST\(\s*s\.(\w+)\s+AS\s+(\w+)\s*\)/gi)) checkCast(row[match[1]!], match[2]!);
}

function defaultErrorBody(status: number): { error_code: string; message: string } {
  if (status === 429) return { error_code: "RESOURCE_EXHAUSTED", message: "Too many requests. Please try again later." };
  if (status === 503 || status === 502) return { error_code: "TEMPORARILY_UNAVAILABLE", message: "The service is temporarily unavailable. Please try again later." };
  if (status === 401) return { error_code: "UNAUTHENTICATED", message: "Invalid access token." };
  if (status === 403) return { error_code: "PERMISSION_DENIED", message: "Permission denied." };
  return { error_code: "INTERNAL_ERROR", message: `Forced HTTP ${status}.` };
}
