// Acknowledged webhooks, and whether the SQLite file holds each of them.
import { Database } from "bun:sqlite";

export interface Acknowledged {
  id: number;
  objectId?: string;
}

/** Every acknowledged webhook, looked up by its event id in the SQLite file (read only): found, and whose object_id differs. */
export function verifyAcknowledged(dbPath: string, acknowledged: Acknowledged[]): { found: number; missing: Acknowledged[] } {
  const db = new Database(dbPath, { readonly: true, strict: true });
  try {
    const query = db.query("SELECT object_id FROM events WHERE id = $id");
    const missing: Acknowledged[] = [];
    let found = 0;
    const seen = new Set<number>();
    for (const ack of acknowledged) {
      if (seen.has(ack.id)) continue;
      seen.add(ack.id);
      const row = query.get({ id: ack.id }) as { object_id: string } | null;
      if (row && (ack.objectId === undefined || row.object_id === ack.objectId)) found++;
      else missing.push(ack);
    }
    return { found, missing };
  } finally {
    db.close();
  }
}

export const distinctAcknowledged = (acknowledged: Acknowledged[]) => new Set(acknowledged.map((a) => a.id)).size;
