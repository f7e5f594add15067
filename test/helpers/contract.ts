// The contract check (issue #9): every JSON answer a test receives from one of our servers is validated against the
// response schema its route declares in /openapi.json, so the documentation cannot drift from the handlers.
//
// Loaded for every test file by `preload` in bunfig.toml. It wraps
//   - globalThis.fetch: a response from one of our servers is checked. An origin is "ours" when GET <origin>/openapi.json
//     answers an OpenAPI 3.1 document; the answer is fetched once per origin and cached (dropped when a server starts
//     on that port in this process, or when a request to the origin fails to connect). Only loopback hosts are probed:
//     requests to other hosts pass through untouched, and so do requests made by the server's own Oura client
//     (src/oura/client.ts, recognised from the call stack): those go to Oura (the fake one in tests), never to us, and
//     a probe would show up in the fake's request log.
//   - app.request() of every OpenAPIHono app that mounts sub-apps (app.route, as createApp does): checked against the
//     app's own app.getOpenAPI31Document(). Hono makes `request` an instance field, not a prototype method, so the
//     helper wraps it on the instance the first time that instance's route() is called.
//
// What is checked, for responses with a JSON content type (application/json or */*+json) only, so non-JSON answers,
// streams (/export's NDJSON, CSV), HTML, redirects and WebSocket upgrades are left alone:
//   - the operation: method + path template (/events/{id}) matched against the response's path (after redirects: the
//     final URL, and a redirected non-GET request as GET); HEAD uses GET's operation;
//   - the status must be declared for that operation (exact code, then 2XX-style range, then `default`);
//   - the declared response must have JSON content;
//   - the body must validate against the declared JSON Schema (ajv, JSON Schema 2020-12, $refs to #/components/...);
//   - a JSON response with status >= 400 to a path/method with no operation (404 for unknown routes, hidden routes
//     such as /dashboard/*) must validate against #/components/schemas/Error. Other answers of undocumented routes
//     are not checked.
// The check reads a clone: the caller gets the response unread. A mismatch throws from fetch()/app.request() with
// method, path, status and the schema errors; it is also recorded, and a global afterEach fails the test with every
// violation seen during it, in case the code that made the request swallowed the error (e.g. the fake Oura's
// handshake).
//
// Turning it off for one request that intentionally goes out of contract: use `uncheckedFetch` (exported below: the
// original fetch) instead of fetch, or call `app.fetch(new Request(...))` instead of app.request(). Nothing needs
// that today; prefer fixing the declaration.
//
// CONTRACT_LOG=1 prints one line per checked response (method, path, status, verdict) to stderr.
import { afterEach } from "bun:test";
import { join } from "node:path";
import { OpenAPIHono } from "@hono/zod-openapi";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";

/** The fetch this helper wraps: requests made with it are not checked. */
export const uncheckedFetch: typeof fetch = globalThis.fetch;

type Json = Record<string, any>;
interface Operation {
  template: string;
  method: string;
  responses: Json;
}
interface PathEntry {
  template: string;
  pattern: RegExp;
  literals: number;
  operations: Json;
}

const DOCUMENT_ID = "https://contract.invalid/openapi.json";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const OURA_CLIENT_FILE = join(import.meta.dir, "..", "..", "src", "oura", "client.ts");
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
/** CONTRACT_LOG=1 bun test …: one line per checked response, to see what the helper covers. */
const LOG = Boolean(process.env.CONTRACT_LOG);

