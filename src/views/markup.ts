// A small escaping template for the markup a page repeats hundreds of times (chart points, value tables). Every
// interpolated value is escaped unless it is markup made by this same template, as with hono/html — which, measured
// here, was half of a dashboard's chart rendering (a String object and an escape pass per value): bench/reads.ts.
import { raw } from "hono/html";

export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const SPECIAL = /[&<>"']/;
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeText(text: string): string {
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ENTITIES[c]!) : text;
}

function piece(value: unknown): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) {
    let out = "";
    for (const item of value) out += piece(item);
    return out;
  }
  if (value === null || value === undefined || value === false) return "";
  return typeof value === "number" ? String(value) : escapeText(String(value));
}

/** `markup\`<text x="${x}">${label}</text>\``: values escaped, nested markup and arrays of it kept as they are. */
export function markup(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1]!;
  return new Markup(out);
}

/** Markup placed in a hono/jsx tree (already escaped by `markup`). */
export const inJsx = (made: Markup) => raw(made.text);

/** A coordinate with one decimal, without toFixed's cost. */
export const coordinate = (value: number) => Math.round(value * 10) / 10;
