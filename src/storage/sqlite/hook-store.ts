// Outgoing webhooks on SQLite: endpoints, the queue the events' triggers fill (migration 11), and deliveries. Every
// write goes through the one writer; reads use the connection directly.
import type { Database } from "bun:sqlite";
import { type Clock, systemClock } from "../../time/clock.ts";
import type { AttemptOutcome, DueDelivery, HookDelivery, HookEndpoint, HookEndpointChange, HookStatus, HookStore, NewHookEndpoint } from "../hooks.ts";
import type { SqliteConnection } from "./connection.ts";
import { EVENT_COLUMNS, type EventRow, toEvent } from "./rows.ts";

interface EndpointRow extends Omit<HookEndpoint, "enabled" | "data_types" | "event_types" | "user_ids" | "sealed_secret"> {
  secret: string;
  enabled: number;
  data_types: string | null;
  event_types: string | null;
  user_ids: string | null;
}

interface DeliveryRow extends Omit<HookDelivery, "next_attempt_at"> {
  next_attempt_at_ms: number | null;
}

const list = (json: string | null): string[] | null => (json === null ? null : (JSON.parse(json) as string[]));
const json = (values: string[] | null | undefined): string | null => (values ? JSON.stringify(values) : null);

function toEndpoint({ secret, enabled, data_types, event_types, user_ids, ...row }: EndpointRow): HookEndpoint {
  return { ...row, sealed_secret: secret, enabled: enabled === 1, data_types: list(data_types), event_types: list(event_types), user_ids: list(user_ids) };
}

function toDelivery({ next_attempt_at_ms, ...row }: DeliveryRow): HookDelivery {
  return { ...row, next_attempt_at: row.status === "pending" && next_attempt_at_ms !== null ? new Date(next_attempt_at_ms).toISOString() : null };
}

const QUEUE_SLICE = "SELECT event_id FROM hook_queue ORDER BY event_id LIMIT $limit";
const wants = (column: string, value: string) => `(h.${column} IS NULL OR EXISTS (SELECT 1 FROM json_each(h.${column}) WHERE value = e.${value}))`;
/** One delivery per queued event and enabled endpoint that wants it; a wearer's endpoint only ever its owner's events. */
const EXPAND_QUEUE = `INSERT INTO hook_deliveries (endpoint_id, event_id, message_id, status, next_attempt_at_ms, created_at)
  SELECT h.id, e.id, 'msg_' || lower(hex(randomblob(16))), 'pending', $due, $at
  FROM (${QUEUE_SLICE}) q JOIN events e ON e.id = q.event_id
  JOIN hook_endpoints h ON h.enabled = 1 AND (h.owner_user_id IS NULL OR h.owner_user_id = e.user_id)
    AND ${wants("data_types", "data_type")} AND ${wants("event_types", "event_type")} AND ${wants("user_ids", "user_id")}
  ORDER BY e.id, h.created_at`;

const DELIVERY_COLUMNS =
  "id, endpoint_id, event_id, message_id, status, attempts, next_attempt_at_ms, last_status_code, last_error, last_response_ms, last_attempt_at, created_at, delivered_at";

export class SqliteHookStore implements HookStore {
  constructor(
    private readonly connection: SqliteConnection,
    private readonly now: Clock = systemClock,
  ) {}

  private get db(): Database {
    return this.connection.database;
  }

