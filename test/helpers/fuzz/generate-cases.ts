// The whole list of cases for a seed: the sweep over every route, then random cases.
import { buildCase, type Plan } from "./build-case.ts";
import type { AuthKind, BodySpec, FuzzCase, GeneratorOptions } from "./case-types.ts";
import { formBodies, signInBodies } from "./form-bodies.ts";
import { authFor, CONTENT_TYPES, ODD_HEADERS, OTHER_METHODS } from "./header-mutations.ts";
import { jsonBodies, sampleFromSchema } from "./json-bodies.ts";
import { PATH_VALUES, QUERY_SHAPES } from "./query-path-mutations.ts";
import { Rng } from "./rng.ts";
import type { RouteInfo } from "./routes.ts";
import { notification, SCHEMA_VALUES, SIGNATURE_MUTATIONS, TIMESTAMP_MUTATIONS, WEBHOOK_KINDS, type WebhookPlan, webhookCase } from "./webhook-cases.ts";

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
      const addWebhook = (plan: WebhookPlan) => add((index) => webhookCase(rng, { index, route, method: "POST", auth: "none", hx: false, ownSession: false }, options, validBodies, plan));
      const sample = notification(rng, options.runId, 0);
      for (let json = 0; json < jsonBodies(rng, sample).length; json++) addWebhook({ kind: "malformed-json", json });
      for (const field of Object.keys(sample))
        for (const value of SCHEMA_VALUES) addWebhook({ kind: "wrong-schema", field, value });
      for (const signature of SIGNATURE_MUTATIONS) addWebhook({ kind: "valid", signature });
      for (const timestamp of TIMESTAMP_MUTATIONS) addWebhook({ kind: "valid", timestamp });
      for (const contentType of CONTENT_TYPES) addWebhook({ kind: "valid", contentType });
      for (const kind of WEBHOOK_KINDS) addWebhook({ kind });
      continue;
    }
    const addPlanned = (plan: Plan) => add((index) => buildCase(rng, index, route, options, { method: route.method, hx: false, ...plan }));
    const auth: AuthKind = route.path === "/auth/logout" ? "bearer" : "session+csrf";
    for (const shape of QUERY_SHAPES) addPlanned({ auth, target: "query", query: { shape } });
    if (route.params.length > 0) for (const pathValue of PATH_VALUES) addPlanned({ auth, target: "path", pathValue });
    for (const header of ODD_HEADERS) addPlanned({ auth: "none", target: "headers", header });
    if (route.method === "GET" || route.method === "HEAD") continue;
    const sample = route.jsonSchema ? (sampleFromSchema(route.jsonSchema, rng) as Record<string, unknown>) : undefined;
    for (const [mutation, spec, contentType] of formBodies(rng)) {
      for (const formAuth of ["session", "bearer"] as const) addPlanned({ auth: formAuth, target: "body", body: { mutation, spec, contentType }, chunked: false });
    }
    for (const [mutation, spec] of jsonBodies(rng, sample)) addPlanned({ auth: "bearer", target: "body", body: { mutation, spec, contentType: "application/json" }, chunked: false });
    for (const contentType of CONTENT_TYPES) {
      const json: BodySpec = { kind: "text", text: JSON.stringify(sample ?? { a: 1 }) };
      const form: BodySpec = { kind: "text", text: "_csrf={{CSRF}}&a=1" };
      addPlanned({ auth: "bearer", target: "body", body: { mutation: `content-type:${JSON.stringify(contentType)}`, spec: json, contentType }, chunked: false });
      addPlanned({ auth: "session", target: "body", body: { mutation: `content-type:${JSON.stringify(contentType)}`, spec: form, contentType }, chunked: false });
    }
    if (route.path === "/dashboard/sign-in") for (const [mutation, spec, contentType] of signInBodies()) addPlanned({ auth: "none", target: "body", body: { mutation, spec, contentType }, chunked: false });
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
  // Wrong tokens trip the limiters (5 per 15 minutes on the sign-in form, 20 wrong bearers per address), after which
  // a route answers 429 before reading anything else: those go last, so the limiters hide nothing else.
  const tripsLimiter = (c: FuzzCase) => c.mutation.startsWith("signin:") || c.auth === "wrong-bearer" || c.headers.some(([name]) => name === "authorization");
  return [...cases.filter((c) => !tripsLimiter(c)), ...cases.filter(tripsLimiter)];
}
