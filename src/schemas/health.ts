// GET /health: what a load balancer or an uptime checker reads.
import { z } from "@hono/zod-openapi";

export const Health = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    version: z.string(),
    uptime_seconds: z.number(),
    database: z.object({
      ok: z.boolean().openapi({ description: "The database answers and writes to it are kept." }),
      writable: z.boolean().openapi({ description: "False while a write would not be kept (the last commit failed, or the file at DATABASE_PATH is not the one open)." }),
      state: z.enum(["ok", "write_failed", "file_removed", "file_replaced", "unreachable"]),
      problem: z.string().optional().openapi({ description: "What is wrong and what the server does about it." }),
      last_commit_at: z.string().nullable(),
      last_failure_at: z.string().nullable(),
    }),
    events_stored: z.number().int().nullable(),
    last_event_at: z.string().nullable().openapi({ description: "received_at of the newest event." }),
    oura: z.object({
      oauth_configured: z.boolean(),
      linked_users: z.number().int(),
      needs_reauth: z.number().int().openapi({ description: "Linked users whose refresh token Oura refused: they must sign in again." }),
    }),
    polling: z
      .object({
        mode: z.enum(["poll", "reconcile", "off"]),
        pairs: z.number().int().openapi({ description: "(user, data type) pairs polled so far." }),
        failing: z.number().int().openapi({ description: "Pairs whose last run failed (details in GET /polling)." }),
        last_success_at: z.string().nullable(),
      })
      .openapi({ description: "Counts only; GET /polling has the details." }),
    storage_backend: z.enum(["sqlite", "warehouse"]),
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
        last_error: z.string().nullable().openapi({ description: "The warehouse's own message for the last failure (e.g. a FAILED statement's)." }),
        last_error_at: z.string().nullable(),
        shipped_events: z.number().int().openapi({ description: "Events shipped since this server started." }),
        tables: z.object({ events: z.string(), documents: z.string(), heart_rate: z.string(), tokens: z.string() }),
      })
      .nullable()
      .openapi({ description: "STORAGE_BACKEND=warehouse: the outbox and the Delta tables it feeds; null with sqlite." }),
  })
  .openapi("Health");
export type Health = z.infer<typeof Health>;