/** One OpenAPI document: its path index and an ajv instance holding it, validators compiled on first use. */
class Contract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  private readonly paths: PathEntry[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: Json) {
    // The whole document is added under one id, so a response schema compiled by JSON pointer resolves its
    // "#/components/schemas/…" references against the document, exactly as OpenAPI means them.
    this.ajv.addSchema({ ...document, $id: DOCUMENT_ID });
    this.paths = Object.entries((document.paths ?? {}) as Record<string, Json>)
      .map(([template, operations]) => {
        const segments = template.split("/");
        const pattern = new RegExp(`^${segments.map((s) => (/^\{[^}]+\}$/.test(s) ? "[^/]+" : escapeRegExp(s))).join("/")}$`);
        return { template, pattern, literals: segments.filter((s) => !s.startsWith("{")).length, operations };
      })
      .sort((a, b) => b.literals - a.literals);
  }

  operation(method: string, path: string): Operation | undefined {
    const wanted = (method === "HEAD" ? "GET" : method).toLowerCase();
    for (const entry of this.paths) {
      if (!entry.pattern.test(path)) continue;
      const operation = entry.operations[wanted];
      if (operation && METHODS.includes(wanted)) return { template: entry.template, method: wanted.toUpperCase(), responses: operation.responses ?? {} };
    }
    return undefined;
  }

  hasErrorSchema(): boolean {
    return Boolean(this.document.components?.schemas?.Error);
  }

  /** Validates `body` against the schema at JSON pointer `pointer` of the document. */
  validate(pointer: string[], body: unknown): string | undefined {
    const ref = `${DOCUMENT_ID}#/${pointer.map((p) => encodeURIComponent(p.replaceAll("~", "~0").replaceAll("/", "~1"))).join("/")}`;
    let validator = this.validators.get(ref);
    if (!validator) {
      validator = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validator);
    }
    if (validator(body)) return undefined;
    return formatErrors(validator.errors ?? []);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function formatErrors(errors: ErrorObject[]): string {
  return errors
    .slice(0, 10)
    .map((e) => `body${e.instancePath || ""} ${e.message ?? e.keyword}${e.keyword === "additionalProperties" ? ` (${JSON.stringify(e.params)})` : ""}`)
    .join("; ");
}

function isJson(contentType: string | null | undefined): boolean {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || /^[a-z]+\/[^;]*\+json$/.test(type);
}

const contracts = new Map<string, Contract>();
/** One Contract per distinct document (every test server of this revision serves the same one). */
function contractFor(document: Json): Contract {
  const key = JSON.stringify(document);
  let contract = contracts.get(key);
  if (!contract) {
    contract = new Contract(document);
    contracts.set(key, contract);
  }
  return contract;
}

function isOpenApi31(value: unknown): value is Json {
  const doc = value as Json | null;
  return typeof doc === "object" && doc !== null && typeof doc.openapi === "string" && doc.openapi.startsWith("3.1") && typeof doc.paths === "object";
}

/** origin → the promise of its Contract, or of undefined when the origin is not one of our servers. */
const origins = new Map<string, Promise<Contract | undefined>>();

function contractOfOrigin(origin: string): Promise<Contract | undefined> {
  let cached = origins.get(origin);
  if (!cached) {
    cached = (async () => {
      try {
        const answer = await uncheckedFetch(`${origin}/openapi.json`, { signal: AbortSignal.timeout(5000) });
        if (!answer.ok || !isJson(answer.headers.get("content-type"))) {
          await answer.body?.cancel();
          return undefined;
        }
        const document: unknown = await answer.json().catch(() => undefined);
        return isOpenApi31(document) ? contractFor(document) : undefined;
      } catch {
        origins.delete(origin); // could not ask (server going away): ask again next time
        return undefined;
      }
    })();
    origins.set(origin, cached);
  }
  return cached;
}

function forgetPort(port: number | string): void {
  for (const origin of origins.keys()) if (new URL(origin).port === String(port)) origins.delete(origin);
}

/** Every violation since the last afterEach. */
const violations: string[] = [];

