// Invitations in SQLite: a random id to list and revoke by, the SHA-256 of the link's secret, and one conditional
// UPDATE that uses an invitation once (two browsers racing with one link: one of them wins).
import type { Database } from "bun:sqlite";
import { sha256Hex } from "../../auth/constant-time.ts";
import { randomId } from "../../auth/random-id.ts";
import type { Invitation, Invitations } from "../invitations.ts";
import type { SqliteConnection } from "./connection.ts";

interface InvitationRow {
  id: string;
  created_by: string;
  note: string | null;
  created_at_ms: number;
  expires_at_ms: number;
  used_at_ms: number | null;
  used_by: string | null;
  revoked_at_ms: number | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class InvitationStore implements Invitations {
  constructor(
    private readonly connection: SqliteConnection,
    private readonly now: () => number = Date.now,
  ) {}

  private get db(): Database {
    return this.connection.database;
  }

  private toInvitation(row: InvitationRow): Invitation {
    const state = row.used_at_ms !== null ? "used" : row.revoked_at_ms !== null ? "revoked" : row.expires_at_ms <= this.now() ? "expired" : "open";
    return {
      id: row.id,
      state,
      created_by: row.created_by,
      note: row.note,
      created_at: iso(row.created_at_ms)!,
      expires_at: iso(row.expires_at_ms)!,
      used_at: iso(row.used_at_ms),
      used_by: row.used_by,
      revoked_at: iso(row.revoked_at_ms),
    };
  }

  async create(input: { createdBy: string; note: string | null; expiresAtMs: number }) {
    const secret = randomId();
    const id = randomId().slice(0, 12);
    const now = this.now();
    await this.connection.write((db) =>
      db
        .query("INSERT INTO invitations (id, secret_digest, created_by, note, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)")
        .run(id, sha256Hex(secret), input.createdBy, input.note, now, input.expiresAtMs),
    );
    return { invitation: this.get(id)!, secret };
  }

  list(limit = 100): Invitation[] {
    return this.db.query<InvitationRow, [number]>("SELECT * FROM invitations ORDER BY created_at_ms DESC LIMIT ?").all(limit).map((row) => this.toInvitation(row));
  }

  get(id: string): Invitation | undefined {
    const row = this.db.query<InvitationRow, [string]>("SELECT * FROM invitations WHERE id = ?").get(id);
    return row ? this.toInvitation(row) : undefined;
  }

  find(secret: string): Invitation | undefined {
    const row = this.db.query<InvitationRow, [string]>("SELECT * FROM invitations WHERE secret_digest = ?").get(sha256Hex(secret));
    return row ? this.toInvitation(row) : undefined;
  }

  async consume(secret: string, userId: string): Promise<Invitation | undefined> {
    const now = this.now();
    const row = await this.connection.write((db) =>
      db
        .query<InvitationRow, [number, string, string, number]>(
          `UPDATE invitations SET used_at_ms = ?, used_by = ?
           WHERE secret_digest = ? AND used_at_ms IS NULL AND revoked_at_ms IS NULL AND expires_at_ms > ?
           RETURNING *`,
        )
        .get(now, userId, sha256Hex(secret), now),
    );
    return row ? this.toInvitation(row) : undefined;
  }

  async revoke(id: string): Promise<Invitation | undefined> {
    await this.connection.write((db) => db.query("UPDATE invitations SET revoked_at_ms = ? WHERE id = ? AND used_at_ms IS NULL AND revoked_at_ms IS NULL").run(this.now(), id));
    return this.get(id);
  }
}
