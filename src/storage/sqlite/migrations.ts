// Schema history, applied in order and recorded in PRAGMA user_version.
import { DAILY_METRIC_FIELDS, FIRST_METRIC_FIELDS } from "../../oura/daily-metrics.ts";

const sqlText = (value: string) => `'${value.replaceAll("'", "''")}'`;

// The daily numbers of a document written as it is stored (documents are kept whole, and charts would otherwise
// parse every document of every day they show). Recomputed whenever the document row changes. Migration 4's form;
// migration 10 replaces the triggers with the one below, which also reads levels ("solid" → 3).
const insertDocumentValues = `INSERT OR IGNORE INTO document_values (metric, day, user_id, document_id, value)
     SELECT f.metric, new.day, new.user_id, new.document_id, json_extract(new.payload, f.path)
     FROM metric_fields f
     WHERE f.data_type = new.data_type AND new.deleted = 0 AND new.day IS NOT NULL AND json_valid(new.payload)
       AND json_type(new.payload, f.path) IN ('integer', 'real')
       AND (f.main_sleep_only = 0 OR coalesce(json_extract(new.payload, '$.type'), 'long_sleep') = 'long_sleep');`;
/** A field's number, or the 1-based position of its text in the field's `levels` (a resilience level, a stress summary). */
const metricValue = (payload: string) => `CASE WHEN json_type(${payload}, f.path) IN ('integer', 'real') THEN json_extract(${payload}, f.path)
       WHEN f.levels IS NOT NULL AND json_type(${payload}, f.path) = 'text' THEN (SELECT l.key + 1 FROM json_each(f.levels) l WHERE l.value = json_extract(${payload}, f.path)) END`;
const insertDocumentValuesWithLevels = `INSERT OR IGNORE INTO document_values (metric, day, user_id, document_id, value)
     SELECT * FROM (SELECT f.metric, new.day, new.user_id, new.document_id, ${metricValue("new.payload")} AS value
       FROM metric_fields f
       WHERE f.data_type = new.data_type AND new.deleted = 0 AND new.day IS NOT NULL AND json_valid(new.payload)
         AND (f.main_sleep_only = 0 OR coalesce(json_extract(new.payload, '$.type'), 'long_sleep') = 'long_sleep'))
     WHERE value IS NOT NULL;`;
