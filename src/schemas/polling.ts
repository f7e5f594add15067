// GET /polling: where the poller (or the reconciliation) stands, per user and data type, and the Oura request budget.
import { z } from "@hono/zod-openapi";

export const PollPair = z
  .object({
    user_id: z.string(),
    data_type: z.string(),
    last_success_at: z.string().nullable(),
    last_error: z.string().nullable().openapi({ description: "The last failure's reason (kept after a later success; compare the times)." }),
    last_error_at: z.string().nullable(),
    next_run_at: z.string().nullable(),
    documents_seen: z.number().int().openapi({ description: "Documents (or samples) read by every run so far." }),
    created: z.number().int(),
    updated: z.number().int(),
    only_by_polling: z.number().int().openapi({ description: "New documents that no webhook announced: missed webhooks, when webhooks are on." }),
  })
  .openapi("PollPair");

export const PollingStatus = z
  .object({
    mode: z.enum(["poll", "reconcile", "off"]).openapi({ description: "poll: POLLING_ENABLED; reconcile: polling off, a light poll every RECONCILE_INTERVAL_HOURS; off: neither (or no Oura sign-in)." }),
    interval_seconds: z.number().nullable(),
    lookback_days: z.number().int(),
    data_types: z.array(z.string()),
    budget: z
      .object({
        limit: z.number().int(),
        window_seconds: z.number(),
        used_in_window: z.number().int(),
        paused_until: z.string().nullable().openapi({ description: "Set while Oura asked to wait (429 Retry-After or X-RateLimit-Reset)." }),
        waiting: z.object({ fetch: z.number().int(), poll: z.number().int(), backfill: z.number().int() }),
        requests_total: z.number().int(),
      })
      .nullable(),
    pairs: z.array(PollPair),
  })
  .openapi("PollingStatus");
export type PollingStatus = z.infer<typeof PollingStatus>;
