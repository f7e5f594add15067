// One statement through the SQL Statement Execution API 2.0, from POST to a terminal state: warehouse_id in the body,
// wait_timeout then polling PENDING/RUNNING, under an overall deadline. 429/5xx and network errors are retried with
// backoff (Retry-After honoured), as are Delta's concurrent-modification conflicts: every statement we send is
// idempotent (insert-only or versioned MERGEs, reads, IF NOT EXISTS), so sending one twice after a lost answer is safe.
import type { WorkspaceCredentials } from "./credentials.ts";
import type { Statement } from "./sql.ts";

export type WarehouseFailure = "unauthenticated" | "permission" | "not_found" | "sql" | "timeout" | "unavailable" | "cancelled";

export class WarehouseError extends Error {
  constructor(
    message: string,
    readonly failure: WarehouseFailure,
    readonly errorCode?: string,
    readonly sqlState?: string,
  ) {
    super(message);
    this.name = "WarehouseError";
  }
}

export interface StatementResult {
  columns: string[];
  rows: (string | null)[][];
}

interface StatementResponse {
  statement_id?: string;
  status?: { state?: string; error?: { error_code?: string; message?: string }; sql_state?: string };
  manifest?: { schema?: { columns?: { name: string }[] }; total_chunk_count?: number };
  result?: { data_array?: (string | null)[][]; next_chunk_index?: number; next_chunk_internal_link?: string };
}

export interface StatementClientOptions {
  host: string;
  warehouseId: string;
  credentials: WorkspaceCredentials;
  fetch?: typeof fetch;
  /** How long one statement may take overall, retries and a cold warehouse included. */
  deadlineMs?: number;
  /** wait_timeout sent with each statement, in seconds (0, or 5 to 50). */
  waitSeconds?: number;
  /** How often a PENDING or RUNNING statement is asked about: first after `firstMs` (200 ms), doubling up to `maxMs` (5 s). */
  polling?: StatementPolling;
  sleep?: (ms: number) => Promise<void>;
  /** Told of each failure that will be retried (so status shows an outage while the statement keeps trying). */
  onRetry?: (error: WarehouseError) => void;
  /** Told while a statement stays PENDING (the warehouse is starting), with the time it has waited. */
  onPending?: (waitedMs: number) => void;
}

export interface StatementPolling {
  firstMs?: number;
  maxMs?: number;
}

const CONCURRENT_MODIFICATION = /Concurrent(Append|Delete(Read|Delete)|Transaction|Modification)|DELTA_CONCURRENT|concurrent update/i;
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const MAX_BACKOFF_MS = 10_000;

export class StatementClient {
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #deadlineMs: number;
  readonly #waitSeconds: number;
  readonly #closing = new AbortController();

  constructor(private readonly options: StatementClientOptions) {
    this.#fetch = options.fetch ?? fetch;
    const sleep = options.sleep ?? Bun.sleep;
    // A sleep between retries ends early when the client is closed (a stopping server does not wait out a backoff).
    this.#sleep = (ms) => Promise.race([sleep(ms), new Promise<void>((resolve) => this.#closing.signal.addEventListener("abort", () => resolve(), { once: true }))]);
    this.#deadlineMs = options.deadlineMs ?? 120_000;
    this.#waitSeconds = options.waitSeconds ?? 10;
  }

  /** Gives up every statement in flight and refuses new ones (at shutdown). */
  close(): void {
    this.#closing.abort();
  }

