// History imports on SQLite: one row per backfill, its progress counted step by step.
import type { Backfill, Backfills, BackfillState } from "../backfills.ts";
import type { SqliteConnection } from "./connection.ts";
import { type Clock, systemClock } from "../../time/clock.ts";

type BackfillRow = Omit<Backfill, "data_types"> & { data_types: string };

function toBackfill(row: BackfillRow): Backfill {
  return { ...row, data_types: JSON.parse(row.data_types) as string[] };
}

export class SqliteBackfills implements Backfills {
  constructor(
    private readonly connection: SqliteConnection,
    private readonly now: Clock = systemClock,
  ) {}

  async createBackfill(input: Pick<Backfill, "user_id" | "start_date" | "end_date" | "data_types" | "steps_total">): Promise<{ backfill: Backfill; created: boolean }> {
    const outcome = await this.connection.write((db) => {
      const active = db.query<{ id: number }, [string]>("SELECT id FROM backfills WHERE user_id = ? AND state IN ('queued', 'running')").get(input.user_id);
      if (active) return { id: active.id, created: false };
      const { lastInsertRowid } = db
        .query("INSERT INTO backfills (user_id, start_date, end_date, data_types, state, steps_total, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)")
        .run(input.user_id, input.start_date, input.end_date, JSON.stringify(input.data_types), input.steps_total, new Date(this.now()).toISOString());
      return { id: Number(lastInsertRowid), created: true };
    });
    return { backfill: (await this.getBackfill(outcome.id))!, created: outcome.created };
  }

  async getBackfill(id: number): Promise<Backfill | undefined> {
    const row = this.connection.database.query<BackfillRow, [number]>("SELECT * FROM backfills WHERE id = ?").get(id);
    return row ? toBackfill(row) : undefined;
  }

  async listBackfills(userId?: string, limit = 20): Promise<Backfill[]> {
    const db = this.connection.database;
    const rows =
      userId === undefined
        ? db.query<BackfillRow, [number]>("SELECT * FROM backfills ORDER BY id DESC LIMIT ?").all(limit)
        : db.query<BackfillRow, [string, number]>("SELECT * FROM backfills WHERE user_id = ? ORDER BY id DESC LIMIT ?").all(userId, limit);
    return rows.map(toBackfill);
  }

  async activeBackfills(): Promise<Backfill[]> {
    return this.connection.database.query<BackfillRow, []>("SELECT * FROM backfills WHERE state IN ('queued', 'running') ORDER BY id").all().map(toBackfill);
  }

  async recordBackfillStep(id: number, step: { documents: number; requests: number; busyMs: number }): Promise<Backfill | undefined> {
    await this.connection.write((db) =>
      db
        .query(
          `UPDATE backfills SET steps_done = min(steps_total, steps_done + 1), documents_stored = documents_stored + ?, requests_used = requests_used + ?,
             busy_ms = busy_ms + ? WHERE id = ? AND state IN ('queued', 'running')`,
        )
        .run(step.documents, step.requests, Math.round(step.busyMs), id),
    );
    return this.getBackfill(id);
  }

  async setBackfillState(id: number, state: BackfillState, error?: string): Promise<Backfill | undefined> {
    const final = state === "done" || state === "cancelled" || state === "failed";
    const changed = await this.connection.write(
      (db) =>
        db
          .query("UPDATE backfills SET state = ?, error = ?, finished_at = ? WHERE id = ? AND state IN ('queued', 'running')")
          .run(state, error ?? null, final ? new Date(this.now()).toISOString() : null, id).changes,
    );
    return changed > 0 ? this.getBackfill(id) : undefined;
  }
}
