// The fake Databricks itself: real fetch against it, with the statements of src/databricks/sql.ts.
import { afterEach, describe, expect, test } from "bun:test";
import { deltaTable, type DeltaTableName } from "../../src/databricks/settings.ts";
import * as sql from "../../src/databricks/sql.ts";
import { FakeDatabricks } from "../fake-databricks.ts";

const EVENTS = (deltaTable("main.oura.events") as { ok: true; value: DeltaTableName }).value;
const tables = sql.deltaTables(EVENTS);
let fake: FakeDatabricks;

afterEach(() => fake?.stop());

function post(statement: sql.Statement, extra: Record<string, unknown> = {}, token = fake.token) {
  return fetch(`${fake.url}/api/2.0/sql/statements`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ statement: statement.sql, parameters: statement.parameters, warehouse_id: fake.warehouseId, wait_timeout: "5s", ...extra }),
  });
}

async function run(statement: sql.Statement): Promise<any> {
  const response = await post(statement);
  expect(response.status).toBe(200);
  return response.json();
}

const event = (id: string, receivedAt: string, extra: Record<string, string | null> = {}) => ({
  id,
  received_at: receivedAt,
  data_type: "sleep",
  event_type: "create",
  user_id: "U1",
  payload: "{}",
  object_id: `o-${id}`,
  event_time: receivedAt,
  source: "webhook",
  document: null,
  ...extra,
});

