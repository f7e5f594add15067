// Writing what a poll saw: each listed document compared by content hash with the stored one, and appended as a
// create or update event (with its document, so nothing is fetched again) only when it is new or changed.
import { documentDayOr } from "../../time/calendar-day.ts";
import type { Database } from "bun:sqlite";
import { instantMs } from "../../time/instant.ts";
import { contentHash } from "../content-hash.ts";
import type { PollOrigin } from "../polls.ts";
import { type AppendRow, prepareAppend } from "./event-append.ts";

export interface PolledRow {
  id: number;
  row: AppendRow;
}

export interface PollWrite {
  created: PolledRow[];
  updated: PolledRow[];
  unchanged: number;
  onlyByPolling: number;
}

export function preparePollRecord(db: Database) {
  const append = prepareAppend(db);
  const stored = db.query<{ content_hash: string | null; payload: string | null; deleted: number }, [string, string, string]>(
    `SELECT content_hash, deleted, CASE WHEN content_hash IS NULL THEN payload END AS payload
     FROM documents WHERE user_id = ? AND data_type = ? AND document_id = ?`,
  );
  const announcedByWebhook = db.query<{ found: number }, [string, string, string]>(
    "SELECT 1 AS found FROM events WHERE user_id = ? AND data_type = ? AND object_id = ? AND source = 'webhook' LIMIT 1",
  );

  return (userId: string, dataType: string, documents: Record<string, unknown>[], observedAt: string, origin: PollOrigin): PollWrite => {
    const result: PollWrite = { created: [], updated: [], unchanged: 0, onlyByPolling: 0 };
    const seen = new Set<string>();
    for (const document of documents) {
      const objectId = document.id;
      if (typeof objectId !== "string" || objectId === "" || seen.has(objectId)) continue;
      seen.add(objectId);
      if (dataType === "sleep" && document.type === "deleted") continue;
      const payload = JSON.stringify(document);
      const hash = contentHash(payload);
      const before = stored.get(userId, dataType, objectId);
      if (before?.deleted) continue;
      if (before && (before.content_hash ?? contentHash(before.payload ?? "")) === hash) {
        result.unchanged++;
        continue;
      }
      const eventType = before ? "update" : "create";
      const notification = { event_type: eventType, data_type: dataType, object_id: objectId, event_time: observedAt, user_id: userId, origin };
      const row: AppendRow = {
        fetch_status: "fetched",
        document: payload,
        day: documentDayOr(document),
        received_at: observedAt,
        source: "poll",
        event_type: eventType,
        data_type: dataType,
        object_id: objectId,
        event_time: observedAt,
        event_time_ms: instantMs(observedAt),
        user_id: userId,
        notification: JSON.stringify(notification),
      };
      const outcome = append(row);
      if (!outcome.created) continue;
      if (before) result.updated.push({ id: outcome.id, row });
      else {
        result.created.push({ id: outcome.id, row });
        if (!announcedByWebhook.get(userId, dataType, objectId)) result.onlyByPolling++;
      }
    }
    return result;
  };
}
