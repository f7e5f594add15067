// The Delta tables as this server uses them: made ready (created, or given the columns they lack), written by
// idempotent MERGEs, and read back after a redeploy. Knows the statements, not the local store.
import type { Logger } from "../log.ts";
import type { SealedAccount } from "../storage/accounts.ts";
import type { OutboxDocument, OutboxEvent, OutboxHeartRate } from "../storage/outbox.ts";
import {
  addColumns,
  CASTABLE_TYPES,
  type ColumnList,
  createTable,
  type DeltaTables,
  DOCUMENT_COLUMNS,
  describeTable,
  EVENT_COLUMNS,
  HEART_RATE_COLUMNS,
  mergeDocuments,
  mergeHeartRate,
  mergeEvents,
  mergeToken,
  selectDocumentsSince,
  selectEventsSince,
  selectTokens,
  TOKEN_COLUMNS,
} from "./sql.ts";
import type { DeltaTableName } from "./settings.ts";
import { records, type StatementClient, WarehouseError } from "./statement-client.ts";

/** A token row as kept in Delta: the local row as it is, both tokens sealed with APP_SECRET_KEY (AES-GCM). */
export type DeltaTokenRow = SealedAccount;

export type DeltaRow = Record<string, string | null>;

const hasher = () => new Bun.CryptoHasher("sha256");

/**
 * The event's key in Delta: derived from its identity (user, type, object, event type, instant) — the same on every
 * server and after a redeploy, where local ids start again — so a batch shipped twice, or an event restored and
 * shipped again, is one row.
 */
export function eventKey(event: Pick<OutboxEvent, "user_id" | "data_type" | "object_id" | "event_type" | "event_time_ms">): string {
  return hasher().update(`${event.user_id}\u0000${event.data_type}\u0000${event.object_id}\u0000${event.event_type}\u0000${event.event_time_ms}`).digest("hex").slice(0, 32);
}

export class DeltaWarehouse {
  /** The events table's column types as found (an original-schema table may type received_at differently). */
  #eventTypes = new Map<string, string>();
  #prepared = false;
  #tokensPrepared = false;

  constructor(
    readonly client: StatementClient,
    readonly tables: DeltaTables,
    private readonly logger: Logger,
  ) {}

  get prepared(): boolean {
    return this.#prepared;
  }

  #preparing: Promise<void> | undefined;

  /** Creates the tables if missing and adds the columns an older table lacks, keeping its rows (one run at a time). */
  prepare(): Promise<void> {
    this.#preparing ??= this.#prepare().finally(() => (this.#preparing = undefined));
    return this.#preparing;
  }

