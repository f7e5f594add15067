// Malformed JSON bodies, and a well-formed sample for a route's JSON schema.
import { bytesOf } from "./bytes.ts";
import type { BodySpec } from "./case-types.ts";
import type { Rng } from "./rng.ts";
import type { JsonSchema } from "./routes.ts";

function deepNesting(depth: number, open = "[", close = "]"): string {
  return open.repeat(depth) + close.repeat(depth);
}

/** Malformed JSON bodies (and some well-formed ones of the wrong shape); names are the mutation labels. */
export function jsonBodies(rng: Rng, sample: Record<string, unknown> | undefined): [string, BodySpec][] {
  const fields = sample && Object.keys(sample).length > 0 ? Object.keys(sample) : ["data_type", "event_type"];
  const field = rng.pick(fields);
  const validText = JSON.stringify(sample ?? { data_type: "daily_sleep", event_type: "create" });
  const wrongType = rng.pick<unknown>([123, -1, 1.5, true, null, [], {}, ["a"], { a: 1 }, "", 1e308]);
  return [
    ["json:truncated", { kind: "text", text: validText.slice(0, 1 + rng.int(Math.max(1, validText.length - 1))) }],
    ["json:empty", { kind: "text", text: "" }],
    ["json:whitespace", { kind: "text", text: " \n\t " }],
    ["json:null", { kind: "text", text: "null" }],
    ["json:array", { kind: "text", text: `[${validText}]` }],
    ["json:string", { kind: "text", text: '"daily_sleep"' }],
    ["json:number", { kind: "text", text: "1e309" }],
    ["json:wrong-type", { kind: "text", text: JSON.stringify({ ...sample, [field]: wrongType }) }],
    ["json:missing-field", { kind: "text", text: JSON.stringify(Object.fromEntries(Object.entries(sample ?? {}).filter(([k]) => k !== field))) }],
    ["json:huge-number", { kind: "text", text: validText.replace(/^\{/, `{"n":${"9".repeat(400)},"m":1e309,"o":-1e-400,`) }],
    ["json:huge-number-field", { kind: "text", text: JSON.stringify({ ...sample }).replace(/^\{/, `{"${field}":${"9".repeat(500)},`) }],
    ["json:deep-array", { kind: "text", text: deepNesting(rng.pick([1_000, 10_000, 50_000])) }],
    ["json:deep-object", { kind: "text", text: '{"a":'.repeat(20_000) + "1" + "}".repeat(20_000) }],
    ["json:invalid-utf8", { kind: "bytes", bytes: bytesOf(validText.slice(0, -2), [0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80], '"}') }],
    ["json:invalid-utf8-value", { kind: "bytes", bytes: bytesOf(`{"${field}":"`, [0xc3, 0x28, 0xf8, 0xa1], '"}') }],
    ["json:lone-surrogate", { kind: "text", text: JSON.stringify({ ...sample }).replace(/^\{/, `{"${field}":"\\ud800",`) }],
    ["json:nul", { kind: "text", text: `{"${field}":"a\\u0000b"}` }],
    ["json:bom", { kind: "bytes", bytes: bytesOf([0xef, 0xbb, 0xbf], validText) }],
    ["json:utf16", { kind: "bytes", bytes: new Uint8Array(Buffer.from(validText, "utf16le")) }],
    ["json:proto", { kind: "text", text: `{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},${validText.slice(1)}` }],
    ["json:duplicate-keys", { kind: "text", text: `{"${field}":"a","${field}":5,${validText.slice(1)}` }],
    ["json:long-string", { kind: "text", text: JSON.stringify({ ...sample, [field]: "x".repeat(rng.pick([300, 5_000, 40_000])) }) }],
    ["json:unicode", { kind: "text", text: JSON.stringify({ ...sample, [field]: "😀é中\u202e\u0000" }) }],
    ["json:trailing-garbage", { kind: "text", text: `${validText} trailing` }],
    ["json:comments", { kind: "text", text: `/* c */ ${validText}` }],
    ["json:single-quotes", { kind: "text", text: validText.replaceAll('"', "'") }],
    ["json:nan", { kind: "text", text: `{"${field}":NaN}` }],
    ["json:well-formed", { kind: "text", text: validText }],
  ];
}

/** A body valid for the route's JSON schema, as far as a simple walk of the schema can tell. */
export function sampleFromSchema(schema: JsonSchema | undefined, rng: Rng, depth = 0): unknown {
  if (!schema || depth > 6) return "x";
  if (Array.isArray(schema.enum)) return rng.pick(schema.enum as unknown[]);
  if (schema.example !== undefined) return schema.example;
  for (const key of ["anyOf", "oneOf", "allOf"]) if (Array.isArray(schema[key])) return sampleFromSchema((schema[key] as JsonSchema[])[0], rng, depth + 1);
  switch (schema.type) {
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required ?? []) as string[]);
      const out: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(properties)) if (required.has(name)) out[name] = sampleFromSchema(sub, rng, depth + 1);
      return out;
    }
    case "array":
      return [sampleFromSchema(schema.items as JsonSchema, rng, depth + 1)];
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    default:
      return "daily_sleep";
  }
}