const deleteDocumentValues = `DELETE FROM document_values
     WHERE user_id = old.user_id AND day = old.day AND document_id = old.document_id
       AND metric IN (SELECT metric FROM metric_fields WHERE data_type = old.data_type);`;

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
  // 2: the Oura account link. Each create/update event is its own durable fetch job (fetch_status 'pending').
  `ALTER TABLE events ADD COLUMN fetch_attempts INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE events ADD COLUMN next_fetch_at_ms INTEGER;
   CREATE INDEX events_fetch_queue ON events (next_fetch_at_ms) WHERE fetch_status = 'pending';
   CREATE INDEX events_awaiting_link ON events (user_id) WHERE fetch_status = 'awaiting_link';
   CREATE TABLE oura_accounts (
     user_id              TEXT PRIMARY KEY,
     access_token         TEXT,
     refresh_token        TEXT,
     access_expires_at_ms INTEGER,
     scopes               TEXT,
     needs_reauth         INTEGER NOT NULL DEFAULT 0,
     reauth_reason        TEXT,
     token_version        INTEGER NOT NULL DEFAULT 0,
     linked_at            TEXT NOT NULL,
     updated_at           TEXT NOT NULL
   );
   CREATE TABLE oauth_states (
     state         TEXT PRIMARY KEY,
     browser       TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL
   );
   CREATE TABLE sessions (
     id            TEXT PRIMARY KEY,
     user_id       TEXT,
     created_at_ms INTEGER NOT NULL,
     expires_at_ms INTEGER NOT NULL
   );
   CREATE TABLE documents (
     user_id     TEXT NOT NULL,
     data_type   TEXT NOT NULL,
     document_id TEXT NOT NULL,
     day         TEXT,
     payload     TEXT,
     deleted     INTEGER NOT NULL DEFAULT 0,
     event_id    INTEGER,
     fetched_at  TEXT NOT NULL,
     PRIMARY KEY (user_id, data_type, document_id)
   );
   CREATE INDEX documents_by_day ON documents (data_type, day);`,
  // 3: reads that do not grow with the table. Each index is one more B-tree written by every ingest commit, so only
  // those a listed read needs (measured with bench/reads.ts at 1,000,000 events; the ingest cost is in the README).
  `CREATE INDEX events_by_type ON events (data_type, id);
   CREATE INDEX events_by_time ON events (event_time_ms);
   -- Deletes are rare: a small partial index finds them without one for every event type.
   CREATE INDEX events_deletes ON events (id) WHERE event_type = 'delete';
   -- How many events each user has, kept by triggers so that no request counts the table.
   CREATE TABLE event_counts (user_id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO event_counts (user_id, n) SELECT user_id, count(*) FROM events GROUP BY user_id;
   CREATE TRIGGER event_counts_insert AFTER INSERT ON events BEGIN
     INSERT INTO event_counts (user_id, n) VALUES (new.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET n = n + 1;
   END;
   CREATE TRIGGER event_counts_delete AFTER DELETE ON events BEGIN
     UPDATE event_counts SET n = n - 1 WHERE user_id = old.user_id;
   END;`,
  // 4: daily metric values extracted from documents when they are written (see oura/daily-metrics.ts).
  `CREATE TABLE metric_fields (metric TEXT PRIMARY KEY, data_type TEXT NOT NULL, path TEXT NOT NULL, main_sleep_only INTEGER NOT NULL);
   INSERT INTO metric_fields (metric, data_type, path, main_sleep_only) VALUES
     ${FIRST_METRIC_FIELDS.map((f) => `(${sqlText(f.metric)}, ${sqlText(f.dataType)}, ${sqlText(f.path)}, ${f.mainSleepOnly ? 1 : 0})`).join(",\n     ")};
   CREATE TABLE document_values (
     metric      TEXT NOT NULL,
     day         TEXT NOT NULL,
     user_id     TEXT NOT NULL,
     document_id TEXT NOT NULL,
     value       REAL NOT NULL,
     PRIMARY KEY (user_id, metric, day, document_id)
   ) WITHOUT ROWID;
   -- Sum and count of every user's values per metric and day (the API token's dashboard reads a few hundred rows,
   -- however many users there are).
   CREATE TABLE metric_days (
     metric TEXT NOT NULL,
     day    TEXT NOT NULL,
     total  REAL NOT NULL,
     n      INTEGER NOT NULL,
     PRIMARY KEY (metric, day)
   ) WITHOUT ROWID;
   CREATE TRIGGER metric_days_insert AFTER INSERT ON document_values BEGIN
     INSERT INTO metric_days (metric, day, total, n) VALUES (new.metric, new.day, new.value, 1)
       ON CONFLICT (metric, day) DO UPDATE SET total = total + excluded.total, n = n + 1;
   END;
   CREATE TRIGGER metric_days_delete AFTER DELETE ON document_values BEGIN
     UPDATE metric_days SET total = total - old.value, n = n - 1 WHERE metric = old.metric AND day = old.day;
   END;
   -- One user's documents of a type over a range of days (GET /documents?user_id=…), without reading other users'.
   CREATE INDEX documents_by_user_day ON documents (user_id, data_type, day);
   CREATE TRIGGER document_values_insert AFTER INSERT ON documents BEGIN
     ${insertDocumentValues}
   END;
   CREATE TRIGGER document_values_update AFTER UPDATE ON documents BEGIN
     ${deleteDocumentValues}
     ${insertDocumentValues}
   END;
   CREATE TRIGGER document_values_delete AFTER DELETE ON documents BEGIN
     ${deleteDocumentValues}
   END;
   INSERT INTO document_values (metric, day, user_id, document_id, value)
     SELECT f.metric, d.day, d.user_id, d.document_id, json_extract(d.payload, f.path)
     FROM documents d JOIN metric_fields f ON f.data_type = d.data_type
     WHERE d.deleted = 0 AND d.day IS NOT NULL AND json_valid(d.payload)
       AND json_type(d.payload, f.path) IN ('integer', 'real')
       AND (f.main_sleep_only = 0 OR coalesce(json_extract(d.payload, '$.type'), 'long_sleep') = 'long_sleep');`,
  // 5: polling. A hash of each stored document (a poll announces only what changed), where each user's polls stand,
  // and heart-rate samples (time series, not documents: one row per sample, no event).
  `ALTER TABLE documents ADD COLUMN content_hash TEXT;
   CREATE TABLE poll_state (
     user_id         TEXT    NOT NULL,
     data_type       TEXT    NOT NULL,
     last_success_at TEXT,
     last_error      TEXT,
     last_error_at   TEXT,
     next_run_at_ms  INTEGER NOT NULL DEFAULT 0,
     documents_seen  INTEGER NOT NULL DEFAULT 0,
     created         INTEGER NOT NULL DEFAULT 0,
     updated         INTEGER NOT NULL DEFAULT 0,
     only_by_polling INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (user_id, data_type)
   ) WITHOUT ROWID;
   CREATE TABLE heartrate_samples (
     user_id TEXT    NOT NULL,
     at_ms   INTEGER NOT NULL,
     bpm     INTEGER NOT NULL,
     source  TEXT,
     PRIMARY KEY (user_id, at_ms)
   ) WITHOUT ROWID;`,
  // 6: history backfills, walked in steps (a window of one data type), newest first; steps_done makes them resumable.
  `CREATE TABLE backfills (
     id               INTEGER PRIMARY KEY AUTOINCREMENT,
     user_id          TEXT    NOT NULL,
     start_date       TEXT    NOT NULL,
     end_date         TEXT    NOT NULL,
     data_types       TEXT    NOT NULL,
     state            TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'cancelled', 'failed')),
     steps_total      INTEGER NOT NULL,
     steps_done       INTEGER NOT NULL DEFAULT 0,
     documents_stored INTEGER NOT NULL DEFAULT 0,
     requests_used    INTEGER NOT NULL DEFAULT 0,
     busy_ms          INTEGER NOT NULL DEFAULT 0,
     error            TEXT,
     created_at       TEXT    NOT NULL,
     finished_at      TEXT
   );
   -- One unfinished backfill per user at a time.
   CREATE UNIQUE INDEX backfills_one_active ON backfills (user_id) WHERE state IN ('queued', 'running');`,
  // 7: the warehouse outbox. Events need no row of their own: they ship in id order, and the last shipped id (a
  // setting, present only in warehouse mode) is the outbox's head, so ingest writes nothing extra. Documents change in
  // place; each change marks its key here (triggers created only in warehouse mode, see sqlite/outbox.ts).
  `CREATE TABLE document_outbox (
     user_id     TEXT    NOT NULL,
     data_type   TEXT    NOT NULL,
     document_id TEXT    NOT NULL,
     version     INTEGER NOT NULL DEFAULT 1,
     marked_at   TEXT    NOT NULL,
     PRIMARY KEY (user_id, data_type, document_id)
   ) WITHOUT ROWID;
   -- Warehouse mode keeps the sealed token rows in Delta too: the token_version last confirmed there, and whether the
   -- refresh token was handed to another server (oura-streaming token handoff), which this one must then never use.
   ALTER TABLE oura_accounts ADD COLUMN mirrored_version INTEGER NOT NULL DEFAULT 0;
   -- Events read back from the warehouse (after a redeploy): in Delta already, so never in the outbox.
   ALTER TABLE events ADD COLUMN restored INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE oura_accounts ADD COLUMN handed_off_at TEXT;
   -- Heart-rate samples are inserted once each and never change: a mark per new sample (warehouse mode's trigger).
   CREATE TABLE heartrate_outbox (
     user_id TEXT    NOT NULL,
     at_ms   INTEGER NOT NULL,
     PRIMARY KEY (user_id, at_ms)
   ) WITHOUT ROWID;`,
  // 8: who may do what. The Oura account's email (from personal_info, for OPERATOR_EMAILS and ALLOWED_EMAILS), when
  // an operator promoted the user, and single-use invitations (only a digest of each link's secret is kept).
  `ALTER TABLE oura_accounts ADD COLUMN email TEXT;
   ALTER TABLE oura_accounts ADD COLUMN operator_since TEXT;
   CREATE TABLE invitations (
     id            TEXT    PRIMARY KEY,
     secret_digest TEXT    NOT NULL UNIQUE,
     created_by    TEXT    NOT NULL,
     note          TEXT,
     created_at_ms INTEGER NOT NULL,
     expires_at_ms INTEGER NOT NULL,
     used_at_ms    INTEGER,
     used_by       TEXT,
     revoked_at_ms INTEGER
   );`,
  // 9: exports walk the documents newest day first, a page at a time, each page seeking to where the last one ended
  // (sqlite/document-pages.ts). Without this index every page sorted all matching documents again. Its columns are
  // not the ones a fetch rewrites (payload, fetched_at), so updating a stored document does not touch it.
  `CREATE INDEX documents_export ON documents (day, data_type, user_id);`,
  // 10: every daily number a wearer's dashboard charts (stress, resilience, SpO2, VO2 max, cardiovascular age,
  // temperature), some of them levels written as text; and a display name a wearer may set for themselves.
  `ALTER TABLE metric_fields ADD COLUMN levels TEXT;
   INSERT OR REPLACE INTO metric_fields (metric, data_type, path, main_sleep_only, levels) VALUES
     ${DAILY_METRIC_FIELDS.map((f) => `(${sqlText(f.metric)}, ${sqlText(f.dataType)}, ${sqlText(f.path)}, ${f.mainSleepOnly ? 1 : 0}, ${f.levels ? sqlText(JSON.stringify(f.levels)) : "NULL"})`).join(",\n     ")};
   DROP TRIGGER document_values_insert;
   DROP TRIGGER document_values_update;
   CREATE TRIGGER document_values_insert AFTER INSERT ON documents BEGIN
     ${insertDocumentValuesWithLevels}
   END;
   CREATE TRIGGER document_values_update AFTER UPDATE ON documents BEGIN
     ${deleteDocumentValues}
     ${insertDocumentValuesWithLevels}
   END;
   INSERT OR IGNORE INTO document_values (metric, day, user_id, document_id, value)
     SELECT * FROM (SELECT f.metric, d.day, d.user_id, d.document_id, ${metricValue("d.payload")} AS value
       FROM metric_fields f JOIN documents d ON d.data_type = f.data_type
       WHERE f.metric NOT IN (${FIRST_METRIC_FIELDS.map((f) => sqlText(f.metric)).join(", ")})
         AND d.deleted = 0 AND d.day IS NOT NULL AND json_valid(d.payload))
     WHERE value IS NOT NULL;
   ALTER TABLE oura_accounts ADD COLUMN display_name TEXT;
   -- Counts of changes to each user's documents (and, under the user '', to linked users and their names): the
   -- dashboard keeps what it drew from them until a count it depends on moves (views/render-cache.ts). One small
   -- write in the same transaction as the change; a change by any process counts.
   CREATE TABLE document_changes (user_id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
   CREATE TRIGGER document_changes_insert AFTER INSERT ON documents BEGIN
     INSERT INTO document_changes (user_id, n) VALUES (new.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET n = n + 1;
   END;
   CREATE TRIGGER document_changes_update AFTER UPDATE ON documents BEGIN
     INSERT INTO document_changes (user_id, n) VALUES (new.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET n = n + 1;
   END;
   CREATE TRIGGER document_changes_delete AFTER DELETE ON documents BEGIN
     INSERT INTO document_changes (user_id, n) VALUES (old.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET n = n + 1;
   END;
   CREATE TRIGGER document_changes_names AFTER UPDATE OF display_name, email ON oura_accounts BEGIN
     INSERT INTO document_changes (user_id, n) VALUES ('', 1) ON CONFLICT (user_id) DO UPDATE SET n = n + 1;
   END;
   CREATE TRIGGER document_changes_linked AFTER INSERT ON oura_accounts BEGIN
     INSERT INTO document_changes (user_id, n) VALUES ('', 1) ON CONFLICT (user_id) DO UPDATE SET n = n + 1;
   END;
   CREATE TRIGGER document_changes_unlinked AFTER DELETE ON oura_accounts BEGIN
     INSERT INTO document_changes (user_id, n) VALUES ('', 1) ON CONFLICT (user_id) DO UPDATE SET n = n + 1;
   END;
   -- An enhanced tag has no day but a start_day: stored undated until now, so no range of days found it.
   UPDATE documents SET day = json_extract(payload, '$.start_day')
     WHERE data_type = 'enhanced_tag' AND day IS NULL AND json_valid(payload)
       AND json_extract(payload, '$.start_day') GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'
       AND date(json_extract(payload, '$.start_day')) = json_extract(payload, '$.start_day');`,
  // 11: outgoing webhooks (#22). An event becomes news for the endpoints once it is final (its document fetched, or
  // known not to come): a trigger queues it in the same commit, and only while some endpoint is enabled, so ingest
  // pays one EXISTS on an empty table otherwise. Events read back from the warehouse are not news (restored = 1).
  // The dispatcher turns the queue into one delivery per matching endpoint (hooks/dispatcher.ts).
  `CREATE TABLE hook_endpoints (
     id              TEXT PRIMARY KEY,
     owner_user_id   TEXT,
     url             TEXT NOT NULL,
     secret          TEXT NOT NULL,
     data_types      TEXT,
     event_types     TEXT,
     user_ids        TEXT,
     description     TEXT,
     enabled         INTEGER NOT NULL DEFAULT 1,
     disabled_reason TEXT,
     disabled_at     TEXT,
     failing_since   TEXT,
     created_at      TEXT NOT NULL,
     updated_at      TEXT NOT NULL
   );
   CREATE TABLE hook_queue (event_id INTEGER PRIMARY KEY);
   CREATE TABLE hook_deliveries (
     id                 INTEGER PRIMARY KEY AUTOINCREMENT,
     endpoint_id        TEXT    NOT NULL,
     event_id           INTEGER NOT NULL,
     message_id         TEXT    NOT NULL,
     status             TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
     attempts           INTEGER NOT NULL DEFAULT 0,
     next_attempt_at_ms INTEGER,
     last_status_code   INTEGER,
     last_error         TEXT,
     last_response_ms   INTEGER,
     last_attempt_at    TEXT,
     created_at         TEXT    NOT NULL,
     delivered_at       TEXT
   );
   CREATE INDEX hook_deliveries_due ON hook_deliveries (endpoint_id, next_attempt_at_ms) WHERE status = 'pending';
   CREATE INDEX hook_deliveries_endpoint ON hook_deliveries (endpoint_id, id);
   CREATE INDEX hook_deliveries_event ON hook_deliveries (event_id);
   CREATE TRIGGER hook_queue_insert AFTER INSERT ON events
     WHEN new.fetch_status IN ('fetched', 'not_fetched', 'deleted', 'missing', 'failed') AND EXISTS (SELECT 1 FROM hook_endpoints WHERE enabled = 1)
   BEGIN
     INSERT OR IGNORE INTO hook_queue (event_id) VALUES (new.id);
   END;
   CREATE TRIGGER hook_queue_final AFTER UPDATE OF fetch_status ON events
     WHEN new.fetch_status IN ('fetched', 'not_fetched', 'deleted', 'missing', 'failed') AND old.fetch_status IS NOT new.fetch_status
       AND new.restored = 0 AND EXISTS (SELECT 1 FROM hook_endpoints WHERE enabled = 1)
   BEGIN
     INSERT OR IGNORE INTO hook_queue (event_id) VALUES (new.id);
   END;
   CREATE TRIGGER hook_queue_restored AFTER UPDATE OF restored ON events WHEN new.restored = 1
   BEGIN
     DELETE FROM hook_queue WHERE event_id = new.id;
   END;
   CREATE TRIGGER hook_event_deleted AFTER DELETE ON events
     WHEN EXISTS (SELECT 1 FROM hook_endpoints)
   BEGIN
     DELETE FROM hook_queue WHERE event_id = old.id;
     DELETE FROM hook_deliveries WHERE event_id = old.id;
   END;`,
  // 12: AI assistants (#23). Per-wearer MCP access tokens, kept as a SHA-256 digest only (the token is shown once),
  // and every tool call an assistant made: which token ('api' for API_TOKEN), whose data, the tool and its arguments.
  `CREATE TABLE mcp_tokens (
     id           TEXT PRIMARY KEY,
     user_id      TEXT NOT NULL,
     name         TEXT NOT NULL,
     token_digest TEXT NOT NULL UNIQUE,
     created_at   TEXT NOT NULL,
     last_used_at TEXT,
     revoked_at   TEXT
   );
   CREATE INDEX mcp_tokens_user ON mcp_tokens (user_id);
   CREATE TABLE mcp_access_log (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     token_id    TEXT    NOT NULL,
     user_id     TEXT,
     tool        TEXT    NOT NULL,
     arguments   TEXT    NOT NULL,
     at          TEXT    NOT NULL,
     outcome     TEXT    NOT NULL CHECK (outcome IN ('ok', 'error')),
     duration_ms INTEGER NOT NULL
   );
   CREATE INDEX mcp_access_log_user ON mcp_access_log (user_id, id);`,
];