  async #prepare(): Promise<void> {
    const existing = await this.columns(this.tables.events);
    const idType = existing?.get("id");
    // Checked before anything is changed: a table this server cannot write to is left as it is.
    if (idType !== undefined && idType !== "STRING") {
      throw new WarehouseError(
        `DELTA_TABLE: column id of ${this.tables.events.quoted} is ${idType}, but this server writes text keys; point DELTA_TABLE at a new table (it will be created)`,
        "sql",
      );
    }
    this.#eventTypes = await this.#ensureTable(this.tables.events, EVENT_COLUMNS, "Oura Ring events received by oura-streaming", existing);
    await this.#ensureTable(this.tables.documents, DOCUMENT_COLUMNS, "Latest version of each Oura document (oura-streaming)");
    await this.#ensureTable(this.tables.heartRate, HEART_RATE_COLUMNS, "Heart-rate samples polled by oura-streaming, one per user and instant");
    await this.prepareTokens();
    this.#prepared = true;
  }

  /** The tokens table alone (the sign-ins do not depend on the events table being usable). */
  #preparingTokens: Promise<void> | undefined;

  prepareTokens(): Promise<void> {
    if (this.#tokensPrepared) return Promise.resolve();
    this.#preparingTokens ??= this.#prepareTokens().finally(() => (this.#preparingTokens = undefined));
    return this.#preparingTokens;
  }

  async #prepareTokens(): Promise<void> {
    await this.#ensureTable(this.tables.tokens, TOKEN_COLUMNS, "Encrypted Oura OAuth tokens of oura-streaming (sealed with APP_SECRET_KEY)");
    this.#tokensPrepared = true;
  }

  /** The table's columns and types (upper case), or undefined when it does not exist. */
  async columns(table: DeltaTableName): Promise<Map<string, string> | undefined> {
    try {
      const described = records(await this.client.execute(describeTable(table)));
      const columns = new Map<string, string>();
      for (const row of described) {
        const name = row.col_name ?? "";
        // DESCRIBE continues with partitioning and metadata sections after an empty or "#" row.
        if (!name || name.startsWith("#")) break;
        columns.set(name.toLowerCase(), (row.data_type ?? "").toUpperCase());
      }
      return columns;
    } catch (error) {
      if (isMissingTable(error)) return undefined;
      throw error;
    }
  }

  async #ensureTable(table: DeltaTableName, wanted: ColumnList, comment: string, known?: Map<string, string>): Promise<Map<string, string>> {
    let found = known ?? (await this.columns(table));
    if (!found) {
      await this.client.execute(createTable(table, wanted, comment));
      this.logger.info("warehouse.table_created", { table: table.quoted });
      found = new Map(wanted.map(([name, type]) => [name, type]));
    }
    const missing = wanted.filter(([name]) => !found.has(name));
    if (missing.length > 0) {
      await this.client.execute(addColumns(table, missing));
      this.logger.info("warehouse.columns_added", { table: table.quoted, columns: missing.map(([name]) => name).join(", ") });
      for (const [name, type] of missing) found.set(name, type);
    }
    return found;
  }

  async shipEvents(events: OutboxEvent[]): Promise<void> {
    const rows = events.map((event) => ({
      id: eventKey(event),
      received_at: event.received_at,
      data_type: event.data_type,
      event_type: event.event_type,
      user_id: event.user_id,
      payload: event.notification,
      object_id: event.object_id,
      event_time: event.event_time,
      source: event.source,
      document: event.document,
    }));
    const castable = new Map([...this.#eventTypes].filter(([, type]) => CASTABLE_TYPES.has(type)));
    await this.client.execute(mergeEvents(this.tables.events, rows, castable));
  }

  async shipDocuments(documents: OutboxDocument[]): Promise<void> {
    const rows = documents.map((d) => ({
      user_id: d.user_id,
      data_type: d.data_type,
      document_id: d.document_id,
      day: d.day,
      payload: d.payload,
      deleted: String(d.deleted),
      updated_at: d.updated_at,
    }));
    await this.client.execute(mergeDocuments(this.tables.documents, rows));
  }

  async shipHeartRate(samples: OutboxHeartRate[]): Promise<void> {
    const rows = samples.map((sample) => ({ user_id: sample.user_id, measured_at: new Date(sample.at_ms).toISOString(), bpm: String(sample.bpm), source: sample.source }));
    await this.client.execute(mergeHeartRate(this.tables.heartRate, rows));
  }

  async putToken(row: DeltaTokenRow): Promise<void> {
    await this.client.execute(
      mergeToken(this.tables.tokens, {
        ...row,
        access_expires_at_ms: String(row.access_expires_at_ms),
        needs_reauth: String(row.needs_reauth),
        handed_off: String(row.handed_off),
        token_version: String(row.token_version),
      }),
    );
  }

  async readTokens(): Promise<DeltaTokenRow[]> {
    return records(await this.client.execute(selectTokens(this.tables.tokens))).map((row) => ({
      user_id: row.user_id ?? "",
      access_token: row.access_token ?? null,
      refresh_token: row.refresh_token ?? null,
      access_expires_at_ms: Number(row.access_expires_at_ms ?? 0),
      scopes: row.scopes ?? "",
      needs_reauth: row.needs_reauth === "true",
      reauth_reason: row.reauth_reason ?? null,
      handed_off: row.handed_off === "true",
      token_version: Number(row.token_version ?? 0),
      updated_at: row.updated_at ?? "",
    }));
  }

  /** Events received since `since`, oldest first, a page at a time. */
  async *eventsSince(since: string, pageSize = 1000): AsyncIterable<DeltaRow[]> {
    let after: { receivedAt: string; id: string } | undefined;
    for (;;) {
      const page = records(await this.client.execute(selectEventsSince(this.tables.events, since, after, pageSize)));
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      const last = page[page.length - 1]!;
      after = { receivedAt: last.received_at ?? since, id: last.id ?? "" };
    }
  }

  /** Documents written since `since`, a page at a time. */
  async *documentsSince(since: string, pageSize = 1000): AsyncIterable<DeltaRow[]> {
    for (let offset = 0; ; offset += pageSize) {
      const page = records(await this.client.execute(selectDocumentsSince(this.tables.documents, since, offset, pageSize)));
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
    }
  }
}

export function isMissingTable(error: unknown): boolean {
  return error instanceof WarehouseError && /TABLE_OR_VIEW_NOT_FOUND/.test(`${error.errorCode ?? ""} ${error.message}`);
}
