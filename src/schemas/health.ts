import { z } from "@hono/zod-openapi";

export const Health = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    version: z.string(),
    uptime_seconds: z.number(),
    database: z.object({ ok: z.boolean() }),
    events_stored: z.number().int().nullable(),
    last_event_at: z.string().nullable().openapi({ description: "received_at of the newest event." }),
  })
  .openapi("Health");
export type Health = z.infer<typeof Health>;