  /** Runs the statement to SUCCEEDED (or CLOSED, for statements without results); throws a WarehouseError otherwise. */
  async execute(statement: Statement, options: { deadlineMs?: number } = {}): Promise<StatementResult> {
    const deadline = Date.now() + (options.deadlineMs ?? this.#deadlineMs);
    const wantsRows = /^(select|describe|ping)/.test(statement.kind);
    let attempt = 0;
    for (;;) {
      attempt++;
      if (this.#closing.signal.aborted) throw new WarehouseError("the server is stopping", "cancelled");
      try {
        const submittedAt = Date.now();
        const response = await this.#submit(statement, deadline);
        const finished = await this.#untilTerminal(response, deadline, submittedAt);
        const state = finished.status?.state;
        if (state === "SUCCEEDED") return await this.#rows(finished, deadline);
        // CLOSED: it succeeded, but its result is gone. A write is done; a read is asked again.
        if (state === "CLOSED" && !wantsRows) return { columns: [], rows: [] };
        if (state === "CLOSED") throw new WarehouseError("the warehouse closed the statement before its result was read", "unavailable");
        if (state === "CANCELED") throw new WarehouseError("the statement was cancelled on the warehouse", "cancelled");
        const error = finished.status?.error;
        const message = error?.message ?? `the statement ended in state ${state ?? "unknown"}`;
        if (CONCURRENT_MODIFICATION.test(message)) throw new WarehouseError(message, "unavailable", error?.error_code, finished.status?.sql_state);
        throw new WarehouseError(message, "sql", error?.error_code, finished.status?.sql_state);
      } catch (error) {
        const failure = error instanceof WarehouseError ? error : new WarehouseError(`cannot reach ${this.options.host} (${transportFailure(error)})`, "unavailable");
        if (this.#closing.signal.aborted || (failure.failure !== "unavailable" && failure.failure !== "cancelled")) throw failure;
        const waitMs = Math.min(MAX_BACKOFF_MS, retryAfterMs(error) ?? 250 * 2 ** Math.min(attempt - 1, 7));
        if (Date.now() + waitMs >= deadline) throw failure;
        this.options.onRetry?.(failure);
        await this.#sleep(waitMs);
      }
    }
  }

  async #request(path: string, init: { method: string; body?: unknown }, deadline: number): Promise<StatementResponse> {
    let retriedAuth = false;
    for (;;) {
      const token = await this.options.credentials.bearer();
      const response = await this.#fetch(`${this.options.host}${path}`, {
        method: init.method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.any([this.#closing.signal, AbortSignal.timeout(Math.max(1000, Math.min(deadline - Date.now(), this.#waitSeconds * 1000 + 30_000)))]),
      });
      const text = await response.text();
      const body = parseJson(text);
      if (response.ok) return body as StatementResponse;
      const code = typeof body?.error_code === "string" ? body.error_code : undefined;
      const message = typeof body?.message === "string" ? body.message : text.slice(0, 200) || `HTTP ${response.status}`;
      if (response.status === 401 && !retriedAuth) {
        // An M2M token can be revoked before its hour ends: one new token, then give up.
        retriedAuth = true;
        this.options.credentials.invalidate();
        continue;
      }
      if (response.status === 401) throw new WarehouseError(`the workspace refused the credentials (${message})`, "unauthenticated", code);
      if (response.status === 403) throw new WarehouseError(message, "permission", code);
      if (response.status === 404) throw new WarehouseError(message, "not_found", code);
      if (RETRYABLE_STATUS.has(response.status)) throw new RetryableHttpError(`the workspace answered HTTP ${response.status} (${message})`, response.headers.get("retry-after"), code);
      throw new WarehouseError(message, "sql", code);
    }
  }

  #submit(statement: Statement, deadline: number): Promise<StatementResponse> {
    return this.#request(
      "/api/2.0/sql/statements",
      {
        method: "POST",
        body: {
          statement: statement.sql,
          warehouse_id: this.options.warehouseId,
          parameters: statement.parameters.map(({ name, value, type }) => (type ? { name, value, type } : { name, value })),
          wait_timeout: `${this.#waitSeconds}s`,
          on_wait_timeout: "CONTINUE",
          disposition: "INLINE",
          format: "JSON_ARRAY",
        },
      },
      deadline,
    );
  }

  async #untilTerminal(response: StatementResponse, deadline: number, submittedAt: number): Promise<StatementResponse> {
    let current = response;
    let pollMs = this.options.polling?.firstMs ?? 200;
    while (current.status?.state === "PENDING" || current.status?.state === "RUNNING") {
      if (current.status.state === "PENDING") this.options.onPending?.(Date.now() - submittedAt);
      const id = current.statement_id;
      if (!id) throw new WarehouseError("the warehouse answered a pending statement without its id", "unavailable");
      if (Date.now() + pollMs >= deadline) {
        await this.#request(`/api/2.0/sql/statements/${encodeURIComponent(id)}/cancel`, { method: "POST" }, Date.now() + 5000).catch(() => undefined);
        throw new WarehouseError(
          current.status.state === "PENDING"
            ? "the warehouse did not start the statement in time (it is starting from cold, stopped, or overloaded)"
            : "the statement did not finish in time",
          "timeout",
        );
      }
      await this.#sleep(pollMs);
      pollMs = Math.min(pollMs * 2, this.options.polling?.maxMs ?? 5000);
      current = await this.#request(`/api/2.0/sql/statements/${encodeURIComponent(id)}`, { method: "GET" }, deadline);
    }
    return current;
  }

  async #rows(response: StatementResponse, deadline: number): Promise<StatementResult> {
    const columns = response.manifest?.schema?.columns?.map((column) => column.name) ?? [];
    const rows = [...(response.result?.data_array ?? [])];
    let next = response.result?.next_chunk_index;
    while (next !== undefined && response.statement_id) {
      const chunk = (await this.#request(`/api/2.0/sql/statements/${encodeURIComponent(response.statement_id)}/result/chunks/${next}`, { method: "GET" }, deadline)) as StatementResponse["result"];
      rows.push(...(chunk?.data_array ?? []));
      next = chunk?.next_chunk_index;
    }
    return { columns, rows };
  }
}

class RetryableHttpError extends WarehouseError {
  constructor(
    message: string,
    readonly retryAfter: string | null,
    code?: string,
  ) {
    super(message, "unavailable", code);
  }
}

function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof RetryableHttpError) || !error.retryAfter) return undefined;
  const seconds = Number(error.retryAfter);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(error.retryAfter);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** A network failure in a few words: the system's code (ECONNREFUSED, timeout) rather than the runtime's sentence. */
function transportFailure(error: unknown): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return "no answer in time";
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code ? code : (error as Error).message;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Rows as objects keyed by column name. */
export function records(result: StatementResult): Record<string, string | null>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((name, i) => [name, row[i] ?? null])));
}
