// The token lease against the fake warehouse: one holder at a time, waiting while another holds it, taking over when
// that lease is released or expires, renewals while in use and the release once idle (an idle server sends nothing).
import { afterEach, describe, expect, test } from "bun:test";
import { workspaceCredentials } from "../../src/databricks/credentials.ts";
import { deltaTable, type DeltaTableName } from "../../src/databricks/settings.ts";
import { deltaTables } from "../../src/databricks/sql.ts";
import { StatementClient } from "../../src/databricks/statement-client.ts";
import { type LeaseTimings, TokenLease, TokenLeaseUnavailable } from "../../src/databricks/token-lease.ts";
import { createLogger } from "../../src/log.ts";
import { FakeDatabricks } from "../fake-databricks.ts";
import { waitFor } from "../helpers/ports.ts";

const LEASE = deltaTables((deltaTable("main.oura.events") as { ok: true; value: DeltaTableName }).value).lease;
/** Test timings: a 60 s lease that a test expires by moving the warehouse's clock; quick retries and renewals. */
const QUICK: Partial<LeaseTimings> = { ttlMs: 60_000, renewEveryMs: 50, idleReleaseMs: 60_000, retryEveryMs: 30, maxWaitMs: 5_000 };

let fake: FakeDatabricks;
const started: TokenLease[] = [];
afterEach(async () => {
  for (const lease of started.splice(0)) {
    lease.interrupt();
    await lease.stop();
  }
  fake?.stop();
});

function makeLease(name: string, timings: Partial<LeaseTimings> = QUICK, options: { busy?: () => boolean } = {}) {
  const lines: string[] = [];
  const client = new StatementClient({ host: fake.url, warehouseId: fake.warehouseId, credentials: workspaceCredentials(fake.url, { kind: "token", token: fake.token }), deadlineMs: 5000 });
  const reads = { count: 0 };
  const lease = new TokenLease({
    client,
    table: LEASE,
    logger: createLogger("info", { write: (line) => void lines.push(line), drain: async () => {} }),
    timings,
    busy: options.busy,
    identity: { host: `host-${name}`, pid: name.charCodeAt(0) },
    onAcquired: async () => void reads.count++,
  });
  started.push(lease);
  return { lease, lines, reads };
}

const logged = (lines: string[], message: string) => lines.filter((line) => line.includes(` ${message}`));