describe("fake Databricks", () => {
  test("ping answers SUCCEEDED with string values; bad requests are refused as the API does", async () => {
    fake = new FakeDatabricks().start();
    const ok = await run(sql.ping());
    expect(ok.status.state).toBe("SUCCEEDED");
    expect(ok.result.data_array).toEqual([["1"]]);
    expect(ok.manifest.schema.columns[0]).toMatchObject({ name: "ok", position: 0, type_name: "INT" });

    const unauthenticated = await post(sql.ping(), {}, "wrong");
    expect(unauthenticated.status).toBe(401);
    expect((await unauthenticated.json()).error_code).toBe("UNAUTHENTICATED");
    expect((await post(sql.ping(), { warehouse_id: undefined })).status).toBe(400);
    const unknown = await post(sql.ping(), { warehouse_id: "0000000000000000" });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    fake.canUse = false;
    expect((await post(sql.ping())).status).toBe(403);
    expect(fake.statements.map((s) => s.outcome)).toEqual(["SUCCEEDED", "http 401", "http 400", "http 404", "http 403"]);
  });

  test("M2M tokens are issued for the service principal and expire on the fake's clock", async () => {
    fake = new FakeDatabricks({ tokenSeconds: 60 }).start();
    const token = (id: string, secret: string) =>
      fetch(`${fake.url}/oidc/v1/token`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(`${id}:${secret}`)}`, "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials&scope=all-apis",
      });
    expect((await token(fake.clientId, "nope")).status).toBe(401);
    const issued = await (await token(fake.clientId, fake.clientSecret)).json();
    expect(issued).toMatchObject({ token_type: "Bearer", expires_in: 60 });
    expect(fake.counters.tokensIssued).toBe(1);
    expect((await post(sql.ping(), {}, issued.access_token)).status).toBe(200);
    fake.advanceClock(61_000);
    expect((await post(sql.ping(), {}, issued.access_token)).status).toBe(401);
  });

  test("create, describe, alter, merge and select events as the warehouse would", async () => {
    fake = new FakeDatabricks().start();
    const missing = await run(sql.describeTable(EVENTS));
    expect(missing.status).toMatchObject({ state: "FAILED", error: { error_code: "BAD_REQUEST" }, sql_state: "42P01" });
    expect(missing.status.error.message).toContain("[TABLE_OR_VIEW_NOT_FOUND]");

    // The original product's table: six columns; the new ones are added.
    fake.createTable("main.oura.events", sql.EVENT_COLUMNS.slice(0, 6).map(([name, type]) => ({ name, type })), [{ id: "old", received_at: "2024-01-01T00:00:00Z" }]);
    const described = await run(sql.describeTable(EVENTS));
    expect(described.result.data_array[1]).toEqual(["received_at", "timestamp", null]);
    expect((await run(sql.addColumns(EVENTS, sql.EVENT_COLUMNS.slice(6)))).status.state).toBe("SUCCEEDED");
    expect(fake.table("main.oura.events")!.columns).toHaveLength(10);
    expect(fake.rows("main.oura.events")[0]!.document).toBeNull();
    const again = await run(sql.addColumns(EVENTS, sql.EVENT_COLUMNS.slice(6)));
    expect(again.status.error.message).toContain("[FIELDS_ALREADY_EXISTS]");

    // Duplicates in one batch: the earliest received_at is kept; a retried batch inserts nothing.
    const batch = [event("a", "2024-01-02T00:00:05Z"), event("a", "2024-01-02T00:00:01Z"), event("b", "2024-01-02T00:00:01+00:00")];
    const merged = await run(sql.mergeEvents(EVENTS, batch));
    expect(merged.manifest.schema.columns.map((c: { name: string }) => c.name)).toContain("num_inserted_rows");
    expect(merged.result.data_array[0][3]).toBe("2");
    expect((await run(sql.mergeEvents(EVENTS, batch))).result.data_array[0][3]).toBe("0");
    expect(fake.rows("main.oura.events").find((row) => row.id === "a")!.received_at).toBe("2024-01-02T00:00:01Z");

    const page = await run(sql.selectEventsSince(EVENTS, "2024-01-02T00:00:00Z", undefined, 1));
    expect(page.result.data_array).toHaveLength(1);
    expect(page.result.data_array[0].slice(0, 2)).toEqual(["a", "2024-01-02T00:00:01.000Z"]);
    const next = await run(sql.selectEventsSince(EVENTS, "2024-01-02T00:00:00Z", { receivedAt: "2024-01-02T00:00:01.000Z", id: "a" }, 10));
    expect(next.result.data_array.map((row: string[]) => row[0])).toEqual(["b"]);
    const none = await run(sql.selectEventsSince(EVENTS, "2030-01-01T00:00:00Z", undefined, 10));
    expect(none.result.row_count).toBe(0);
    expect(none.result.data_array).toBeUndefined();
  });

  test("statements that would fail on Databricks fail here", async () => {
    fake = new FakeDatabricks().start();
    fake.createTable("oura.events", sql.EVENT_COLUMNS.slice(0, 6).map(([name, type]) => ({ name, type })));
    const short = (deltaTable("oura.events") as { ok: true; value: DeltaTableName }).value;
    const unresolved = await run(sql.mergeEvents(short, [event("a", "2024-01-02T00:00:00Z")]));
    expect(unresolved.status.error.message).toContain("[UNRESOLVED_COLUMN]");

    const unbound = sql.ping();
    unbound.sql += " WHERE 1 = :one";
    expect((await run(unbound)).status.error.message).toContain("UNBOUND_SQL_PARAMETER");

    const noDedupe = sql.mergeEvents(EVENTS, [event("a", "2024-01-02T00:00:00Z"), event("a", "2024-01-02T00:00:01Z")]);
    noDedupe.sql = noDedupe.sql.replace("ROW_NUMBER()", "RANK()");
    fake.createTable("main.oura.events", sql.EVENT_COLUMNS.map(([name, type]) => ({ name, type })));
    expect((await run(noDedupe)).status.error.message).toContain("[DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE]");
    expect((await run(sql.mergeEvents(EVENTS, [event("c", "not a time")]))).status.error.message).toContain("[CAST_INVALID_INPUT]");

    fake.canModify = false;
    expect((await run(sql.probeModify(EVENTS))).status.error.message).toContain("[INSUFFICIENT_PERMISSIONS]");
    expect(fake.rows("main.oura.events")).toHaveLength(0);
  });

  test("documents keep the newest version; a token row only moves to a higher version", async () => {
    fake = new FakeDatabricks().start();
    await run(sql.createTable(tables.documents, sql.DOCUMENT_COLUMNS, "documents"));
    await run(sql.createTable(tables.tokens, sql.TOKEN_COLUMNS, "tokens"));
    const doc = (updatedAt: string, payload: string) => ({ user_id: "U1", data_type: "sleep", document_id: "d1", day: "2024-01-01", payload, deleted: "false", updated_at: updatedAt });
    await run(sql.mergeDocuments(tables.documents, [doc("2024-01-02T00:00:00Z", "v2"), doc("2024-01-03T00:00:00Z", "v3")]));
    await run(sql.mergeDocuments(tables.documents, [doc("2024-01-01T00:00:00Z", "v1")]));
    expect(fake.rows("main.oura.events_documents").map((row) => row.payload)).toEqual(["v3"]);
    const docs = await run(sql.selectDocumentsSince(tables.documents, "2024-01-01T00:00:00Z", 0, 10));
    expect(docs.result.data_array[0]).toEqual(["U1", "sleep", "d1", "2024-01-01", "v3", "false", "2024-01-03T00:00:00.000Z"]);

    const token = (version: string, access: string) => ({
      user_id: "U1", access_token: access, refresh_token: "r", access_expires_at_ms: "1", scopes: "daily", needs_reauth: "false", reauth_reason: null, handed_off: "false", token_version: version, updated_at: "2024-01-01T00:00:00Z",
    });
    await run(sql.mergeToken(tables.tokens, token("2", "new")));
    await run(sql.mergeToken(tables.tokens, token("1", "stale")));
    expect(fake.counters.tokenWrites).toBe(1);
    const read = await run(sql.selectTokens(tables.tokens));
    expect(read.result.data_array).toEqual([Object.values(token("2", "new"))]);
  });

  test("the token lease: taken when missing, expired or one's own; a live lease of another holder is left alone", async () => {
    fake = new FakeDatabricks().start();
    await run(sql.createTable(tables.lease, sql.LEASE_COLUMNS, "lease"));
    const claim = (holder: string, ttlMs = 60_000) => run(sql.mergeLease(tables.lease, { name: "tokens", holder, host: `host-${holder}`, pid: 7, ttlMs }));
    const read = async () => {
      const [holder, host, pid, acquiredAt, expiresAt, now] = (await run(sql.selectLease(tables.lease, "tokens"))).result.data_array[0];
      return { holder, host, pid, acquiredAt, expiresAt, now };
    };
    expect((await claim("A")).result.data_array[0][3]).toBe("1");
    const first = await read();
    expect(first).toMatchObject({ holder: "A", host: "host-A", pid: "7" });
    expect(Date.parse(first.expiresAt) - Date.parse(first.now)).toBeGreaterThan(59_000);

    // B finds it live: nothing changes.
    expect((await claim("B")).result.data_array[0][0]).toBe("0");
    expect((await read()).holder).toBe("A");
    // A renews: same acquired_at, later expiry.
    fake.advanceClock(30_000);
    await claim("A");
    const renewed = await read();
    expect(renewed.acquiredAt).toBe(first.acquiredAt);
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
    // Expired (A died): B takes it, from now.
    fake.advanceClock(60_001);
    await claim("B");
    const taken = await read();
    expect(taken).toMatchObject({ holder: "B", host: "host-B" });
    expect(Date.parse(taken.acquiredAt)).toBeGreaterThan(Date.parse(renewed.acquiredAt));
    // A late renewal of A's does not take it back; A's release leaves B's lease alone; B's own release frees it.
    await claim("A");
    await run(sql.releaseLease(tables.lease, "tokens", "A"));
    expect((await read()).holder).toBe("B");
    await run(sql.releaseLease(tables.lease, "tokens", "B"));
    const released = await read();
    expect(released.holder).toBe("B");
    expect(Date.parse(released.expiresAt)).toBeLessThanOrEqual(Date.parse(released.now));
    await claim("A");
    expect((await read()).holder).toBe("A");
    expect(fake.rows("main.oura.events_lease")).toHaveLength(1);

    // The match condition is applied as written: a MERGE without it would take a live lease.
    const unguarded = sql.mergeLease(tables.lease, { name: "tokens", holder: "C", host: "h", pid: 1, ttlMs: 1000 });
    unguarded.sql = unguarded.sql.replace("WHEN MATCHED AND (t.holder = s.holder OR t.expires_at <= s.now)", "WHEN MATCHED");
    await run(unguarded);
    expect((await read()).holder).toBe("C");
  });

  test("two lease claims at once: Delta commits one and fails the other as a concurrent modification", async () => {
    fake = new FakeDatabricks({ latencyMs: 50 }).start();
    await run(sql.createTable(tables.lease, sql.LEASE_COLUMNS, "lease"));
    const claim = (holder: string) => run(sql.mergeLease(tables.lease, { name: "tokens", holder, host: "h", pid: 1, ttlMs: 60_000 }));
    const answers = await Promise.all([claim("A"), claim("B")]);
    expect(answers.map((a) => a.status.state).sort()).toEqual(["FAILED", "SUCCEEDED"]);
    const failed = answers.find((a) => a.status.state === "FAILED");
    expect(failed.status.error.message).toContain("ConcurrentAppendException");
    expect(fake.counters.leaseConflicts).toBe(1);
    const winner = answers.findIndex((a) => a.status.state === "SUCCEEDED") === 0 ? "A" : "B";
    expect(fake.rows("main.oura.events_lease").map((row) => row.holder)).toEqual([winner]);
    // Tried again, the loser finds the winner's live lease and changes nothing.
    await claim(winner === "A" ? "B" : "A");
    expect(fake.rows("main.oura.events_lease").map((row) => row.holder)).toEqual([winner]);
  });

  test("faults: HTTP errors, kind filters, pending statements polled, lost answers, CLOSED", async () => {
    fake = new FakeDatabricks().start();
    fake.createTable("main.oura.events", sql.EVENT_COLUMNS.map(([name, type]) => ({ name, type })));
    fake.faults.push({ type: "http", status: 429, retryAfter: 2, kind: "merge-events" }, { type: "pending", polls: 2 });

    const pending = await run(sql.ping()); // the 429 waits for a merge; the pending fault applies here
    expect(pending.status.state).toBe("PENDING");
    const poll = async () => (await (await fetch(`${fake.url}/api/2.0/sql/statements/${pending.statement_id}`, { headers: { authorization: `Bearer ${fake.token}` } })).json()) as any;
    expect((await poll()).status.state).toBe("PENDING");
    expect((await poll()).status.state).toBe("PENDING");
    expect((await poll()).result.data_array).toEqual([["1"]]);

    const limited = await post(sql.mergeEvents(EVENTS, [event("a", "2024-01-02T00:00:00Z")]));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(fake.rows("main.oura.events")).toHaveLength(0);

    fake.faults.push({ type: "lost-answer" });
    expect((await post(sql.mergeEvents(EVENTS, [event("a", "2024-01-02T00:00:00Z")]))).status).toBe(502);
    expect(fake.rows("main.oura.events")).toHaveLength(1);

    fake.faults.push({ type: "closed" });
    const closed = await run(sql.ping());
    expect(closed.status.state).toBe("CLOSED");
    expect(closed.result).toBeUndefined();
    expect(fake.statements.at(-1)!.outcome).toBe("CLOSED");
  });

  test("a stopped warehouse keeps statements PENDING until it starts; cancel ends one", async () => {
    fake = new FakeDatabricks().start();
    fake.warehouseStopped = true;
    const first = await run(sql.ping());
    const second = await run(sql.ping());
    expect(first.status.state).toBe("PENDING");
    const headers = { authorization: `Bearer ${fake.token}` };
    await fetch(`${fake.url}/api/2.0/sql/statements/${second.statement_id}/cancel`, { method: "POST", headers });
    fake.warehouseStopped = false;
    const poll = async (id: string) => ((await (await fetch(`${fake.url}/api/2.0/sql/statements/${id}`, { headers })).json()) as any).status.state;
    expect(await poll(first.statement_id)).toBe("SUCCEEDED");
    expect(await poll(second.statement_id)).toBe("CANCELED");
    expect((await fetch(`${fake.url}/api/2.0/sql/statements/nope`, { headers })).status).toBe(404);
  });

  test("off refuses connections; on listens on the same port with the tables kept", async () => {
    fake = new FakeDatabricks().start();
    fake.createTable("main.oura.events", [{ name: "id", type: "STRING" }], [{ id: "x" }]);
    const url = fake.url;
    fake.setOff();
    await expect(post(sql.ping())).rejects.toThrow();
    fake.setOn();
    expect(fake.url).toBe(url);
    expect((await run(sql.ping())).status.state).toBe("SUCCEEDED");
    expect(fake.rows("main.oura.events")).toEqual([{ id: "x" }]);
    expect(fake.env()).toMatchObject({ STORAGE_BACKEND: "warehouse", DATABRICKS_HOST: url, DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/abcdef1234567890" });
  });
});
