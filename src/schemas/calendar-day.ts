// A day parameter (YYYY-MM-DD, a real calendar day): one schema for the API and the dashboard.
import { z } from "@hono/zod-openapi";
import { isCalendarDay } from "../time/calendar-day.ts";

const SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** A wrong shape is one message, an impossible day (2026-02-30) another: never both for one value. */
export const CalendarDay = z
  .string()
  .regex(SHAPE, { error: "expected a day as YYYY-MM-DD" })
  .refine((day) => !SHAPE.test(day) || isCalendarDay(day), { error: "not a calendar day" });