describe("token lease", () => {
  test("one holder: a second server waits, says once who holds it, and takes over when the first gives it back", async () => {
    fake = new FakeDatabricks().start();
    const a = makeLease("A");
    const b = makeLease("B");
    await a.lease.use();
    expect(a.lease.status()).toMatchObject({ state: "held", holder: { host: "host-A" }, waiting_refreshes: 0 });
    expect(a.reads.count).toBe(1);

    let bHolds = false;
    const waiting = b.lease.use().then(() => (bHolds = true));
    await waitFor(() => b.lease.status().waiting_refreshes === 1 || undefined, 2000, "B waiting");
    await Bun.sleep(200); // a few of B's retries
    expect(bHolds).toBe(false);
    const status = b.lease.status();
    expect(status).toMatchObject({ state: "elsewhere", holder: { host: "host-A", pid: 65, holder_id: a.lease.me.holder_id }, waiting_refreshes: 1 });
    expect(Date.parse(status.expires_at!)).toBeGreaterThan(fake.now());
    expect(status.waiting_since).not.toBeNull();
    const told = logged(b.lines, "warehouse.token_lease_held_elsewhere");
    expect(told).toHaveLength(1);
    expect(told[0]).toContain("pid 65 on host-A");
    expect(b.reads.count).toBe(0);

    await a.lease.stop(); // graceful: released
    await waiting;
    expect(b.lease.status()).toMatchObject({ state: "held", holder: { host: "host-B" }, waiting_refreshes: 0, waiting_since: null });
    // Taking the lease re-read the token rows before the refresh went on.
    expect(b.reads.count).toBe(1);
    expect(logged(b.lines, "warehouse.token_lease_acquired")[0]).toContain("previous_holder=");
    expect(logged(a.lines, "warehouse.token_lease_released")).toHaveLength(1);
  });

  test("a holder that died without giving it back: its lease ends by its TTL on the warehouse's clock, then the next server takes it", async () => {
    fake = new FakeDatabricks().start();
    const a = makeLease("A");
    const b = makeLease("B");
    await a.lease.use();
    a.lease.interrupt(); // as after kill -9: no renewal, no release
    const waiting = b.lease.use();
    await waitFor(() => b.lease.status().state === "elsewhere" || undefined, 2000, "B sees A's lease");
    fake.advanceClock(60_001);
    await waiting;
    expect(b.lease.status()).toMatchObject({ state: "held", holder: { host: "host-B" } });
    expect(b.reads.count).toBe(1);
    expect(fake.rows("main.oura.events_lease")).toHaveLength(1);
  });

  test("waiting ends after maxWaitMs with a try-later error, not a refusal", async () => {
    fake = new FakeDatabricks().start();
    await makeLease("A").lease.use();
    const b = makeLease("B", { ...QUICK, maxWaitMs: 150 });
    const error = await b.lease.use().catch((e) => e);
    expect(error).toBeInstanceOf(TokenLeaseUnavailable);
    expect(error.message).toContain("host-A");
    expect(b.lease.status().waiting_refreshes).toBe(0);
  });

  test("two servers claiming at once: one holds it, the other's conflicting MERGE is retried and then waits", async () => {
    fake = new FakeDatabricks({ latencyMs: 30 }).start();
    const a = makeLease("A", { ...QUICK, maxWaitMs: 400 });
    const b = makeLease("B", { ...QUICK, maxWaitMs: 400 });
    const outcomes = await Promise.allSettled([a.lease.use(), b.lease.use()]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    const states = [a.lease.status().state, b.lease.status().state].sort();
    expect(states).toEqual(["elsewhere", "held"]);
    expect(fake.counters.leaseConflicts).toBeGreaterThanOrEqual(1);
  });

  test("renewed while in use, given back once idle; then no statement at all", async () => {
    fake = new FakeDatabricks().start();
    const a = makeLease("A", { ttlMs: 400, renewEveryMs: 100, idleReleaseMs: 600, retryEveryMs: 30, maxWaitMs: 2000 });
    a.lease.start();
    await a.lease.use();
    const firstExpiry = Date.parse(a.lease.status().expires_at!);
    await waitFor(() => Date.parse(a.lease.status().expires_at!) > firstExpiry + 150 || undefined, 2000, "a renewal");
    expect(a.lease.status().state).toBe("held");
    await waitFor(() => a.lease.status().state === "free" || undefined, 3000, "the idle release");
    expect(logged(a.lines, "warehouse.token_lease_released")[0]).toContain("reason=idle");
    const statements = fake.counters.statements;
    await Bun.sleep(350); // several renewal periods
    expect(fake.counters.statements).toBe(statements);
    // Used again: taken again, and the rows are read again (another server may have held it meanwhile).
    await a.lease.use();
    expect(a.reads.count).toBe(2);
  });

  test("kept at stop while a rotation is not in Delta yet; lost to another server after it lapsed, and said so", async () => {
    fake = new FakeDatabricks().start();
    let busy = true;
    const a = makeLease("A", QUICK, { busy: () => busy });
    await a.lease.use();
    await a.lease.stop();
    expect(logged(a.lines, "warehouse.token_lease_kept")).toHaveLength(1);
    expect(fake.rows("main.oura.events_lease")[0]!.holder).toBe(a.lease.me.holder_id);
    expect(Date.parse(fake.rows("main.oura.events_lease")[0]!.expires_at!)).toBeGreaterThan(fake.now());

    busy = false;
    fake.advanceClock(60_001);
    const c = makeLease("C");
    const d = makeLease("D");
    await c.lease.use();
    fake.advanceClock(60_001);
    await d.lease.use();
    await c.lease.tick(); // C's renewal finds D's lease
    expect(c.lease.status()).toMatchObject({ state: "elsewhere", holder: { host: "host-D" } });
    expect(logged(c.lines, "warehouse.token_lease_lost")).toHaveLength(1);
  });
});
