// A stored document as the detail drawer shows it: JSON indented, but a list of plain values (a day's 1,440 MET
// readings, a night's 5-minute heart rates) kept on one line, and each long numeric series summarised.

const isPlain = (value: unknown) => value === null || typeof value !== "object";

/** JSON.stringify(value, null, 2), except that arrays of plain values stay on one line. */
export function compactJson(value: unknown, indent = ""): string {
  if (isPlain(value)) return JSON.stringify(value) ?? "null";
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every(isPlain)) return `[${value.map((item) => JSON.stringify(item) ?? "null").join(", ")}]`;
    return `[\n${value.map((item) => `${inner}${compactJson(item, inner)}`).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${compactJson(item, inner)}`).join(",\n")}\n${indent}}`;
}

export interface SeriesSummary {
  /** Where it is in the document, e.g. "met.items". */
  path: string;
  count: number;
  min: number;
  mean: number;
  max: number;
  /** The series in at most SPARK_POINTS buckets (each its readings' mean; null where it has none), for a small curve. */
  spark: (number | null)[];
}

const SPARK_POINTS = 60;

function buckets(values: unknown[]): (number | null)[] {
  const size = Math.max(1, Math.ceil(values.length / SPARK_POINTS));
  const out: (number | null)[] = [];
  for (let from = 0; from < values.length; from += size) {
    let sum = 0;
    let n = 0;
    for (let i = from; i < Math.min(values.length, from + size); i++) {
      const v = values[i];
      if (typeof v === "number" && Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    out.push(n === 0 ? null : sum / n);
  }
  return out;
}

/** Numeric series of at least `minLength` values anywhere in the document (nulls skipped, as Oura leaves gaps). */
export function numericSeries(value: unknown, minLength = 24, path = ""): SeriesSummary[] {
  if (isPlain(value)) return [];
  if (Array.isArray(value)) {
    const numbers = value.filter((item): item is number => typeof item === "number" && Number.isFinite(item));
    if (value.length >= minLength && numbers.length > 0 && value.every((item) => item === null || typeof item === "number")) {
      // One pass for all three.
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (const n of numbers) {
        min = Math.min(min, n);
        max = Math.max(max, n);
        sum += n;
      }
      return [{ path: path || "(document)", count: value.length, min, mean: sum / numbers.length, max, spark: buckets(value) }];
    }
    return value.flatMap((item, index) => numericSeries(item, minLength, `${path}[${index}]`));
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => numericSeries(item, minLength, path ? `${path}.${key}` : key));
}
