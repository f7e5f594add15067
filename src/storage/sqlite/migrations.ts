// Schema history, applied in order and recorded in PRAGMA user_version.
export const MIGRATIONS: string[] = [
  `CREATE TABLE events (
     id            INTEGER PRIMARY KEY AUTOINCREMENT,
     received_at   TEXT    NOT NULL,
     source        TEXT    NOT NULL CHECK (source IN ('webhook', 'poll')),
     event_type    TEXT    NOT NULL,
     data_type     TEXT    NOT NULL,
     object_id     TEXT    NOT NULL,
     event_time    TEXT    NOT NULL,
     event_time_ms INTEGER NOT NULL,
     user_id       TEXT    NOT NULL,
     notification  TEXT    NOT NULL,
     document      TEXT,
     fetch_status  TEXT,
     fetch_error   TEXT,
     fetched_at    TEXT
   );
   -- Redeliveries are the same (user, type, object, event type, instant); the instant is compared as a number
   -- so "+00:00" and "Z" spellings of one time are one event.
   CREATE UNIQUE INDEX events_identity ON events (user_id, data_type, object_id, event_type, event_time_ms);
   -- Deliberately no other index: each one is more pages to write and fsync on every ingest commit. Listing walks
   -- the rowid (newest first) and filters; received_at follows the rowid, so retention can delete by id range.
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];
