// What the poller and the backfill runner read from Oura's list routes, stored on SQLite, and where each poll stands.
import type { HeartRateSample, PollOrigin, PollOutcome, PollRun, PollState, PollStore } from "../polls.ts";
import type { SqliteConnection } from "./connection.ts";
import { appendedEvent } from "./event-append.ts";
import { type PolledRow, preparePollRecord } from "./poll-records.ts";
import { type Clock, systemClock } from "../../time/clock.ts";

export class SqlitePollStore implements PollStore {
  readonly #connection: SqliteConnection;
  readonly #pollRecord: () => ReturnType<typeof preparePollRecord>;

  constructor(
    connection: SqliteConnection,
    private readonly now: Clock = systemClock,
  ) {
    this.#connection = connection;
    this.#pollRecord = connection.prepared(preparePollRecord);
  }

  async recordPolledDocuments(userId: string, dataType: string, documents: Record<string, unknown>[], observedAt: string, origin: PollOrigin = "poll"): Promise<PollOutcome> {
    const record = this.#pollRecord;
    const written = await this.#connection.write(() => record()(userId, dataType, documents, observedAt, origin));
    const events = (rows: PolledRow[]) => rows.map(({ id, row }) => appendedEvent(id, row, JSON.parse(row.notification), JSON.parse(row.document!)));
    return { created: events(written.created), updated: events(written.updated), unchanged: written.unchanged, onlyByPolling: written.onlyByPolling };
  }

  async recordHeartRate(userId: string, samples: HeartRateSample[]): Promise<number> {
    if (samples.length === 0) return 0;
    return this.#connection.write((db) => {
      const insert = db.query("INSERT INTO heartrate_samples (user_id, at_ms, bpm, source) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
      let added = 0;
      for (const sample of samples) added += insert.run(userId, sample.atMs, sample.bpm, sample.source).changes;
      return added;
    });
  }

  async heartRate(userId: string, fromMs: number, toMs: number): Promise<HeartRateSample[]> {
    return this.#connection.database
      .query<HeartRateSample, [string, number, number]>("SELECT at_ms AS atMs, bpm, source FROM heartrate_samples WHERE user_id = ? AND at_ms >= ? AND at_ms < ? ORDER BY at_ms")
      .all(userId, fromMs, toMs);
  }

  async pollStates(userId?: string): Promise<PollState[]> {
    const db = this.#connection.database;
    return userId === undefined
      ? db.query<PollState, []>("SELECT * FROM poll_state ORDER BY user_id, data_type").all()
      : db.query<PollState, [string]>("SELECT * FROM poll_state WHERE user_id = ? ORDER BY data_type").all(userId);
  }

  async recordPollRun(run: PollRun): Promise<void> {
    const at = new Date(this.now()).toISOString();
    await this.#connection.write((db) =>
      db
        .query(
          `INSERT INTO poll_state (user_id, data_type, last_success_at, last_error, last_error_at, next_run_at_ms, documents_seen, created, updated, only_by_polling)
           VALUES ($user, $type, $success, $error, $error_at, $next, $seen, $created, $updated, $only)
           ON CONFLICT (user_id, data_type) DO UPDATE SET
             last_success_at = coalesce(excluded.last_success_at, last_success_at),
             last_error = coalesce(excluded.last_error, last_error),
             last_error_at = coalesce(excluded.last_error_at, last_error_at),
             next_run_at_ms = excluded.next_run_at_ms,
             documents_seen = documents_seen + excluded.documents_seen,
             created = created + excluded.created,
             updated = updated + excluded.updated,
             only_by_polling = only_by_polling + excluded.only_by_polling`,
        )
        .run({
          user: run.userId,
          type: run.dataType,
          success: run.error === undefined ? at : null,
          error: run.error ?? null,
          error_at: run.error === undefined ? null : at,
          next: run.nextRunAtMs,
          seen: run.seen,
          created: run.created,
          updated: run.updated,
          only: run.onlyByPolling,
        }),
    );
  }

  async schedulePoll(userId: string, dataType: string, atMs: number): Promise<void> {
    await this.#connection.write((db) =>
      db
        .query("INSERT INTO poll_state (user_id, data_type, next_run_at_ms) VALUES (?, ?, ?) ON CONFLICT (user_id, data_type) DO UPDATE SET next_run_at_ms = excluded.next_run_at_ms")
        .run(userId, dataType, atMs),
    );
  }
}
