// POST /backfill and what a backfill's progress looks like.
import { isCalendarDay } from "../time/calendar-day.ts";
import { CalendarDay } from "./calendar-day.ts";
import { z } from "@hono/zod-openapi";
import { POLLABLE_DATA_TYPES } from "../oura/data-types.ts";

const Day = CalendarDay;
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
/** The first Oura ring shipped in 2015: no account holds data from before (the bound of every import). */
export const OURA_HISTORY_STARTS = "2015-01-01";
/** Whole-body checks only when both days are valid: a bad day is one message, not four. */
const bothDays = (b: { start_date: string; end_date: string }) => isCalendarDay(b.start_date) && isCalendarDay(b.end_date);

export const NewBackfill = z
  .object({
    user_id: z.string().min(1).max(256).optional().openapi({ description: "The Oura user (the API token must say which; a session backfills its own user)." }),
    start_date: Day.openapi({ example: "2026-09-01" }),
    end_date: Day.openapi({ example: "2026-11-30" }),
    data_types: z
      .array(z.enum(POLLABLE_DATA_TYPES))
      .min(1)
      .optional()
      .openapi({ description: "Default: POLL_DATA_TYPES (every list route)." }),
  })
  .refine((b) => !bothDays(b) || b.start_date <= b.end_date, { error: "start_date is after end_date", path: ["start_date"] })
  .refine((b) => !bothDays(b) || b.start_date >= OURA_HISTORY_STARTS, { error: `Oura keeps nothing older than the first Oura ring: start_date may not be before ${OURA_HISTORY_STARTS}`, path: ["start_date"] })
  // The wearer's today may be a day ahead of UTC; anything later has not happened yet.
  .refine((b) => !bothDays(b) || dayMs(b.end_date) <= Date.now() + 86_400_000, { error: "end_date is in the future", path: ["end_date"] })
  .openapi("NewBackfill");

export const BackfillProgress = z
  .object({
    id: z.number().int(),
    user_id: z.string(),
    start_date: z.string(),
    end_date: z.string(),
    data_types: z.array(z.string()),
    state: z.enum(["queued", "running", "done", "cancelled", "failed"]),
    steps_total: z.number().int().openapi({ description: "Windows to read (one data type over up to 30 days, 7 for heart rate)." }),
    steps_done: z.number().int(),
    percent: z.number().int(),
    documents_stored: z.number().int().openapi({ description: "New or changed documents, and new heart-rate samples." }),
    requests_used: z.number().int(),
    eta_seconds: z.number().int().nullable(),
    error: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi("BackfillProgress");

export const BackfillList = z.object({ backfills: z.array(BackfillProgress) }).openapi("BackfillList");

export const BackfillId = z.object({ id: z.coerce.number().int().min(1).openapi({ param: { name: "id", in: "path" } }) });
