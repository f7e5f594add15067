// GET /health: what a load balancer or an uptime checker reads (status, version, the database's state), and, for
// operators only, the details: counts, polling, the warehouse, refused webhook deliveries.

const LeaseHolder = z.object({ holder_id: z.string(), host: z.string(), pid: z.number().int() });

const operatorsOnly = "Operators only (the API token or an operator's session); absent for anyone else.";
import { z } from "@hono/zod-openapi";

export const Health = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    version: z.string(),
    uptime_seconds: z.number(),
    database: z.object({
      ok: z.boolean().openapi({ description: "The database answers and writes to it are kept." }),
      writable: z.boolean().optional().openapi({ description: `False while a write would not be kept (the last commit failed, or the file at DATABASE_PATH is not the one open). ${operatorsOnly}` }),
      state: z.enum(["ok", "write_failed", "disk_full", "corrupt", "file_removed", "file_replaced", "unreachable"]).openapi({
        description:
          "write_failed: the last commit failed, retried every second; disk_full: the volume is full, reads work, writes resume by themselves once there is room; corrupt: the file is damaged, which no retry repairs (see the README, \"Backup and recovery\"); file_removed, file_replaced: DATABASE_PATH no longer leads to the open file; unreachable: the database cannot be read.",
      }),
      problem: z.string().optional().openapi({ description: `What is wrong and what the server does about it. ${operatorsOnly}` }),
      last_commit_at: z.string().nullable().optional(),
      last_failure_at: z.string().nullable().optional(),
      disk: z
        .object({
          free_bytes: z.number().int(),
          total_bytes: z.number().int(),
          low_below_bytes: z.number().int().openapi({ description: "64 MiB or 5% of the volume, whichever is more: below it the log warns (storage.disk_low)." }),
          low: z.boolean(),
        })
        .nullable()
        .optional()
        .openapi({ description: `The volume holding the database, at most a second old (null in memory). ${operatorsOnly}` }),
      wal_bytes: z.number().int().optional().openapi({ description: `Size of the write-ahead log file. ${operatorsOnly}` }),
      integrity: z
        .object({ state: z.enum(["running", "ok", "failed"]), checked_at: z.string().nullable(), duration_ms: z.number().int().nullable() })
        .nullable()
        .optional()
        .openapi({ description: `The integrity check (PRAGMA quick_check) run beside serving after each start; failed means state corrupt. ${operatorsOnly}` }),
    }),
    role: z.enum(["anonymous", "operator", "wearer"]).openapi({ description: "Who the details were written for: anonymous callers and wearers get status, version and the database's state only." }),
    events_stored: z.number().int().nullable().optional().openapi({ description: operatorsOnly }),
    last_event_at: z.string().nullable().optional().openapi({ description: `received_at of the newest event. ${operatorsOnly}` }),
    webhooks: z
      .object({
        refused_total: z.number().int().openapi({ description: "Deliveries refused for their signature or timestamp (or for want of a secret) since start." }),
        refused_last_hour: z.number().int(),
        last_reason: z.enum(["invalid_signature", "stale_timestamp", "webhook_secret_missing"]).nullable(),
        last_refused_at: z.string().nullable(),
        last_clock_offset_seconds: z.number().nullable().openapi({ description: "For stale_timestamp: this server's clock minus the sender's timestamp." }),
        last_accepted_at: z.string().nullable(),
        alert: z.string().nullable().openapi({
          description:
            "Refusals keep coming (3 or more in the last hour, with no delivery accepted in between), and their likely cause in words (the secret is not the sending application's; the clock is off). Stray requests between accepted deliveries raise none.",
        }),
      })
      .optional()
      .openapi({ description: operatorsOnly }),
    oura: z
      .object({
        oauth_configured: z.boolean(),
        linked_users: z.number().int(),
        needs_reauth: z.number().int().openapi({ description: "Linked users whose refresh token Oura refused: they must sign in again." }),
        circuit: z
          .object({
            state: z.enum(["closed", "open", "half_open"]).openapi({
              description:
                "closed: requests go to Oura; open: Oura is treated as down after consecutive 5xx or unanswered requests, and the fetcher, poller and backfills send nothing until next_probe_at; half_open: one request is out as the probe, and an answer closes the circuit.",
            }),
            since: z.string().nullable().openapi({ description: "When it opened (open, half_open: the outage's start) or closed again; null: closed since start." }),
            consecutive_failures: z.number().int(),
            failures_total: z.number().int().openapi({ description: "5xx or unanswered requests since start." }),
            opened_total: z.number().int().openapi({ description: "Outages seen since start." }),
            next_probe_at: z.string().nullable(),
            last_failure: z.string().nullable().openapi({ description: "Oura's answer (or why there was none) to the last failed request, anything token-like masked." }),
            last_failure_at: z.string().nullable(),
          })
          .nullable()
          .openapi({ description: "Whether Oura is treated as down (null without Oura sign-in). Fetches wait, uncounted, while it is open." }),
      })
      .optional()
      .openapi({ description: operatorsOnly }),
    polling: z
      .object({
        mode: z.enum(["poll", "reconcile", "off"]),
        pairs: z.number().int().openapi({ description: "(user, data type) pairs polled so far." }),
        failing: z.number().int().openapi({ description: "Pairs whose last run failed (details in GET /polling)." }),
        last_success_at: z.string().nullable(),
      })
      .optional()
      .openapi({ description: `Counts only; GET /polling has the details. ${operatorsOnly}` }),
    storage_backend: z.enum(["sqlite", "warehouse"]).optional().openapi({ description: operatorsOnly }),
    warehouse: z
      .object({
        state: z.enum(["idle", "ok", "waiting", "failing"]).openapi({
          description:
            "idle: nothing to ship since start; ok: the last attempt succeeded; waiting: the warehouse has not started a statement yet (a cold start; since waiting_since); failing: the last attempt failed (last_error says why) and the rows stay queued.",
        }),
        waiting_since: z.string().nullable(),
        pending_events: z.number().int().openapi({ description: "Events acknowledged here and not yet in Delta (the outbox depth)." }),
        pending_documents: z.number().int(),
        pending_heart_rate_samples: z.number().int(),
        oldest_pending_at: z.string().nullable(),
        oldest_pending_age_seconds: z.number().nullable(),
        last_success_at: z.string().nullable(),
        last_error: z.string().nullable().openapi({ description: "The warehouse's own message for the last failure (e.g. a FAILED statement's), with anything token-like masked." }),
        last_error_at: z.string().nullable(),
        shipped_events: z.number().int().openapi({ description: "Events shipped since this server started." }),
        tables: z.object({ events: z.string(), documents: z.string(), heart_rate: z.string(), tokens: z.string() }),
        token_lease: z
          .object({
            state: z.enum(["held", "elsewhere", "free", "unknown"]).openapi({
              description:
                "held: this server may spend refresh tokens; elsewhere: another server sharing the token table holds the lease, and refreshes here wait; free: nobody holds it (taken when a refresh needs it); unknown: not asked yet, or the warehouse did not answer.",
            }),
            this_server: LeaseHolder,
            holder: LeaseHolder.nullable(),
            expires_at: z.string().nullable().openapi({ description: "When the holder's lease ends unless renewed (the warehouse's clock)." }),
            waiting_refreshes: z.number().int(),
            waiting_since: z.string().nullable(),
            checked_at: z.string().nullable(),
            last_error: z.string().nullable(),
          })
          .nullable()
          .openapi({ description: "Among servers sharing one Delta token table, only the lease holder spends Oura refresh tokens (see the README)." }),
      })
      .nullable()
      .optional()
      .openapi({ description: `STORAGE_BACKEND=warehouse: the outbox and the Delta tables it feeds; null with sqlite. ${operatorsOnly}` }),
    mqtt: z
      .object({
        state: z.enum(["connecting", "connected", "refused", "disconnected", "stopped"]).openapi({
          description:
            "connecting: the first attempt is under way; connected: states are published; refused: the broker refused the credentials or client id (last_error says which), asked again with a back-off; disconnected: the broker is unreachable or the link was lost, reconnected with a back-off (1 s doubling to 60 s). Ingest never waits for it.",
        }),
        broker: z.string().openapi({ description: "MQTT_URL without its user or password." }),
        connected_since: z.string().nullable(),
        last_error: z.string().nullable().openapi({ description: "Why the last attempt or publish failed, anything token-like masked." }),
        last_error_at: z.string().nullable(),
        last_published_at: z.string().nullable(),
        devices: z.number().int().openapi({ description: "Linked users with a device in Home Assistant." }),
        pending_users: z.number().int().openapi({ description: "Linked users whose newest states are not published yet." }),
      })
      .nullable()
      .optional()
      .openapi({ description: `MQTT_URL: the link to the broker Home Assistant reads; null when MQTT is off. ${operatorsOnly}` }),
    hooks: z
      .object({
        endpoints: z.number().int(),
        enabled: z.number().int(),
        disabled: z.number().int().openapi({ description: "Turned off by hand, after answering 410 Gone, or after failing for HOOKS_DISABLE_AFTER_DAYS." }),
        disabled_endpoints: z
          .array(z.object({ id: z.string(), reason: z.string().nullable(), disabled_at: z.string().nullable() }))
          .openapi({ description: "The newest ten disabled endpoints and why (null: turned off by hand)." }),
        pending_deliveries: z.number().int().openapi({ description: "Deliveries of enabled endpoints waiting for their first attempt or a retry (a disabled endpoint's wait until it is enabled again)." }),
        failing_endpoints: z.number().int().openapi({ description: "Enabled endpoints whose last attempt failed." }),
        oldest_pending_at: z.string().nullable(),
      })
      .nullable()
      .optional()
      .openapi({ description: `Outgoing webhooks (POST /hooks); null when the database cannot be read. ${operatorsOnly}` }),
  })
  .openapi("Health");
export type Health = z.infer<typeof Health>;