/** The check itself: what is wrong, "" when the response keeps the contract, undefined when nothing applies to it. */
async function findViolation(contract: Contract, method: string, path: string, response: Response): Promise<string | undefined> {
  const operation = contract.operation(method, path);
  const status = response.status;
  let pointer: string[] | undefined;
  let where: string;
  if (operation) {
    const responses = operation.responses;
    const code = [String(status), `${String(status)[0]}XX`, "default"].find((c) => c in responses);
    where = `${operation.method} ${operation.template}`;
    if (!code) return `status ${status} is not declared for ${where} (declared: ${Object.keys(responses).join(", ") || "none"})`;
    const content = (responses[code].content ?? {}) as Json;
    const mediaType = response.headers.get("content-type")!.split(";")[0]!.trim().toLowerCase();
    const declared = mediaType in content ? mediaType : Object.keys(content).find(isJson);
    if (!declared) return `the declared response ${code} of ${where} has no JSON content (declared: ${Object.keys(content).join(", ") || "no content"})`;
    where = `declared ${where} response ${code} (${declared})`;
    if (content[declared].schema !== undefined) pointer = ["paths", operation.template, operation.method.toLowerCase(), "responses", code, "content", declared, "schema"];
  } else {
    if (status < 400 || !contract.hasErrorSchema()) return undefined; // an undocumented route's success: not checked
    where = `no ${method} operation for this path, so a refusal must be #/components/schemas/Error`;
    pointer = ["components", "schemas", "Error"];
  }
  if (method === "HEAD" || status === 204 || status === 205 || status === 304 || !pointer) return "";
  const text = await response.clone().text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${where}: the body is not JSON: ${JSON.stringify(text.slice(0, 200))}`;
  }
  const errors = contract.validate(pointer, body);
  return errors ? `${where}: ${errors}; body was ${JSON.stringify(body).slice(0, 300)}` : "";
}

async function check(contract: Contract, method: string, url: URL, response: Response): Promise<void> {
  const problem = await findViolation(contract, method, url.pathname, response);
  if (LOG) console.error(`[contract] ${method} ${url.pathname} → ${response.status}: ${problem === undefined ? "not checked (undocumented route)" : problem || "ok"}`);
  if (!problem) return;
  const query = url.search.length > 120 ? `${url.search.slice(0, 120)}…` : url.search;
  const message = `contract violation: ${method} ${url.pathname}${query} → ${response.status}: ${problem}`;
  violations.push(message);
  throw new Error(message);
}

function requestMethod(input: RequestInfo | URL, init?: RequestInit): string {
  return (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
}

function requestUrl(input: RequestInfo | URL, base?: string): URL {
  return new URL(input instanceof Request ? input.url : String(input), base);
}

/** The method the final response answered: a followed redirect turns a non-GET request into GET (303, and 301/302 after POST). */
function answeredMethod(method: string, response: Response): string {
  return response.redirected && method !== "HEAD" ? "GET" : method;
}

const checkedFetch = async function checkedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const method = requestMethod(input, init);
  let url: URL | undefined;
  try {
    url = requestUrl(input);
  } catch {
    url = undefined;
  }
  const skip = !url || !/^https?:$/.test(url.protocol) || !LOOPBACK.has(url.hostname) || (new Error().stack ?? "").includes(OURA_CLIENT_FILE);
  let response: Response;
  try {
    response = await uncheckedFetch(input, init);
  } catch (error) {
    if (url && !skip) origins.delete(url.origin);
    throw error;
  }
  if (skip || !isJson(response.headers.get("content-type"))) return response;
  const answered = response.url ? new URL(response.url) : url!;
  if (!LOOPBACK.has(answered.hostname)) return response;
  const contract = await contractOfOrigin(answered.origin);
  if (contract) await check(contract, answeredMethod(method, response), answered, response);
  return response;
} as typeof fetch;
checkedFetch.preconnect = uncheckedFetch.preconnect;
globalThis.fetch = checkedFetch;

// A server started in this process may reuse the port of one that has stopped: ask that origin again.
const originalServe = Bun.serve;
(Bun as { serve: unknown }).serve = function serve(this: unknown, ...args: unknown[]) {
  const server = (originalServe as (...a: unknown[]) => { port?: number }).apply(this ?? Bun, args);
  if (server.port) forgetPort(server.port);
  return server;
};

// app.request(): `request` is an instance field of Hono, so it is wrapped per app, when the app first mounts routes.
const wrappedApps = new WeakSet<object>();
const appContracts = new WeakMap<object, Contract>();
const originalRoute = OpenAPIHono.prototype.route;
OpenAPIHono.prototype.route = function route(this: OpenAPIHono, ...args: Parameters<typeof originalRoute>) {
  if (!wrappedApps.has(this)) wrapRequest(this);
  return originalRoute.apply(this, args);
} as typeof originalRoute;

function wrapRequest(app: OpenAPIHono) {
  wrappedApps.add(app);
  const request = app.request;
  app.request = (async (input: RequestInfo | URL, init?: RequestInit, ...rest: unknown[]) => {
    const response = await (request as (...a: unknown[]) => Response | Promise<Response>)(input, init, ...rest);
    if (!isJson(response.headers.get("content-type"))) return response;
    let contract = appContracts.get(app);
    if (!contract) {
      const document = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "contract check", version: "0" } });
      contract = contractFor(JSON.parse(JSON.stringify(document)) as Json);
      appContracts.set(app, contract);
    }
    await check(contract, requestMethod(input, init), requestUrl(input, "http://localhost"), response);
    return response;
  }) as typeof app.request;
}

afterEach(() => {
  if (violations.length === 0) return;
  const seen = violations.splice(0);
  throw new Error(`${seen.length} contract violation(s) during this test:\n  ${seen.join("\n  ")}`);
});
