// Instants written in ISO 8601. One without an offset is read as UTC, never in this server's time zone: the same text
// must name the same instant on every server (duplicate detection depends on it).

const ISO_8601 = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Milliseconds since the epoch, or NaN when `text` is not an ISO 8601 date or date-time. */
export function instantMs(text: string): number {
  const match = ISO_8601.exec(text.trim());
  if (!match) return NaN;
  const [, date, time = "00:00", offset = "Z"] = match;
  const normalisedOffset = /^[+-]\d{2}$/.test(offset) ? `${offset}:00` : offset.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  // Date.parse keeps milliseconds only; finer digits are dropped rather than rounded.
  const normalisedTime = time.replace(/(\.\d{3})\d+$/, "$1");
  return Date.parse(`${date}T${normalisedTime}${normalisedOffset.toUpperCase()}`);
}
