// Reading a value from an Oura document for a view: the value when it has the shape and range a view can show, else
// null ("missing") — so a malformed value costs that value, in one place, never a throw in a view.

/** Larger than any value Oura measures (a second of a day, a step count): a number past it cannot be drawn (max − min overflows). */
export const PLAUSIBLE_LIMIT = 1e9;

/** A finite number in [low, high]. */
export const numberIn = (value: unknown, low = -PLAUSIBLE_LIMIT, high = PLAUSIBLE_LIMIT): number | null =>
  typeof value === "number" && Number.isFinite(value) && value >= low && value <= high ? value : null;

/** A heart rate: 255 is Oura's "no reading" (a nap's lowest_heart_rate), and 0 is none either. */
export const heartRateOr = (value: unknown): number | null => numberIn(value, 1, 254);

/** A short text (a label, an activity, a level); empty or longer than `longest` is missing. */
export const textOr = (value: unknown, longest = 80): string | null => (typeof value === "string" && value.length > 0 && value.length <= longest ? value : null);

/** Instants a ring can have recorded: Oura began in 2015; far-future years (+275760) break date arithmetic. */
const EARLIEST_MS = Date.parse("2010-01-01T00:00:00Z");
const LATEST_MS = Date.parse("2100-01-01T00:00:00Z");

/** An instant with its offset, as Oura writes times; anything else, or out of 2010–2100, is missing. */
export function instantOr(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 40) return null;
  const ms = Date.parse(value);
  return ms >= EARLIEST_MS && ms < LATEST_MS ? value : null;
}

/** Seconds from `start` to `end` when both are instants and the span is positive and under a day. */
export function secondsBetween(start: unknown, end: unknown): number | null {
  const from = instantOr(start);
  const to = instantOr(end);
  if (from === null || to === null) return null;
  const seconds = (Date.parse(to) - Date.parse(from)) / 1000;
  return seconds > 0 && seconds <= 86_400 ? seconds : null;
}
