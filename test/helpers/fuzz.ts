// Hostile requests for every route, from a seeded generator, and the checks every answer must pass; plus the kill -9
// trial. Shared by test/integration/fuzz.test.ts, test/integration/crash.test.ts and bench/fuzz.ts (npm run fuzz).
//
// Routes come from three places, merged: the app itself (createApp(deps).routes, so a new route is fuzzed without
// touching this file), the running server's /openapi.json (query names, JSON body schemas, which responses are
// documented) and a short list of the dashboard and auth routes (a check that the list and the app agree).
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { createApp } from "../../src/app.ts";
import { createSignatureSigner, type SignatureSigner } from "../../src/oura/signature.ts";
import { countRows } from "./database.ts";
import { type ChildServer, spawnServer, startTestServer, tempDir } from "./servers.ts";

/**
 * Under `bun test`, test/helpers/contract.ts (a preload) wraps globalThis.fetch to check every JSON answer against
 * /openapi.json and throws on a mismatch. The fuzz and the kill -9 trial judge answers by their own rules, so their
 * requests go through Bun's own fetch, which the preload leaves alone; set-up requests use the checked fetch.
 */
const rawFetch: typeof fetch = Bun.fetch;

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: a tiny, well-mixed 32-bit PRNG; the same seed gives the same sequence on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(items.length)]!;
  }
  /** Picks by weight: [[weight, value], …]. */
  weighted<T>(entries: readonly (readonly [number, T])[]): T {
    const total = entries.reduce((sum, [w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [w, value] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1]![1];
  }
  hex(length: number): string {
    let s = "";
    for (let i = 0; i < length; i++) s += "0123456789ABCDEF"[this.int(16)];
    return s;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Routes

export type RouteSource = "app" | "openapi" | "listed";

export interface RouteInfo {
  method: string;
  /** Hono style, parameter patterns removed: /events/:id */
  path: string;
  params: { name: string; pattern?: string }[];
  /** Query parameter names the route documents (openapi), if any. */
  query: string[];
  /** The JSON request body schema from openapi (components resolved), if the route declares one. */
  jsonSchema?: JsonSchema;
  /** Status codes openapi documents for this operation ("503", …). */
  documented: string[];
  sources: RouteSource[];
}

type JsonSchema = { [key: string]: unknown };

/** The dashboard and auth routes (HTML routes are not in /openapi.json); kept here to check against the app's. */
export const LISTED_ROUTES: readonly string[] = [
  "GET /dashboard",
  "POST /dashboard/sign-in",
  "GET /dashboard/panels",
  "GET /dashboard/feed",
  "GET /dashboard/events/:id",
  "GET /dashboard/subscriptions",
  "GET /dashboard/subscriptions/summary",
  "POST /dashboard/subscriptions/sync",
  "PUT /dashboard/subscriptions/:id/renew",
  "DELETE /dashboard/subscriptions/:id",
  "DELETE /dashboard/users/:id",
  "GET /auth/login",
  "GET /auth/callback",
  "GET /auth/status",
  "POST /auth/logout",
  "DELETE /auth/users/:id",
];

function parseHonoPath(path: string): { path: string; params: { name: string; pattern?: string }[] } {
  const params: { name: string; pattern?: string }[] = [];
  const clean = path.replace(/:([A-Za-z0-9_]+)(\{([^}]*)\})?/g, (_, name: string, __, pattern?: string) => {
    params.push(pattern ? { name, pattern } : { name });
    return `:${name}`;
  });
  return { path: clean, params };
}

/** Method and path of every route the app registers (middleware, registered as ALL, left out). */
export async function appRoutes(env: Record<string, string> = {}): Promise<{ method: string; path: string }[]> {
  const running = await startTestServer({ ...env, DATABASE_PATH: ":memory:", PORT: "0" });
  try {
    const app = createApp(running.deps);
    const seen = new Set<string>();
    const routes: { method: string; path: string }[] = [];
    for (const route of app.routes) {
      if (route.method === "ALL") continue;
      const key = `${route.method} ${route.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      routes.push({ method: route.method, path: route.path });
    }
    return routes;
  } finally {
    await running.stop();
  }
}

function resolveRefs(schema: unknown, components: Record<string, unknown>, depth = 0): unknown {
  if (depth > 20 || schema === null || typeof schema !== "object") return schema;
  if (Array.isArray(schema)) return schema.map((s) => resolveRefs(s, components, depth + 1));
  const object = schema as Record<string, unknown>;
  if (typeof object.$ref === "string") {
    const name = object.$ref.replace("#/components/schemas/", "");
    return resolveRefs(components[name], components, depth + 1);
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolveRefs(v, components, depth + 1)]));
}

interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, unknown>;
}

/** Every route to fuzz: the app's own list, merged with /openapi.json of the running server and LISTED_ROUTES. */
export async function discoverRoutes(base: URL, env: Record<string, string> = {}): Promise<{ routes: RouteInfo[]; notInApp: string[] }> {
  const byKey = new Map<string, RouteInfo>();
  const add = (method: string, rawPath: string, source: RouteSource) => {
    const { path, params } = parseHonoPath(rawPath);
    const key = `${method} ${path}`;
    let info = byKey.get(key);
    if (!info) {
      info = { method, path, params, query: [], documented: [], sources: [] };
      byKey.set(key, info);
    }
    if (!info.sources.includes(source)) info.sources.push(source);
    for (const p of params) if (p.pattern && !info.params.find((q) => q.name === p.name)?.pattern) info.params = params;
    return info;
  };
  for (const route of await appRoutes(env)) add(route.method, route.path, "app");

  const document = (await (await fetch(new URL("/openapi.json", base))).json()) as {
    paths: Record<string, Record<string, OpenApiOperation>>;
    components?: { schemas?: Record<string, unknown> };
  };
  const components = document.components?.schemas ?? {};
  for (const [openapiPath, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!["get", "post", "put", "delete", "patch"].includes(method)) continue;
      const info = add(method.toUpperCase(), openapiPath.replace(/\{([^}]+)\}/g, ":$1"), "openapi");
      info.query = (operation.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
      info.documented = Object.keys(operation.responses ?? {});
      const schema = operation.requestBody?.content?.["application/json"]?.schema;
      if (schema) info.jsonSchema = resolveRefs(schema, components) as JsonSchema;
    }
  }
  for (const listed of LISTED_ROUTES) {
    const [method, path] = listed.split(" ") as [string, string];
    add(method, path, "listed");
  }
  const routes = [...byKey.values()].sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path)));
  const notInApp = routes.filter((r) => !r.sources.includes("app")).map((r) => `${r.method} ${r.path} (${r.sources.join(", ")})`);
  return { routes, notInApp };
}

// ---------------------------------------------------------------------------------------------------------------
// Cases

export type AuthKind = "none" | "wrong-bearer" | "bearer" | "session" | "session+csrf" | "garbage-cookie";

export type BodySpec =
  | { kind: "text"; text: string }
  | { kind: "bytes"; bytes: Uint8Array }
  | { kind: "stream"; bytes: Uint8Array; chunk: number; fill?: boolean };

export type SignatureMutation = "valid" | "valid-lowercase" | "valid-padded" | "random-hex" | "short-hex" | "not-hex" | "empty" | "missing" | "prefixed" | "other-body" | "long" | "wrong-secret";
export type TimestampMutation = "now" | "now-ms" | "stale" | "future" | "missing" | "empty" | "not-a-number" | "exponent" | "negative" | "huge" | "hex" | "padded";

export interface WebhookSpec {
  signature: SignatureMutation;
  timestamp: TimestampMutation;
  /** A notification this generator expects to be accepted (2xx), if signature and timestamp are valid. */
  valid: boolean;
}

/**
 * One hostile request. Placeholders filled at send time: {{CSRF}} (the session's CSRF token), {{SIGNIN_CSRF}} (the
 * sign-in form's _csrf), {{EVENT_ID}} (a stored event), {{BASE}} (the server's origin).
 */
export interface FuzzCase {
  index: number;
  route: RouteInfo;
  method: string;
  mutation: string;
  auth: AuthKind;
  hx: boolean;
  /** "transport": the request is beyond Bun's own limits (URL > 16 KiB, body > maxRequestBodySize), answered by Bun. */
  group: "app" | "transport";
  path: string;
  headers: [string, string][];
  body?: BodySpec;
  webhook?: WebhookSpec;
  /** Uses its own session (POST /auth/logout with a session ends it). */
  ownSession: boolean;
}

export interface GeneratorOptions {
  seed: number;
  count: number;
  /** WEBHOOK_MAX_BYTES of the server under test. */
  webhookMaxBytes: number;
  /** Path prefix for the object_ids of generated notifications, unique per run. */
  runId: string;
}

const encoder = new TextEncoder();
const bytesOf = (...parts: (string | number[])[]) => {
  const chunks = parts.map((p) => (typeof p === "string" ? encoder.encode(p) : new Uint8Array(p)));
  return new Uint8Array(Buffer.concat(chunks));
};

/** The user every generated, valid notification belongs to; DELETE /events never reaches it (see pinned delete). */
export const FUZZ_USER = "FUZZ-ACK-USER";
/** Every DELETE /events is pinned to this user (first query parameter) so the durability check stays meaningful. */
export const DELETE_PIN = "user_id=FUZZ-DELETE-ONLY";

const QUERY_NAMES = ["limit", "cursor", "days", "data_type", "event_type", "user_id", "object_id", "since", "until", "purge", "format", "what", "state", "code", "error", "verification_token", "challenge", "start_day", "end_day"];

const QUERY_VALUES: readonly string[] = [
  "",
  "%",
  "%zz",
  "%ff%fe",
  "%00",
  "%C0%80",
  "%ED%A0%80",
  "-1",
  "0",
  "1",
  "1.5",
  "1e309",
  "-1e309",
  "NaN",
  "Infinity",
  "0x10",
  "abc",
  "99999999999999999999",
  "9007199254740993",
  "%F0%9F%98%80%C3%A9%E4%B8%AD",
  "%E2%80%AE",
  "true",
  "[]",
  "{}",
  "a,b",
  "2026-13-45",
  "+275760-09-13T00:00:00.001Z",
  "2026-11-24T08:00:00+99:99",
  "daily_sleep",
  "create",
  "events",
  "csv",
  "html",
  "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
  "'%20OR%201%3D1%20--",
];

const PATH_VALUES: readonly string[] = [
  "%00",
  "99999999999999999999",
  "9007199254740993",
  "-1",
  "0",
  "1",
  "1.5",
  "1e3",
  "0x10",
  "abc",
  "%zz",
  "%ff",
  "%C0%80",
  "%ED%A0%80",
  "%F0%9F%98%80",
  "%E2%80%AE",
  "%2F",
  "..%2F..%2Fetc%2Fpasswd",
  "%20",
  "null",
  "__proto__",
  "constructor",
  "'%20OR%201%3D1--",
  "%3Cscript%3E",
  "x".repeat(300),
  "9".repeat(400),
  "{{EVENT_ID}}",
];

const CONTENT_TYPES: readonly (string | null)[] = [
  null,
  "application/json",
  "application/json; charset=utf-16",
  "application/json; boundary=zz",
  "text/plain",
  "text/html",
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=bogus",
  "multipart/form-data; boundary=zz",
  "multipart/form-data",
  "multipart/form-data; boundary=",
  "multipart/mixed; boundary=zz",
  "application/octet-stream",
  "*/*",
  "",
  ";;;",
  "application/json, text/plain",
  "application/xml",
  "multipart/form-data; boundary=zz; note=application/x-www-form-urlencoded",
  "multipart/form-data, application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded, multipart/form-data; boundary=zz",
  "Application/X-WWW-Form-Urlencoded",
  "MULTIPART/FORM-DATA; BOUNDARY=zz",
];

function deepNesting(depth: number, open = "[", close = "]"): string {
  return open.repeat(depth) + close.repeat(depth);
}

/** Malformed JSON bodies (and some well-formed ones of the wrong shape); names are the mutation labels. */
function jsonBodies(rng: Rng, sample: Record<string, unknown> | undefined): [string, BodySpec][] {
  const fields = sample ? Object.keys(sample) : ["data_type", "event_type"];
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

/** Malformed forms. */
function formBodies(rng: Rng): [string, BodySpec, string][] {
  const long = "x".repeat(rng.pick([1_000, 30_000]));
  return [
    ["form:multipart-broken", { kind: "text", text: "--zz\r\nbroken" }, "multipart/form-data; boundary=zz"],
    ["form:multipart-no-boundary", { kind: "text", text: "--zz\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nx\r\n--zz--\r\n" }, "multipart/form-data"],
    ["form:multipart-empty-boundary", { kind: "text", text: "--\r\n\r\n--" }, "multipart/form-data; boundary="],
    ["form:multipart-unterminated", { kind: "text", text: '--zz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n{{CSRF}}' }, "multipart/form-data; boundary=zz"],
    ["form:multipart-no-disposition", { kind: "text", text: "--zz\r\nContent-Type: text/plain\r\n\r\nx\r\n--zz--\r\n" }, "multipart/form-data; boundary=zz"],
    ["form:multipart-valid", { kind: "text", text: '--zz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n{{CSRF}}\r\n--zz\r\nContent-Disposition: form-data; name="token"\r\n\r\nnope\r\n--zz--\r\n' }, "multipart/form-data; boundary=zz"],
    ["form:multipart-file", { kind: "text", text: '--zz\r\nContent-Disposition: form-data; name="_csrf"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nabc\r\n--zz--\r\n' }, "multipart/form-data; boundary=zz"],
    ["form:multipart-invalid-utf8", { kind: "bytes", bytes: bytesOf('--zz\r\nContent-Disposition: form-data; name="', [0xff, 0xfe], '"\r\n\r\n', [0xc0, 0x80], "\r\n--zz--\r\n") }, "multipart/form-data; boundary=zz"],
    ["form:urlencoded-bad-percent", { kind: "text", text: "token=%zz&_csrf=%" }, "application/x-www-form-urlencoded"],
    ["form:urlencoded-bad-utf8", { kind: "text", text: "token=%ff%fe&_csrf=%C0%80" }, "application/x-www-form-urlencoded"],
    ["form:urlencoded-raw-invalid-utf8", { kind: "bytes", bytes: bytesOf("token=", [0xff, 0xfe, 0xc0, 0x80], "&_csrf=", [0xed, 0xa0, 0x80]) }, "application/x-www-form-urlencoded"],
    ["form:urlencoded-duplicate", { kind: "text", text: "_csrf={{CSRF}}&_csrf=other&token=a&token=b" }, "application/x-www-form-urlencoded"],
    ["form:urlencoded-arrays", { kind: "text", text: "_csrf[]={{CSRF}}&token[]=a&token[0]=b&a[b][c]=d" }, "application/x-www-form-urlencoded"],
    ["form:urlencoded-csrf", { kind: "text", text: "_csrf={{CSRF}}" }, "application/x-www-form-urlencoded"],
    ["form:urlencoded-proto", { kind: "text", text: "__proto__=x&constructor=y&_csrf=z" }, "application/x-www-form-urlencoded"],
    ["form:urlencoded-no-equals", { kind: "text", text: "&&&=&token&=x" }, "application/x-www-form-urlencoded"],
    ["form:urlencoded-long", { kind: "text", text: `token=${long}&_csrf=${long}` }, "application/x-www-form-urlencoded"],
    ["form:urlencoded-as-json", { kind: "text", text: '{"_csrf":"x"}' }, "application/x-www-form-urlencoded"],
    ["form:json-as-form", { kind: "text", text: "_csrf=x&token=y" }, "application/json"],
  ];
}

/** Sign-in form fuzz: with the real sign-in CSRF cookie and field, and without. */
function signInBodies(): [string, BodySpec, string][] {
  return [
    ["signin:valid-csrf-wrong-token", { kind: "text", text: "_csrf={{SIGNIN_CSRF}}&token=not-the-token" }, "application/x-www-form-urlencoded"],
    ["signin:valid-csrf-token-array", { kind: "text", text: "_csrf={{SIGNIN_CSRF}}&token[]=x" }, "application/x-www-form-urlencoded"],
    ["signin:valid-csrf-bad-percent", { kind: "text", text: "_csrf={{SIGNIN_CSRF}}&token=%zz" }, "application/x-www-form-urlencoded"],
    ["signin:csrf-twice", { kind: "text", text: "_csrf={{SIGNIN_CSRF}}&_csrf={{SIGNIN_CSRF}}&token=x" }, "application/x-www-form-urlencoded"],
    ["signin:multipart-valid-csrf", { kind: "text", text: '--zz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n{{SIGNIN_CSRF}}\r\n--zz\r\nContent-Disposition: form-data; name="token"; filename="t"\r\n\r\nx\r\n--zz--\r\n' }, "multipart/form-data; boundary=zz"],
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

const QUERY_SHAPES = [
  "value",
  "duplicate",
  "array",
  "bare-percent",
  "bad-percent-key",
  "no-equals",
  "empty-key",
  "ampersands",
  "long",
  "unicode-raw",
  "many-params",
  "semicolon",
  "plus-space",
  "transport-long",
] as const;
type QueryShape = (typeof QUERY_SHAPES)[number];
type QueryMutation = { query: string; mutation: string; transport: boolean };

function fuzzQuery(rng: Rng, route: RouteInfo, forced?: { shape?: QueryShape; name?: string; value?: string }): QueryMutation {
  const names = route.query.length > 0 && rng.chance(0.7) ? route.query : QUERY_NAMES;
  const name = forced?.name ?? rng.pick(names);
  const value = forced?.value ?? rng.pick(QUERY_VALUES);
  const shape =
    forced?.shape ??
    rng.weighted<QueryShape>([
      [10, "value"],
      [3, "duplicate"],
      [2, "array"],
      [2, "bare-percent"],
      [1, "bad-percent-key"],
      [1, "no-equals"],
      [1, "empty-key"],
      [1, "ampersands"],
      [2, "long"],
      [1, "unicode-raw"],
      [1, "many-params"],
      [1, "semicolon"],
      [1, "plus-space"],
      [1, "transport-long"],
    ]);
  switch (shape) {
    case "value":
      return { query: `${name}=${value}`, mutation: `query:${name}=${value.slice(0, 24)}`, transport: false };
    case "duplicate":
      return { query: `${name}=1&${name}=${value}`, mutation: `query:duplicate-${name}`, transport: false };
    case "array":
      return { query: `${name}[]=${value}&${name}[0]=x`, mutation: `query:array-${name}`, transport: false };
    case "bare-percent":
      return { query: "%", mutation: "query:%", transport: false };
    case "bad-percent-key":
      return { query: `%zz=${value}&${name}%=1`, mutation: "query:bad-percent-key", transport: false };
    case "no-equals":
      return { query: name, mutation: "query:no-equals", transport: false };
    case "empty-key":
      return { query: `=${value}`, mutation: "query:empty-key", transport: false };
    case "ampersands":
      return { query: "&&&&=&", mutation: "query:ampersands", transport: false };
    case "long":
      return { query: `${name}=${"x".repeat(rng.pick([2_000, 8_000]))}`, mutation: `query:long-${name}`, transport: false };
    case "unicode-raw":
      return { query: `${name}=😀é中`, mutation: `query:unicode-${name}`, transport: false };
    case "many-params":
      return { query: Array.from({ length: 300 }, (_, i) => `${rng.pick(QUERY_NAMES)}${i % 3 ? "" : i}=${i}`).join("&"), mutation: "query:many-params", transport: false };
    case "semicolon":
      return { query: `${name}=1;${name}=2`, mutation: "query:semicolon", transport: false };
    case "plus-space":
      return { query: `${name}=+1+`, mutation: `query:plus-${name}`, transport: false };
    case "transport-long":
      return { query: `${name}=${"x".repeat(20_000)}`, mutation: "transport:url-over-16k", transport: true };
  }
}

function fillPath(rng: Rng, route: RouteInfo, fuzz: boolean, forced?: string): { path: string; mutation?: string } {
  let mutation: string | undefined;
  const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    if (!fuzz || (forced !== undefined && mutation !== undefined)) return name === "data_type" ? "daily_sleep" : name === "id" ? "{{EVENT_ID}}" : "x";
    const value = forced ?? (rng.chance(0.05) ? "x".repeat(5_000) : rng.pick(PATH_VALUES));
    mutation ??= `path:${name}=${value.slice(0, 24)}`;
    return value;
  });
  return { path, mutation };
}

const OTHER_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

const ODD_HEADERS: readonly [string, string][] = [
  ["accept", "text/html"],
  ["accept", "application/xml"],
  ["hx-request", "false"],
  ["hx-target", "#x"],
  ["x-csrf-token", ""],
  ["x-csrf-token", "x".repeat(3000)],
  ["x-forwarded-proto", "https"],
  ["x-forwarded-for", "1.2.3.4, ::1, garbage"],
  ["upgrade", "websocket"],
  ["connection", "upgrade"],
  ["content-type", "multipart/form-data; boundary=zz"],
  ["range", "bytes=99999-"],
  ["if-none-match", "*"],
  ["authorization", "Bearer"],
  ["authorization", "Basic Zm9vOmJhcg=="],
  ["authorization", `Bearer ${"x".repeat(5000)}`],
  ["cookie", "oura_session=%zz; oura_session=%; ; =;"],
];

function authFor(rng: Rng, route: RouteInfo): AuthKind {
  if (route.path === "/webhooks") return rng.weighted<AuthKind>([[8, "none"], [1, "bearer"], [1, "garbage-cookie"]]);
  return rng.weighted<AuthKind>([
    [3, "none"],
    [1, "wrong-bearer"],
    [4, "bearer"],
    [2, "session"],
    [4, "session+csrf"],
    [1, "garbage-cookie"],
  ]);
}

/** A notification Oura could send; object ids unique in the run. */
function notification(rng: Rng, runId: string, index: number): Record<string, unknown> {
  const offset = rng.pick(["+00:00", "Z", "+02:00", "-07:30", ".123Z", ".5+01:00"]);
  const base = new Date(Date.UTC(2026, 10, 1 + rng.int(28), rng.int(24), rng.int(60), rng.int(60))).toISOString().slice(0, 19);
  return {
    event_type: rng.pick(["create", "update", "delete"]),
    data_type: rng.pick(["daily_sleep", "sleep", "daily_readiness", "daily_activity", "workout", "tag", "new_type_2027"]),
    object_id: `${runId}-${index}${rng.pick(["", "-😀", "-é", "/with/slashes", " spaced"])}`,
    event_time: `${base}${offset}`,
    user_id: FUZZ_USER,
  };
}

const WEBHOOK_KINDS = ["valid", "redelivery", "pretty-json", "chunked-valid", "malformed-json", "wrong-schema", "oversize", "oversize-chunked", "transport-oversize"] as const;
type WebhookKind = (typeof WEBHOOK_KINDS)[number];
const SIGNATURE_MUTATIONS: readonly SignatureMutation[] = ["valid-lowercase", "valid-padded", "random-hex", "short-hex", "not-hex", "empty", "missing", "prefixed", "other-body", "long", "wrong-secret"];
const TIMESTAMP_MUTATIONS: readonly TimestampMutation[] = ["now-ms", "stale", "future", "missing", "empty", "not-a-number", "exponent", "negative", "huge", "hex", "padded"];
const SCHEMA_VALUES: readonly unknown[] = [null, "", 123, 1e308, [], {}, true, "explode", "a-b", "x".repeat(65), "x".repeat(257), "yesterday", "2026-13-01T00:00:00Z", "2026-11-24T08:00:00", "2026-11-24", "😀"];

interface WebhookPlan {
  kind?: WebhookKind;
  json?: number;
  field?: string;
  value?: unknown;
  signature?: SignatureMutation;
  timestamp?: TimestampMutation;
  contentType?: string | null;
}

function webhookCase(rng: Rng, c: Omit<FuzzCase, "path" | "headers" | "group" | "mutation">, options: GeneratorOptions, validBodies: Uint8Array[], plan: WebhookPlan = {}): FuzzCase {
  const n = notification(rng, options.runId, c.index);
  let mutation: string;
  let body: BodySpec;
  let valid = false;
  let group: FuzzCase["group"] = "app";
  const kind =
    plan.kind ??
    rng.weighted<WebhookKind>([
      [6, "valid"],
      [2, "redelivery"],
      [8, "malformed-json"],
      [5, "wrong-schema"],
      [1, "oversize"],
      [1, "oversize-chunked"],
      [0.4, "transport-oversize"],
      [1, "chunked-valid"],
      [1, "pretty-json"],
    ]);
  switch (kind) {
    case "valid":
      mutation = "webhook:valid";
      valid = true;
      body = { kind: "text", text: JSON.stringify(n) };
      validBodies.push(encoder.encode(body.text));
      break;
    case "redelivery":
      mutation = "webhook:redelivery";
      valid = true;
      body = validBodies.length ? { kind: "bytes", bytes: rng.pick(validBodies) } : { kind: "text", text: JSON.stringify(n) };
      break;
    case "pretty-json":
      mutation = "webhook:pretty-json";
      valid = true;
      body = { kind: "text", text: JSON.stringify(n, null, 2) };
      break;
    case "chunked-valid":
      mutation = "webhook:chunked-valid";
      valid = true;
      body = { kind: "stream", bytes: encoder.encode(JSON.stringify(n)), chunk: 7 };
      break;
    case "malformed-json": {
      const all = jsonBodies(rng, n);
      const [name, spec] = plan.json !== undefined ? all[plan.json % all.length]! : rng.pick(all);
      mutation = `webhook:${name}`;
      body = spec;
      break;
    }
    case "wrong-schema": {
      const field = plan.field ?? rng.pick(Object.keys(n));
      const value = "value" in plan ? plan.value : rng.pick(SCHEMA_VALUES);
      mutation = `webhook:schema-${field}=${JSON.stringify(value)?.slice(0, 16)}`;
      body = { kind: "text", text: JSON.stringify({ ...n, [field]: value }) };
      break;
    }
    case "oversize":
      mutation = "webhook:oversize";
      body = { kind: "text", text: JSON.stringify({ ...n, pad: "x".repeat(options.webhookMaxBytes + 1 + rng.int(32_000)) }) };
      break;
    case "oversize-chunked":
      mutation = "webhook:oversize-chunked";
      body = { kind: "stream", bytes: encoder.encode(JSON.stringify({ ...n, pad: "x".repeat(options.webhookMaxBytes * 2) })), chunk: 16_384 };
      break;
    case "transport-oversize":
      mutation = "transport:body-over-bun-limit";
      group = "transport";
      body = { kind: "text", text: JSON.stringify({ ...n, pad: "x".repeat(options.webhookMaxBytes + 128 * 1024) }) };
  }
  let signature: SignatureMutation = plan.signature ?? "valid";
  let timestamp: TimestampMutation = plan.timestamp ?? "now";
  if (!plan.kind && rng.chance(0.3)) signature = rng.pick(SIGNATURE_MUTATIONS);
  if (!plan.kind && rng.chance(0.2)) timestamp = rng.pick(TIMESTAMP_MUTATIONS);
  if (signature !== "valid") mutation += ` sig:${signature}`;
  if (timestamp !== "now") mutation += ` ts:${timestamp}`;
  const contentType = plan.contentType !== undefined ? plan.contentType : plan.kind || rng.chance(0.85) ? "application/json" : rng.pick(CONTENT_TYPES);
  if (contentType !== "application/json") mutation += ` content-type:${JSON.stringify(contentType)}`;
  const headers: [string, string][] = contentType === null ? [] : [["content-type", contentType]];
  let path = "/webhooks";
  if (!plan.kind && rng.chance(0.1)) {
    const q = fuzzQuery(rng, c.route);
    path += `?${q.query}`;
    mutation += ` ${q.mutation}`;
    if (q.transport) group = "transport";
  }
  return { ...c, mutation, group, path, headers, body, webhook: { signature, timestamp, valid } };
}

/** What one non-webhook case does; anything left out is drawn at random. */
interface Plan {
  method?: string;
  auth?: AuthKind;
  hx?: boolean;
  target?: "body" | "query" | "path" | "headers";
  body?: { mutation: string; spec: BodySpec; contentType: string | null };
  query?: { shape: QueryShape; name?: string; value?: string };
  pathValue?: string;
  header?: [string, string];
  chunked?: boolean;
}

function buildCase(rng: Rng, index: number, route: RouteInfo, options: GeneratorOptions, plan: Plan = {}): FuzzCase {
  const wrongMethod = plan.method !== undefined ? plan.method !== route.method : rng.chance(0.06);
  const method = plan.method ?? (wrongMethod ? rng.pick(OTHER_METHODS.filter((m) => m !== route.method)) : route.method);
  const auth = plan.auth ?? authFor(rng, route);
  const hx = plan.hx ?? (route.path.startsWith("/dashboard") ? rng.chance(0.4) : rng.chance(0.05));
  const canHaveBody = method !== "GET" && method !== "HEAD";
  const target =
    plan.target ??
    rng.weighted<NonNullable<Plan["target"]>>([
      [canHaveBody ? (route.path === "/dashboard/sign-in" ? 16 : 10) : 0, "body"],
      [5, "query"],
      [route.params.length > 0 ? 4 : 0, "path"],
      [2, "headers"],
    ]);
  const filled = fillPath(rng, route, target === "path", plan.pathValue);
  let path = filled.path;
  let mutation = filled.mutation ?? "";
  let group: FuzzCase["group"] = "app";
  const headers: [string, string][] = [];
  let body: BodySpec | undefined;
  const addQuery = (q: QueryMutation) => {
    path += `?${q.query}`;
    mutation = mutation ? `${mutation} ${q.mutation}` : q.mutation;
    if (q.transport) group = "transport";
  };
  if (target === "query") {
    addQuery(fuzzQuery(rng, route, plan.query));
  } else if (target === "body" && canHaveBody) {
    let chosen = plan.body;
    if (!chosen) {
      const sample = route.jsonSchema ? (sampleFromSchema(route.jsonSchema, rng) as Record<string, unknown>) : undefined;
      const choice = rng.weighted<string>([
        [route.jsonSchema ? 8 : 3, "json"],
        [6, "form"],
        [route.path === "/dashboard/sign-in" ? 6 : 0, "signin"],
        [2, "content-type"],
        [0.3, "transport"],
      ]);
      if (choice === "json") {
        const [name, spec] = rng.pick(jsonBodies(rng, sample));
        chosen = { mutation: name, spec, contentType: rng.chance(0.8) ? "application/json" : rng.pick(CONTENT_TYPES) };
      } else if (choice === "form" || choice === "signin") {
        const [name, spec, contentType] = rng.pick(choice === "signin" ? signInBodies() : formBodies(rng));
        chosen = { mutation: name, spec, contentType };
      } else if (choice === "content-type") {
        const contentType = rng.pick(CONTENT_TYPES);
        const spec: BodySpec = rng.chance(0.5) ? { kind: "text", text: JSON.stringify(sample ?? { a: 1 }) } : { kind: "text", text: "_csrf={{CSRF}}&a=1" };
        chosen = { mutation: `content-type:${JSON.stringify(contentType)}`, spec, contentType };
      } else {
        chosen = { mutation: "transport:body-over-bun-limit", spec: { kind: "text", text: `a=${"x".repeat(options.webhookMaxBytes + 128 * 1024)}` }, contentType: "application/x-www-form-urlencoded" };
      }
    }
    mutation = chosen.mutation;
    body = chosen.spec;
    if (chosen.contentType !== null) headers.push(["content-type", chosen.contentType]);
    if (chosen.mutation.startsWith("transport:")) group = "transport";
    if (!plan.body && rng.chance(0.1)) addQuery(fuzzQuery(rng, route));
  } else if (target === "headers") {
    const [name, value] = plan.header ?? rng.pick(ODD_HEADERS);
    headers.push([name, value]);
    mutation = `header:${name}=${value.slice(0, 20)}`;
  }
  if (route.method === "DELETE" && route.path === "/events" && method === "DELETE") {
    // Pinned: a DELETE /events that validated would otherwise delete the acknowledged notifications.
    const [before, query] = path.split("?", 2);
    path = `${before}?${DELETE_PIN}${query !== undefined ? `&${query}` : ""}`;
  }
  if (wrongMethod) mutation = `method:${method} ${mutation}`.trim();
  if (!mutation) mutation = "plain";
  const ownSession = method === "POST" && route.path === "/auth/logout" && (auth === "session" || auth === "session+csrf");
  if (body && body.kind !== "stream" && group === "app" && (plan.chunked ?? (!plan.body && rng.chance(0.1)))) {
    // The same body sent chunked (no Content-Length).
    body = { kind: "stream", bytes: body.kind === "text" ? encoder.encode(body.text) : body.bytes, chunk: 1 + rng.int(512), fill: body.kind === "text" };
    mutation += " chunked";
  }
  return { index, route, method, auth, hx, ownSession, mutation, group, path, headers, body };
}

/**
 * The sweep: every route gets every query shape, every path parameter value and every odd header once; every route
 * with a body method every malformed form (once with a session cookie and no CSRF header, so the CSRF guard parses
 * it, once with the API token, so the handler does) and every malformed JSON body; POST /webhooks every malformed
 * JSON body signed, every signature and timestamp fault and every wrong value of every field.
 */
function sweep(routes: RouteInfo[], rng: Rng, options: GeneratorOptions, validBodies: Uint8Array[]): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const add = (make: (index: number) => FuzzCase) => cases.push(make(cases.length));
  for (const route of routes) {
    if (route.method === "POST" && route.path === "/webhooks") {
      const sample = notification(rng, options.runId, 0);
      for (let json = 0; json < jsonBodies(rng, sample).length; json++) add((index) => webhookCase(rng, { index, route, method: "POST", auth: "none", hx: false, ownSession: false }, options, validBodies, { kind: "malformed-json", json }));
      for (const field of Object.keys(sample))
        for (const value of SCHEMA_VALUES) add((index) => webhookCase(rng, { index, route, method: "POST", auth: "none", hx: false, ownSession: false }, options, validBodies, { kind: "wrong-schema", field, value }));
      for (const signature of SIGNATURE_MUTATIONS) add((index) => webhookCase(rng, { index, route, method: "POST", auth: "none", hx: false, ownSession: false }, options, validBodies, { kind: "valid", signature }));
      for (const timestamp of TIMESTAMP_MUTATIONS) add((index) => webhookCase(rng, { index, route, method: "POST", auth: "none", hx: false, ownSession: false }, options, validBodies, { kind: "valid", timestamp }));
      for (const contentType of CONTENT_TYPES) add((index) => webhookCase(rng, { index, route, method: "POST", auth: "none", hx: false, ownSession: false }, options, validBodies, { kind: "valid", contentType }));
      for (const kind of WEBHOOK_KINDS) add((index) => webhookCase(rng, { index, route, method: "POST", auth: "none", hx: false, ownSession: false }, options, validBodies, { kind }));
      continue;
    }
    const auth: AuthKind = route.path === "/auth/logout" ? "bearer" : "session+csrf";
    for (const shape of QUERY_SHAPES) add((index) => buildCase(rng, index, route, options, { method: route.method, auth, hx: false, target: "query", query: { shape } }));
    if (route.params.length > 0) for (const pathValue of PATH_VALUES) add((index) => buildCase(rng, index, route, options, { method: route.method, auth, hx: false, target: "path", pathValue }));
    for (const header of ODD_HEADERS) add((index) => buildCase(rng, index, route, options, { method: route.method, auth: "none", hx: false, target: "headers", header }));
    if (route.method === "GET" || route.method === "HEAD") continue;
    const sample = route.jsonSchema ? (sampleFromSchema(route.jsonSchema, rng) as Record<string, unknown>) : undefined;
    for (const [mutation, spec, contentType] of formBodies(rng)) {
      for (const formAuth of ["session", "bearer"] as const) add((index) => buildCase(rng, index, route, options, { method: route.method, auth: formAuth, hx: false, target: "body", body: { mutation, spec, contentType }, chunked: false }));
    }
    for (const [mutation, spec] of jsonBodies(rng, sample)) add((index) => buildCase(rng, index, route, options, { method: route.method, auth: "bearer", hx: false, target: "body", body: { mutation, spec, contentType: "application/json" }, chunked: false }));
    for (const contentType of CONTENT_TYPES) {
      const json: BodySpec = { kind: "text", text: JSON.stringify(sample ?? { a: 1 }) };
      const form: BodySpec = { kind: "text", text: "_csrf={{CSRF}}&a=1" };
      add((index) => buildCase(rng, index, route, options, { method: route.method, auth: "bearer", hx: false, target: "body", body: { mutation: `content-type:${JSON.stringify(contentType)}`, spec: json, contentType }, chunked: false }));
      add((index) => buildCase(rng, index, route, options, { method: route.method, auth: "session", hx: false, target: "body", body: { mutation: `content-type:${JSON.stringify(contentType)}`, spec: form, contentType }, chunked: false }));
    }
    if (route.path === "/dashboard/sign-in") for (const [mutation, spec, contentType] of signInBodies()) add((index) => buildCase(rng, index, route, options, { method: route.method, auth: "none", hx: false, target: "body", body: { mutation, spec, contentType }, chunked: false }));
  }
  return cases;
}

/** How many cases the sweep has for these routes (generateCases sends it whole when `count` is at least this). */
export function sweepLength(routes: RouteInfo[], options: Omit<GeneratorOptions, "count">): number {
  return sweep(routes, new Rng(options.seed), { ...options, count: 0 }, []).length;
}

/**
 * `count` cases, deterministic for a given seed and route list: the sweep (see above; cut short if `count` is smaller),
 * then random cases, every route in turn with POST /webhooks every fourth.
 */
export function generateCases(routes: RouteInfo[], options: GeneratorOptions): FuzzCase[] {
  const rng = new Rng(options.seed);
  const webhookRoute = routes.find((r) => r.method === "POST" && r.path === "/webhooks");
  const others = routes.filter((r) => r !== webhookRoute);
  const validBodies: Uint8Array[] = [];
  const cases = sweep(routes, rng, options, validBodies).slice(0, options.count);
  let next = 0;
  for (let index = cases.length; index < options.count; index++) {
    const route = webhookRoute && index % 4 === 3 ? webhookRoute : others[next++ % others.length]!;
    const wrongMethod = rng.chance(0.06);
    if (route === webhookRoute && !wrongMethod) {
      cases.push(webhookCase(rng, { index, route, method: route.method, auth: authFor(rng, route), hx: rng.chance(0.05), ownSession: false }, options, validBodies));
    } else {
      cases.push(buildCase(rng, index, route, options, wrongMethod ? { method: rng.pick(OTHER_METHODS.filter((m) => m !== route.method)) } : { method: route.method }));
    }
  }
  // Wrong tokens through the real sign-in form trip its limiter (5 per 15 minutes), after which the route answers 429
  // before reading the form: those go last, so the limiter hides nothing else.
  return [...cases.filter((c) => !c.mutation.startsWith("signin:")), ...cases.filter((c) => c.mutation.startsWith("signin:"))];
}

// ---------------------------------------------------------------------------------------------------------------
// Sending

export interface Session {
  cookie: string;
  csrf: string;
}

export interface FuzzContext {
  base: URL;
  apiToken: string;
  webhookSecret: string;
  session: Session;
  /** Sessions used once, by requests that may end them (POST /auth/logout). */
  spareSessions: Session[];
  signIn: Session;
  eventId: number;
  signer: SignatureSigner;
  wrongSigner: SignatureSigner;
}

const setCookies = (response: Response) => response.headers.getSetCookie().map((c) => c.split(";")[0]!);

/** The sign-in form's CSRF cookie and hidden field. */
export async function signInForm(base: URL): Promise<Session> {
  const page = await fetch(new URL("/dashboard", base), { redirect: "manual" });
  const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)?.[1];
  if (!csrf) throw new Error("no _csrf field on the sign-in page");
  return { cookie: setCookies(page).join("; "), csrf };
}

/** A browser session, signed in with the API token through the form, and its CSRF token. */
export async function signInSession(base: URL, apiToken: string): Promise<Session> {
  const form = await signInForm(base);
  const response = await fetch(new URL("/dashboard/sign-in", base), {
    method: "POST",
    redirect: "manual",
    headers: { cookie: form.cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: form.csrf, token: apiToken }),
  });
  const session = setCookies(response).find((c) => c.startsWith("oura_session="));
  if (response.status !== 303 || !session) throw new Error(`sign-in failed: ${response.status}`);
  const status = (await (await fetch(new URL("/auth/status", base), { headers: { cookie: session } })).json()) as { csrf_token: string };
  return { cookie: session, csrf: status.csrf_token };
}

function fill(text: string, ctx: FuzzContext, session: Session): string {
  if (!text.includes("{{")) return text;
  return text
    .replaceAll("{{CSRF}}", session.csrf)
    .replaceAll("{{SIGNIN_CSRF}}", ctx.signIn.csrf)
    .replaceAll("{{EVENT_ID}}", String(ctx.eventId))
    .replaceAll("{{BASE}}", ctx.base.origin);
}

function bodyBytes(body: BodySpec, ctx: FuzzContext, session: Session): Uint8Array {
  if (body.kind === "text") return encoder.encode(fill(body.text, ctx, session));
  if (body.kind === "stream" && body.fill) return encoder.encode(fill(new TextDecoder().decode(body.bytes), ctx, session));
  return body.bytes;
}

async function signatureHeaders(spec: WebhookSpec, bytes: Uint8Array, ctx: FuzzContext): Promise<[string, string][]> {
  const now = Math.floor(Date.now() / 1000);
  const timestamp = {
    now: String(now),
    "now-ms": String(now * 1000),
    stale: String(now - 10_000),
    future: String(now + 10_000),
    missing: "",
    empty: "",
    "not-a-number": "yesterday",
    exponent: "1.7e9",
    negative: "-1",
    huge: "99999999999999999999",
    hex: "0x6553f100",
    padded: ` ${now} `,
  }[spec.timestamp];
  const sign = (signer: SignatureSigner, body: Uint8Array | string) => signer.sign(timestamp, body);
  const valid = () => sign(ctx.signer, bytes);
  let signature: string | undefined;
  switch (spec.signature) {
    case "valid":
      signature = await valid();
      break;
    case "valid-lowercase":
      signature = (await valid()).toLowerCase();
      break;
    case "valid-padded":
      signature = ` ${await valid()} `;
      break;
    case "random-hex":
      signature = new Rng(bytes.length).hex(64);
      break;
    case "short-hex":
      signature = (await valid()).slice(0, 63);
      break;
    case "not-hex":
      signature = "Z".repeat(64);
      break;
    case "empty":
      signature = "";
      break;
    case "missing":
      signature = undefined;
      break;
    case "prefixed":
      signature = `sha256=${await valid()}`;
      break;
    case "other-body":
      signature = await sign(ctx.signer, "{}");
      break;
    case "long":
      signature = "A".repeat(10_000);
      break;
    case "wrong-secret":
      signature = await sign(ctx.wrongSigner, bytes);
      break;
  }
  const headers: [string, string][] = [];
  if (spec.timestamp !== "missing") headers.push(["x-oura-timestamp", timestamp]);
  if (signature !== undefined) headers.push(["x-oura-signature", signature]);
  return headers;
}

export interface Answer {
  status: number;
  contentType: string | null;
  text: string;
}

export interface Sent {
  url: string;
  headers: [string, string][];
  body?: Uint8Array;
}

/** Builds and sends one case; returns what was sent (for the report) and the answer, or the network error. */
export async function send(c: FuzzCase, ctx: FuzzContext): Promise<{ sent: Sent; answer?: Answer; error?: string }> {
  const session = c.ownSession ? (ctx.spareSessions.pop() ?? ctx.session) : ctx.session;
  const headers: [string, string][] = c.headers.map(([k, v]) => [k, fill(v, ctx, session)]);
  switch (c.auth) {
    case "bearer":
      headers.push(["authorization", `Bearer ${ctx.apiToken}`]);
      break;
    case "wrong-bearer":
      headers.push(["authorization", `Bearer ${ctx.apiToken}x`]);
      break;
    case "session":
      headers.push(["cookie", session.cookie]);
      break;
    case "session+csrf":
      headers.push(["cookie", session.cookie], ["x-csrf-token", session.csrf]);
      break;
    case "garbage-cookie":
      headers.push(["cookie", `oura_session=${["%", "%zz", "a.b", "=", "x".repeat(4000), "%E0%A4%A", `${session.cookie.split("=")[1]!.slice(0, -3)}abc`][c.index % 7]}; oura_signin=%`]);
      break;
  }
  if (c.route.path === "/dashboard/sign-in" && c.mutation.startsWith("signin:")) {
    const existing = headers.findIndex(([k]) => k === "cookie");
    const cookie = existing >= 0 ? `${headers[existing]![1]}; ${ctx.signIn.cookie}` : ctx.signIn.cookie;
    if (existing >= 0) headers.splice(existing, 1);
    headers.push(["cookie", cookie]);
  }
  if (c.hx) headers.push(["hx-request", "true"]);
  const bytes = c.body ? bodyBytes(c.body, ctx, session) : undefined;
  if (c.webhook && bytes) headers.push(...(await signatureHeaders(c.webhook, bytes, ctx)));
  const url = new URL(fill(c.path, ctx, session), ctx.base).href;
  const sent: Sent = { url, headers, body: bytes };
  let body: BodyInit | undefined = bytes as Uint8Array<ArrayBuffer> | undefined;
  if (c.body?.kind === "stream" && bytes) {
    let offset = 0;
    const chunk = c.body.chunk;
    body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + chunk));
        offset += chunk;
      },
    });
  }
  try {
    const response = await rawFetch(url, { method: c.method, headers, body, redirect: "manual", signal: AbortSignal.timeout(15_000) });
    const text = c.method === "HEAD" ? "" : await response.text();
    return { sent, answer: { status: response.status, contentType: response.headers.get("content-type"), text } };
  } catch (error) {
    return { sent, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

export function isErrorBody(text: string): boolean {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return typeof body?.error?.code === "string" && body.error.code.length > 0 && typeof body.error.message === "string" && body.error.message.length > 0;
  } catch {
    return false;
  }
}

/** Routes that answer people, and the refusals they answer with an HTML page. */
const PEOPLE_PAGES = new Map<string, number[]>([
  ["GET /auth/callback", [400, 502]],
  ["POST /dashboard/sign-in", [401, 403, 429]],
]);

/** Why this answer breaks the rules, or undefined. */
export function judge(c: FuzzCase, answer: Answer): string | undefined {
  // Beyond Bun's own limits (URL over 16 KiB, body over maxRequestBodySize) Bun refuses before any of our code runs,
  // with a bare 431 or 413: a 4xx is all that can be asked of it.
  if (c.group === "transport") return answer.status >= 400 && answer.status < 500 ? undefined : `${answer.status} from Bun's own limits: not a 4xx`;
  const json = answer.contentType?.toLowerCase().includes("application/json") ?? false;
  const html = answer.contentType?.toLowerCase().includes("text/html") ?? false;
  if (answer.status >= 500) {
    const documented = c.method === c.route.method && c.route.documented.includes("503");
    if (answer.status === 503 && documented && json && isErrorBody(answer.text)) return undefined;
    if (answer.status === 503) return documented ? "503 without the JSON error body" : "503 not documented for this route";
    return `${answer.status}: a 5xx`;
  }
  if (answer.status >= 400) {
    if (c.hx && html) return undefined;
    // Pages a person's browser lands on answer that person with the page itself (the sign-in form with its message,
    // the OAuth error page); what no browser sends (unreadable bodies, wrong media types) still gets the JSON error.
    if (html && PEOPLE_PAGES.get(`${c.route.method} ${c.route.path}`)?.includes(answer.status)) return undefined;
    // A byte range past the end of a static file: 416 is HTTP's answer (RFC 9110 §15.5.17), given by Bun's file serving.
    if (answer.status === 416 && /^\/(static|swagger-ui-dist)\//.test(c.route.path)) return undefined;
    if (!json) return `${answer.status} with content-type ${answer.contentType ?? "(none)"}${html ? " (HTML without HX-Request)" : ""}, not the JSON error body`;
    if (c.method === "HEAD") return undefined;
    if (!isErrorBody(answer.text)) return `${answer.status} JSON that is not {error:{code,message}}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Running

export interface Failure {
  index: number;
  group: FuzzCase["group"];
  route: string;
  method: string;
  mutation: string;
  auth: AuthKind;
  hx: boolean;
  reason: string;
  url: string;
  headers: string;
  body: string;
  status: number | null;
  responseType: string | null;
  response: string;
}

export interface Acknowledged {
  id: number;
  objectId?: string;
}

export interface FuzzReport {
  requests: number;
  statusCounts: Map<number, number>;
  failures: Failure[];
  acknowledged: Acknowledged[];
  seconds: number;
  byRoute: Map<string, number>;
}

const redact = (value: string, ctx: FuzzContext) =>
  value.replaceAll(ctx.apiToken, "<API_TOKEN>").replace(/oura_session=[^;\s]{20,}/g, "oura_session=<session>").replace(/oura_signin=[^;\s]{20,}/g, "oura_signin=<signin>");

export function preview(bytes: Uint8Array | string | undefined, max = 160): string {
  if (bytes === undefined) return "(none)";
  const text = typeof bytes === "string" ? bytes : new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, max * 4));
  const length = typeof bytes === "string" ? bytes.length : bytes.length;
  const shown = JSON.stringify(text.slice(0, max));
  return length > max ? `${shown}… (${length} bytes)` : shown;
}

/** Sends every case, `concurrency` at a time, in order; collects status counts, failures and acknowledged webhooks. */
export async function runCases(cases: FuzzCase[], ctx: FuzzContext, options: { concurrency?: number; onProgress?: (done: number) => void } = {}): Promise<FuzzReport> {
  const started = performance.now();
  const statusCounts = new Map<number, number>();
  const byRoute = new Map<string, number>();
  const failures: Failure[] = [];
  const acknowledged: Acknowledged[] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const c = cases[next++];
      if (!c) return;
      const { sent, answer, error } = await send(c, ctx);
      const routeKey = `${c.route.method} ${c.route.path}`;
      byRoute.set(routeKey, (byRoute.get(routeKey) ?? 0) + 1);
      if (answer) statusCounts.set(answer.status, (statusCounts.get(answer.status) ?? 0) + 1);
      const reason = error ? `no answer: ${error}` : judge(c, answer!);
      if (reason) {
        failures.push({
          index: c.index,
          group: c.group,
          route: routeKey,
          method: c.method,
          mutation: c.mutation,
          auth: c.auth,
          hx: c.hx,
          reason,
          url: redact(sent.url.replace(ctx.base.origin, ""), ctx).slice(0, 200),
          headers: redact(sent.headers.map(([k, v]) => `${k}: ${v.length > 80 ? `${v.slice(0, 80)}…` : v}`).join(" | "), ctx),
          body: redact(preview(sent.body), ctx),
          status: answer?.status ?? null,
          responseType: answer?.contentType ?? null,
          response: answer ? preview(answer.text, 200) : "",
        });
      }
      if (c.webhook && c.method === "POST" && answer && answer.status >= 200 && answer.status < 300) {
        const ack = JSON.parse(answer.text) as { id: number };
        let objectId: string | undefined;
        try {
          objectId = (JSON.parse(new TextDecoder().decode(sent.body)) as { object_id?: string }).object_id;
        } catch {
          objectId = undefined;
        }
        acknowledged.push({ id: ack.id, objectId });
      }
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return { requests: cases.length, statusCounts, failures, acknowledged, seconds: (performance.now() - started) / 1000, byRoute };
}

export function statusSummary(counts: Map<number, number>): string {
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}×${n}`)
    .join(", ");
}

/** Groups failures by route, method and answer, so one cause shows once, with the kinds of request that hit it and an example. */
export function groupFailures(failures: Failure[]): { key: string; count: number; kinds: string[]; example: Failure }[] {
  const groups = new Map<string, { key: string; count: number; kinds: string[]; example: Failure }>();
  for (const f of failures) {
    const routePath = f.route.slice(f.route.indexOf(" ") + 1);
    const wrong = f.method !== f.route.split(" ")[0] ? ` (route is ${f.route.split(" ")[0]})` : "";
    // Beyond Bun's own limits the answer does not depend on the route: one group per answer.
    const key = f.group === "transport" ? `[transport, any route] ${f.status} → ${f.reason}` : `${f.method} ${routePath}${wrong} → ${f.reason}`;
    const kind = f.mutation.replace(/^method:\S+ /, "").split(/[ =]/)[0]!;
    const group = groups.get(key);
    if (group) {
      group.count++;
      if (!group.kinds.includes(kind)) group.kinds.push(kind);
    } else groups.set(key, { key, count: 1, kinds: [kind], example: f });
  }
  return [...groups.values()].sort((a, b) => a.key.localeCompare(b.key));
}

export function describeFailures(failures: Failure[]): string {
  return groupFailures(failures)
    .map(({ key, count, kinds, example: e }) =>
      [
        `${count}× ${key}`,
        `    requests: ${kinds.sort().join(", ")}`,
        `    e.g. #${e.index} ${e.method} ${e.url}`,
        `    auth=${e.auth}${e.hx ? " hx" : ""} mutation=${e.mutation}`,
        `    headers: ${e.headers || "(none)"}`,
        `    body: ${e.body}`,
        `    → ${e.status ?? "no answer"} ${e.responseType ?? ""} ${e.response}`,
      ].join("\n"),
    )
    .join("\n");
}

/** Every acknowledged webhook, looked up by its event id in the SQLite file (read only): found, and whose object_id differs. */
export function verifyAcknowledged(dbPath: string, acknowledged: Acknowledged[]): { found: number; missing: Acknowledged[] } {
  const db = new Database(dbPath, { readonly: true, strict: true });
  try {
    const query = db.query("SELECT object_id FROM events WHERE id = $id");
    const missing: Acknowledged[] = [];
    let found = 0;
    const seen = new Set<number>();
    for (const ack of acknowledged) {
      if (seen.has(ack.id)) continue;
      seen.add(ack.id);
      const row = query.get({ id: ack.id }) as { object_id: string } | null;
      if (row && (ack.objectId === undefined || row.object_id === ack.objectId)) found++;
      else missing.push(ack);
    }
    return { found, missing };
  } finally {
    db.close();
  }
}

export const distinctAcknowledged = (acknowledged: Acknowledged[]) => new Set(acknowledged.map((a) => a.id)).size;

// ---------------------------------------------------------------------------------------------------------------
// A whole fuzz run against a server in a child process

export interface FuzzRunOptions {
  seed: number;
  requests: number;
  concurrency?: number;
  webhookMaxBytes?: number;
  onProgress?: (done: number) => void;
}

export interface FuzzRun {
  report: FuzzReport;
  routes: RouteInfo[];
  notInApp: string[];
  dbPath: string;
  healthStatus: number;
  verified: { found: number; missing: Acknowledged[] };
  summary: string;
  /** The main browser session still signed in at the end. */
  sessionLasted: boolean;
  /** Cases in the systematic sweep (the rest are random). */
  sweep: number;
}

export const FUZZ_API_TOKEN = "fuzz-api-token-0123456789abcdef";

/**
 * Starts a fake Oura and the server (file database, API_TOKEN, the fake's client id and secret), sends the
 * generated cases, then checks /health and that every acknowledged webhook is in the file.
 */
export async function fuzzRun(options: FuzzRunOptions): Promise<FuzzRun> {
  const { FakeOura } = await import("../fake-oura.ts");
  const fake = new FakeOura().start();
  const webhookMaxBytes = options.webhookMaxBytes ?? 65_536;
  const dbPath = join(tempDir("oura-fuzz-"), "fuzz.db");
  const env = { ...fake.env(), API_TOKEN: FUZZ_API_TOKEN, WEBHOOK_MAX_BYTES: String(webhookMaxBytes) };
  let server: ChildServer | undefined;
  try {
    server = await spawnServer({ ...env, DATABASE_PATH: dbPath });
    const base = server.url;
    const { routes, notInApp } = await discoverRoutes(base, env);
    const cases = generateCases(routes, { seed: options.seed, count: options.requests, webhookMaxBytes, runId: `fuzz-${options.seed}` });
    const signer = await createSignatureSigner(fake.clientSecret);
    // One stored event for {{EVENT_ID}}.
    const seedBody = JSON.stringify({ event_type: "create", data_type: "daily_sleep", object_id: `fuzz-${options.seed}-seed`, event_time: new Date().toISOString(), user_id: FUZZ_USER });
    const ts = String(Math.floor(Date.now() / 1000));
    const seeded = await fetch(new URL("/webhooks", base), {
      method: "POST",
      headers: { "content-type": "application/json", "x-oura-timestamp": ts, "x-oura-signature": await signer.sign(ts, seedBody) },
      body: seedBody,
    });
    if (seeded.status !== 201) throw new Error(`seeding failed: ${seeded.status} ${await seeded.text()}`);
    const seedAck = (await seeded.json()) as { id: number };
    const spareCount = cases.filter((c) => c.ownSession).length;
    const session = await signInSession(base, FUZZ_API_TOKEN);
    const spareSessions: Session[] = [];
    for (let i = 0; i < spareCount; i++) spareSessions.push(await signInSession(base, FUZZ_API_TOKEN));
    spareSessions.reverse();
    const ctx: FuzzContext = {
      base,
      apiToken: FUZZ_API_TOKEN,
      webhookSecret: fake.clientSecret,
      session,
      spareSessions,
      signIn: await signInForm(base),
      eventId: seedAck.id,
      signer,
      wrongSigner: await createSignatureSigner("not-the-secret-0123456789"),
    };
    const report = await runCases(cases, ctx, { concurrency: options.concurrency, onProgress: options.onProgress });
    report.acknowledged.unshift({ id: seedAck.id, objectId: `fuzz-${options.seed}-seed` });
    const health = await fetch(new URL("/health", base));
    // The session most session requests used must have lasted the run, or they tested nothing past the 401.
    const status = await fetch(new URL("/auth/status", base), { headers: { cookie: session.cookie } });
    const sessionLasted = status.status === 200 && ((await status.json()) as { principal?: string }).principal === "session";
    const verified = verifyAcknowledged(dbPath, report.acknowledged);
    const summary =
      `fuzz: ${report.requests} requests (seed ${options.seed}, ${routes.length} routes), ${statusSummary(report.statusCounts)}; ` +
      `${report.failures.length} failing (${report.failures.filter((f) => f.group === "transport").length} beyond Bun's request limits); ` +
      `${distinctAcknowledged(report.acknowledged)} webhooks acknowledged, ${verified.found} found`;
    return { report, routes, notInApp, dbPath, healthStatus: health.status, verified, summary, sessionLasted, sweep: sweepLength(routes, { seed: options.seed, webhookMaxBytes, runId: `fuzz-${options.seed}` }) };
  } finally {
    if (server) await server.stop("SIGTERM");
    fake.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// kill -9

export interface TrialResult {
  trial: number;
  sent: number;
  acknowledged: number;
  found: number;
  /** Acknowledged object ids stored more than once. */
  duplicated: string[];
  /** Acknowledged object ids not stored. */
  missing: string[];
  /** Stored although never acknowledged (committed, then killed before the answer left): allowed. */
  unacknowledgedStored: number;
  redelivered: { objectId: string; status: number; duplicate: boolean | undefined; sameId: boolean }[];
  killedAfterMs: number;
  restartExit: number;
}

export interface TrialOptions {
  trial: number;
  seed: number;
  inFlight?: number;
  secret: string;
  env?: Record<string, string>;
  /** Kill after this many ms of load (a seeded value in [minKillMs, maxKillMs] by default). */
  minKillMs?: number;
  maxKillMs?: number;
  redeliveries?: number;
}

/**
 * Spawns the server on a file database, keeps `inFlight` signed webhooks in flight, SIGKILLs it mid-load, restarts it
 * on the same file and checks that every acknowledged object_id is stored exactly once; then redelivers a few.
 */
export async function killTrial(options: TrialOptions): Promise<TrialResult> {
  const rng = new Rng(options.seed * 1000 + options.trial);
  const dbPath = join(tempDir("oura-kill9-"), "kill9.db");
  const env = { ...options.env, DATABASE_PATH: dbPath };
  const signer = await createSignatureSigner(options.secret);
  const prefix = `kill9-${options.seed}-${options.trial}-`;
  const acknowledged = new Map<string, number>();
  const bodies = new Map<string, string>();
  let sent = 0;
  const first = await spawnServer(env);
  const killAfterMs = (options.minKillMs ?? 300) + rng.int((options.maxKillMs ?? 1500) - (options.minKillMs ?? 300));
  let stop = false;
  const started = performance.now();
  const loop = async (worker: number) => {
    for (let i = 0; !stop; i++) {
      const objectId = `${prefix}${worker}-${i}`;
      const body = JSON.stringify({ event_type: "create", data_type: "daily_sleep", object_id: objectId, event_time: new Date().toISOString(), user_id: "KILL9-USER" });
      bodies.set(objectId, body);
      const ts = String(Math.floor(Date.now() / 1000));
      sent++;
      try {
        const response = await rawFetch(new URL("/webhooks", first.url), {
          method: "POST",
          headers: { "content-type": "application/json", "x-oura-timestamp": ts, "x-oura-signature": await signer.sign(ts, body) },
          body,
        });
        const text = await response.text();
        if (response.status >= 200 && response.status < 300) acknowledged.set(objectId, (JSON.parse(text) as { id: number }).id);
      } catch {
        return; // The server is gone: this one was never acknowledged.
      }
    }
  };
  const loops = Array.from({ length: options.inFlight ?? 32 }, (_, w) => loop(w));
  await Bun.sleep(killAfterMs);
  first.process.kill("SIGKILL");
  const killedAfterMs = Math.round(performance.now() - started);
  await first.process.exited;
  stop = true;
  await Promise.all(loops);

  const second = await spawnServer(env);
  try {
    const stored = new Map<string, number>();
    const db = new Database(dbPath, { readonly: true, strict: true });
    try {
      for (const row of db.query("SELECT object_id, count(*) AS n FROM events WHERE object_id LIKE $prefix GROUP BY object_id").all({ prefix: `${prefix}%` }) as { object_id: string; n: number }[]) {
        stored.set(row.object_id, row.n);
      }
    } finally {
      db.close();
    }
    const missing: string[] = [];
    const duplicated: string[] = [];
    let found = 0;
    for (const objectId of acknowledged.keys()) {
      const n = stored.get(objectId) ?? 0;
      if (n === 1) found++;
      else if (n === 0) missing.push(objectId);
      else duplicated.push(objectId);
    }
    const unacknowledgedStored = [...stored.keys()].filter((id) => !acknowledged.has(id)).length;
    const redelivered: TrialResult["redelivered"] = [];
    const ids = [...acknowledged.keys()];
    for (let i = 0; i < Math.min(options.redeliveries ?? 3, ids.length); i++) {
      const objectId = ids[rng.int(ids.length)]!;
      const body = bodies.get(objectId)!;
      const ts = String(Math.floor(Date.now() / 1000));
      const response = await rawFetch(new URL("/webhooks", second.url), {
        method: "POST",
        headers: { "content-type": "application/json", "x-oura-timestamp": ts, "x-oura-signature": await signer.sign(ts, body) },
        body,
      });
      const ack = (await response.json()) as { id?: number; duplicate?: boolean };
      redelivered.push({ objectId, status: response.status, duplicate: ack.duplicate, sameId: ack.id === acknowledged.get(objectId) });
    }
    // Still exactly once after the redeliveries.
    for (const { objectId } of redelivered) if (countRows(dbPath, "object_id = $id", { id: objectId }) !== 1) duplicated.push(objectId);
    return {
      trial: options.trial,
      sent,
      acknowledged: acknowledged.size,
      found,
      duplicated,
      missing,
      unacknowledgedStored,
      redelivered,
      killedAfterMs,
      restartExit: await second.stop("SIGTERM"),
    };
  } finally {
    if (second.process.exitCode === null) await second.stop("SIGKILL");
  }
}

export function trialLine(r: TrialResult): string {
  return (
    `kill -9 trial ${r.trial}: killed after ${r.killedAfterMs} ms, ${r.sent} sent, ${r.acknowledged} acknowledged, ${r.found} found exactly once, ` +
    `${r.missing.length} missing, ${r.duplicated.length} duplicated, ${r.unacknowledgedStored} stored without an answer; ` +
    `redeliveries: ${r.redelivered.map((x) => `${x.status}${x.duplicate ? " duplicate" : ""}${x.sameId ? "" : " (other id)"}`).join(", ")}`
  );
}

export function trialSummary(results: TrialResult[]): string {
  const acknowledged = results.reduce((n, r) => n + r.acknowledged, 0);
  const found = results.reduce((n, r) => n + r.found, 0);
  return `kill -9: ${results.length} trials, ${acknowledged} acknowledged, ${found} found`;
}
