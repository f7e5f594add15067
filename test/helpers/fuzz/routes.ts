// Every route to fuzz: the app's own list, merged with /openapi.json and the listed dashboard and auth routes.
import { createApp } from "../../../src/app.ts";
import { startTestServer } from "../servers.ts";

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

export type JsonSchema = { [key: string]: unknown };

/**
 * The dashboard and auth routes (HTML routes are not in /openapi.json), and /mcp (JSON-RPC, the SDK's transport);
 * kept here to check against the app's.
 */
export const LISTED_ROUTES: readonly string[] = [
  "GET /dashboard",
  "POST /dashboard/sign-in",
  "GET /dashboard/panels",
  "GET /dashboard/today",
  "PUT /dashboard/users/:id/name",
  "GET /dashboard/feed",
  "GET /dashboard/events/:id",
  "GET /dashboard/subscriptions",
  "GET /dashboard/subscriptions/summary",
  "POST /dashboard/subscriptions/sync",
  "PUT /dashboard/subscriptions/:id/renew",
  "DELETE /dashboard/subscriptions/:id",
  "DELETE /dashboard/users/:id",
  "PUT /dashboard/users/:id/operator",
  "DELETE /dashboard/users/:id/operator",
  "GET /dashboard/invitations",
  "POST /dashboard/invitations",
  "DELETE /dashboard/invitations/:id",
  "POST /dashboard/fetches/retry-failed",
  "GET /dashboard/hooks",
  "POST /dashboard/hooks",
  "PUT /dashboard/hooks/:id/enabled",
  "DELETE /dashboard/hooks/:id",
  "GET /dashboard/hooks/:id/deliveries",
  "POST /dashboard/hooks/:id/deliveries/:delivery_id/retry",
  "GET /auth/login",
  "GET /auth/callback",
  "GET /auth/status",
  "POST /auth/logout",
  "DELETE /auth/users/:id",
  "GET /dashboard/assistants",
  "POST /dashboard/assistants",
  "DELETE /dashboard/assistants/:id",
  "POST /mcp",
  "GET /mcp",
  "DELETE /mcp",
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

/**
 * Every route to fuzz, from three places merged: the app itself (createApp(deps).routes, so a new route is fuzzed
 * without touching this folder), the running server's /openapi.json (query names, JSON body schemas, which responses
 * are documented) and LISTED_ROUTES (a check that the list and the app agree).
 */
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
