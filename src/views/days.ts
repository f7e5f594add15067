// Oura's days as a wearer reads them. A day is a date, never shifted by a time zone.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const written = new Map<string, string>();

/** "Nov 26" (remembered: a page writes the same few days hundreds of times). */
export function shortDay(day: string): string {
  let text = written.get(day);
  if (text === undefined) {
    text = `${MONTHS[Number(day.slice(5, 7)) - 1]} ${Number(day.slice(8, 10))}`;
    if (written.size < 4096) written.set(day, text);
  }
  return text;
}
