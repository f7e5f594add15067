import { z } from "@hono/zod-openapi";

export const Health = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    version: z.string(),
    uptime_seconds: z.number(),
    database: z.object({ ok: z.boolean() }),
    events_stored: z.number().int().nullable(),
    last_event_at: z.string().nullable().openapi({ description: "received_at of the newest event." }),
    oura: z.object({
      oauth_configured: z.boolean(),
      linked_users: z.number().int(),
      needs_reauth: z.number().int().openapi({ description: "Linked users whose refresh token Oura refused: they must sign in again." }),
    }),
  })
  .openapi("Health");
export type Health = z.infer<typeof Health>;
