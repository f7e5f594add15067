// The fetch queue on SQLite: an event row is its own fetch job (fetch_status, next_fetch_at_ms), so queueing costs
// ingest no extra write.
import { documentDayOr } from "../../time/calendar-day.ts";
import type { Event, FetchOutcome } from "../events.ts";
import type { FetchJob, FetchQueue } from "../fetch-queue.ts";
import { inSlices } from "./bulk-writes.ts";
import type { SqliteConnection } from "./connection.ts";
import { prepareDocumentUpsert } from "./event-append.ts";
import { readEvent } from "./rows.ts";
import { type Clock, systemClock } from "../../time/clock.ts";

/** Ids walked per write when failed fetches are queued again: at 1,000,000 events, ~12 ms of the event loop each, 0.3 s in all. */
const REQUEUE_ID_SLICE = 20_000;

export class SqliteFetchQueue implements FetchQueue {
  readonly #connection: SqliteConnection;
  readonly #upsertDocument: () => ReturnType<typeof prepareDocumentUpsert>;

  constructor(
    connection: SqliteConnection,
    private readonly now: Clock = systemClock,
  ) {
    this.#connection = connection;
    this.#upsertDocument = connection.prepared(prepareDocumentUpsert);
  }

  async dueFetches(nowMs: number, limit: number): Promise<FetchJob[]> {
    return this.#connection.database
      .query<FetchJob, [number, number]>(
        `SELECT id AS eventId, user_id AS userId, data_type AS dataType, object_id AS objectId, fetch_attempts AS attempts,
                event_type AS eventType
         FROM events WHERE fetch_status = 'pending' AND next_fetch_at_ms <= ? ORDER BY next_fetch_at_ms, id LIMIT ?`,
      )
      .all(nowMs, limit);
  }

  async recordFetched(job: FetchJob, document: Record<string, unknown>): Promise<Event | undefined> {
    const at = new Date(this.now()).toISOString();
    const payload = JSON.stringify(document);
    const day = documentDayOr(document);
    await this.#connection.write((db) => {
      db
        .query(
          `UPDATE events SET document = ?, fetch_status = 'fetched', fetch_error = NULL, fetched_at = ?, next_fetch_at_ms = NULL
           WHERE id = ?`,
        )
        .run(payload, at, job.eventId);
      // Latest version wins: an older event fetched late must not overwrite a newer one.
      this.#upsertDocument().run({ user_id: job.userId, data_type: job.dataType, document_id: job.objectId, day, payload, event_id: job.eventId, at });
    });
    return readEvent(this.#connection.database, job.eventId);
  }

  async recordFetchOutcome(eventId: number, status: FetchOutcome, error?: string): Promise<Event | undefined> {
    await this.#connection.write((db) => db.query("UPDATE events SET fetch_status = ?, fetch_error = ?, next_fetch_at_ms = NULL WHERE id = ?").run(status, error ?? null, eventId));
    return readEvent(this.#connection.database, eventId);
  }

  async rescheduleFetch(eventId: number, atMs: number, attempts: number, error: string): Promise<void> {
    await this.#connection.write((db) => db.query("UPDATE events SET next_fetch_at_ms = ?, fetch_attempts = ?, fetch_error = ? WHERE id = ?").run(atMs, attempts, error, eventId));
  }

  async rescheduleUserFetches(userId: string, atMs: number): Promise<number> {
    return this.#connection.write(
      (db) => db.query("UPDATE events SET next_fetch_at_ms = ? WHERE user_id = ? AND fetch_status = 'pending' AND next_fetch_at_ms < ?").run(atMs, userId, atMs).changes,
    );
  }

  async requeueAwaitingLink(userId: string): Promise<number> {
    return inSlices(
      this.#connection,
      (db, slice) =>
        db
          .query(
            `UPDATE events SET fetch_status = 'pending', next_fetch_at_ms = 0, fetch_attempts = 0
             WHERE id IN (SELECT id FROM events WHERE user_id = ? AND fetch_status = 'awaiting_link' LIMIT ?)`,
          )
          .run(userId, slice).changes,
    );
  }

  async requeueFailedFetches(filter: { reasonPrefix?: string } = {}): Promise<number> {
    // No index finds failed rows (they are few, and one would cost every insert): ranges of ids, each a short write.
    const prefix = filter.reasonPrefix ?? "";
    const last = this.#connection.database.query<{ id: number | null }, []>("SELECT max(id) AS id FROM events").get()?.id ?? 0;
    let total = 0;
    for (let from = 0; from < last; from += REQUEUE_ID_SLICE) {
      total += await this.#connection.write(
        (db) =>
          db
            .query(
              `UPDATE events SET fetch_status = 'pending', next_fetch_at_ms = 0, fetch_attempts = 0
               WHERE id > ? AND id <= ? AND fetch_status = 'failed' AND substr(coalesce(fetch_error, ''), 1, ?) = ?`,
            )
            .run(from, from + REQUEUE_ID_SLICE, prefix.length, prefix).changes,
      );
    }
    return total;
  }

  async parkUnlinkedFetches(limit: number): Promise<number> {
    return this.#connection.write(
      (db) =>
        db
          .query(
            `UPDATE events SET fetch_status = 'awaiting_link', next_fetch_at_ms = NULL, fetch_error = 'no usable sign-in for this Oura user yet'
             WHERE id IN (
               SELECT id FROM events WHERE fetch_status = 'pending' AND user_id NOT IN (
                 SELECT user_id FROM oura_accounts WHERE needs_reauth = 0 AND refresh_token IS NOT NULL)
               LIMIT ?)`,
          )
          .run(limit).changes,
    );
  }

  async countPendingFetches(): Promise<number> {
    // Two counts, each of one partial index (migration 2), so /metrics reads the queue, not the log: one IN (...)
    // matches neither index's WHERE and scanned every event (146 ms at 1,000,000; now 1 µs with 40 waiting).
    const row = this.#connection.database
      .query("SELECT (SELECT count(*) FROM events WHERE fetch_status = 'pending') + (SELECT count(*) FROM events WHERE fetch_status = 'awaiting_link') AS n")
      .get() as { n: number };
    return row.n;
  }
}
