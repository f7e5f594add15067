// The API's instant parameter: an ISO 8601 date or date-time, read by time/instant.ts (UTC unless it has an offset).
import { z } from "@hono/zod-openapi";
import { instantMs } from "../time/instant.ts";

/** A query parameter naming an instant: an ISO 8601 date or date-time; without an offset it is UTC. */
export const Instant = z
  .string()
  .refine((value) => !Number.isNaN(instantMs(value)), { error: "expected an ISO 8601 date or date-time (UTC unless it has an offset)" })
  .openapi({ example: "2026-11-01T00:00:00Z", description: "ISO 8601 date or date-time; without an offset it is read as UTC." });