  #iso(): string {
    return new Date(this.now()).toISOString();
  }

  async createEndpoint(endpoint: NewHookEndpoint): Promise<HookEndpoint> {
    const at = this.#iso();
    await this.connection.write((db) =>
      db
        .query(
          `INSERT INTO hook_endpoints (id, owner_user_id, url, secret, data_types, event_types, user_ids, description, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(endpoint.id, endpoint.owner_user_id, endpoint.url, endpoint.sealed_secret, json(endpoint.data_types), json(endpoint.event_types), json(endpoint.user_ids), endpoint.description, at, at),
    );
    return this.getEndpoint(endpoint.id)!;
  }

  getEndpoint(id: string): HookEndpoint | undefined {
    const row = this.db.query<EndpointRow, [string]>("SELECT * FROM hook_endpoints WHERE id = ?").get(id);
    return row ? toEndpoint(row) : undefined;
  }

  listEndpoints(owner?: string): HookEndpoint[] {
    const rows =
      owner === undefined
        ? this.db.query<EndpointRow, []>("SELECT * FROM hook_endpoints ORDER BY created_at, id").all()
        : this.db.query<EndpointRow, [string]>("SELECT * FROM hook_endpoints WHERE owner_user_id = ? ORDER BY created_at, id").all(owner);
    return rows.map(toEndpoint);
  }

  async updateEndpoint(id: string, change: HookEndpointChange): Promise<HookEndpoint | undefined> {
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    const set = (column: string, value: string | number | null) => (sets.push(`${column} = ?`), values.push(value));
    if (change.url !== undefined) set("url", change.url);
    if (change.data_types !== undefined) set("data_types", json(change.data_types));
    if (change.event_types !== undefined) set("event_types", json(change.event_types));
    if (change.user_ids !== undefined) set("user_ids", json(change.user_ids));
    if (change.description !== undefined) set("description", change.description);
    if (change.enabled === true) sets.push("enabled = 1, disabled_reason = NULL, disabled_at = NULL, failing_since = NULL");
    if (change.enabled === false) sets.push("enabled = 0, disabled_reason = 'disabled by hand', disabled_at = ?"), values.push(this.#iso());
    set("updated_at", this.#iso());
    const changed = await this.connection.write((db) => db.query(`UPDATE hook_endpoints SET ${sets.join(", ")} WHERE id = ?`).run(...values, id).changes);
    return changed ? this.getEndpoint(id) : undefined;
  }

  async replaceSecret(id: string, sealedSecret: string): Promise<boolean> {
    const at = this.#iso();
    return this.connection.write((db) => db.query("UPDATE hook_endpoints SET secret = ?, updated_at = ? WHERE id = ?").run(sealedSecret, at, id).changes > 0);
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    return this.connection.write((db) => {
      db.query("DELETE FROM hook_deliveries WHERE endpoint_id = ?").run(id);
      return db.query("DELETE FROM hook_endpoints WHERE id = ?").run(id).changes > 0;
    });
  }

  async deleteEndpointsOwnedBy(userId: string): Promise<number> {
    return this.connection.write((db) => {
      db.query("DELETE FROM hook_deliveries WHERE endpoint_id IN (SELECT id FROM hook_endpoints WHERE owner_user_id = ?)").run(userId);
      return db.query("DELETE FROM hook_endpoints WHERE owner_user_id = ?").run(userId).changes;
    });
  }

  async expandQueue(limit: number, dueAtMs: number): Promise<number> {
    const at = this.#iso();
    return this.connection.write((db) => {
      // One statement for the whole slice, in SQLite: under an ingest burst this runs for every event, so nothing of it
      // is parsed in JavaScript. The same ordered slice is read twice inside this one transaction.
      db.query(EXPAND_QUEUE).run({ $limit: limit, $due: dueAtMs, $at: at });
      return db.query(`DELETE FROM hook_queue WHERE event_id IN (${QUEUE_SLICE})`).run({ $limit: limit }).changes;
    });
  }

  dueDeliveries(endpoint: HookEndpoint, nowMs: number, limit: number, skip: ReadonlySet<number>): DueDelivery[] {
    const rows = this.db
      .query<DeliveryRow, [string, number, number]>(
        `SELECT ${DELIVERY_COLUMNS} FROM hook_deliveries
         WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_at_ms <= ?
         ORDER BY next_attempt_at_ms, id LIMIT ?`,
      )
      .all(endpoint.id, nowMs, limit + skip.size);
    const readEvent = this.db.query<EventRow, [number]>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`);
    return rows
      .filter((row) => !skip.has(row.id))
      .slice(0, limit)
      .map((row) => {
        const event = readEvent.get(row.event_id);
        return { delivery: toDelivery(row), endpoint, event: event ? toEvent(event) : undefined };
      });
  }

  async recordAttempt(deliveryId: number, outcome: AttemptOutcome): Promise<void> {
    const at = this.#iso();
    await this.connection.write((db) => {
      const endpointId = db.query<{ endpoint_id: string }, [number]>("SELECT endpoint_id FROM hook_deliveries WHERE id = ?").get(deliveryId)?.endpoint_id;
      if (endpointId === undefined) return;
      if (outcome.kind === "delivered") {
        db.query(
          `UPDATE hook_deliveries SET status = 'delivered', attempts = attempts + 1, next_attempt_at_ms = NULL, last_status_code = ?,
             last_error = NULL, last_response_ms = ?, last_attempt_at = ?, delivered_at = ? WHERE id = ?`,
        ).run(outcome.statusCode, outcome.responseMs, at, at, deliveryId);
        db.query("UPDATE hook_endpoints SET failing_since = NULL WHERE id = ?").run(endpointId);
        return;
      }
      db.query(
        `UPDATE hook_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at_ms = ?, last_status_code = ?, last_error = ?,
           last_response_ms = ?, last_attempt_at = ? WHERE id = ?`,
      ).run(outcome.retryAtMs === undefined ? "failed" : "pending", outcome.retryAtMs ?? null, outcome.statusCode, outcome.error, outcome.responseMs, at, deliveryId);
      db.query("UPDATE hook_endpoints SET failing_since = coalesce(failing_since, ?) WHERE id = ?").run(at, endpointId);
      if (outcome.disable) {
        db.query("UPDATE hook_endpoints SET enabled = 0, disabled_reason = ?, disabled_at = ?, updated_at = ? WHERE id = ? AND enabled = 1").run(outcome.disable, at, at, endpointId);
      }
    });
  }

  listDeliveries(endpointId: string, limit: number, before?: number): HookDelivery[] {
    return this.db
      .query<DeliveryRow, [string, number, number]>(`SELECT ${DELIVERY_COLUMNS} FROM hook_deliveries WHERE endpoint_id = ? AND id < ? ORDER BY id DESC LIMIT ?`)
      .all(endpointId, before ?? Number.MAX_SAFE_INTEGER, limit)
      .map(toDelivery);
  }

  getDelivery(endpointId: string, deliveryId: number): HookDelivery | undefined {
    const row = this.db.query<DeliveryRow, [number, string]>(`SELECT ${DELIVERY_COLUMNS} FROM hook_deliveries WHERE id = ? AND endpoint_id = ?`).get(deliveryId, endpointId);
    return row ? toDelivery(row) : undefined;
  }

  async retryDelivery(endpointId: string, deliveryId: number, nowMs: number): Promise<HookDelivery | undefined> {
    const changed = await this.connection.write(
      (db) =>
        db.query("UPDATE hook_deliveries SET status = 'pending', attempts = 0, next_attempt_at_ms = ?, delivered_at = NULL WHERE id = ? AND endpoint_id = ?").run(nowMs, deliveryId, endpointId)
          .changes,
    );
    return changed ? this.getDelivery(endpointId, deliveryId) : undefined;
  }

  status(): HookStatus {
    const endpoints = this.db
      .query<{ n: number; enabled: number; failing: number }, []>(
        "SELECT count(*) AS n, coalesce(sum(enabled), 0) AS enabled, coalesce(sum(enabled = 1 AND failing_since IS NOT NULL), 0) AS failing FROM hook_endpoints",
      )
      .get()!;
    const pending = this.db
      .query<{ n: number; oldest: string | null }, []>(
        "SELECT count(*) AS n, min(d.created_at) AS oldest FROM hook_deliveries d JOIN hook_endpoints e ON e.id = d.endpoint_id WHERE d.status = 'pending' AND e.enabled = 1",
      )
      .get()!;
    const disabled = this.db
      .query<{ id: string; reason: string | null; disabled_at: string | null }, []>(
        "SELECT id, disabled_reason AS reason, disabled_at FROM hook_endpoints WHERE enabled = 0 ORDER BY disabled_at DESC LIMIT 10",
      )
      .all();
    return {
      endpoints: endpoints.n,
      enabled: endpoints.enabled,
      disabled: endpoints.n - endpoints.enabled,
      disabled_endpoints: disabled,
      pending_deliveries: pending.n,
      failing_endpoints: endpoints.failing,
      oldest_pending_at: pending.oldest,
    };
  }
}
