// One non-webhook case: a route's request with its query, path, body or a header made hostile.
import { encoder } from "./bytes.ts";
import { type AuthKind, type BodySpec, DELETE_PIN, type FuzzCase, type GeneratorOptions } from "./case-types.ts";
import { formBodies, signInBodies } from "./form-bodies.ts";
import { authFor, CONTENT_TYPES, ODD_HEADERS, OTHER_METHODS } from "./header-mutations.ts";
import { jsonBodies, sampleFromSchema } from "./json-bodies.ts";
import { fillPath, fuzzQuery, type QueryMutation, type QueryShape } from "./query-path-mutations.ts";
import type { Rng } from "./rng.ts";
import type { RouteInfo } from "./routes.ts";

/** What one non-webhook case does; anything left out is drawn at random. */
export interface Plan {
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

export function buildCase(rng: Rng, index: number, route: RouteInfo, options: GeneratorOptions, plan: Plan = {}): FuzzCase {
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
  if (route.path === "/events" && method === "DELETE") {
    // Pinned: a DELETE /events that validated would otherwise delete the acknowledged notifications (GET /events sent
    // with the wrong method DELETE included).
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
