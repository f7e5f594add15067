import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningServer } from "../../src/server.ts";
import { startTestServer } from "../helpers/servers.ts";

let running: RunningServer;
beforeAll(async () => {
  running = await startTestServer();
});
afterAll(() => running.stop());

describe("/openapi.json", () => {
  test("is a valid OpenAPI 3.1 document", async () => {
    const document = await (await fetch(new URL("/openapi.json", running.url))).json();
    const validator = new Validator();
    const result = await validator.validate(document as Parameters<Validator["validate"]>[0]);
    if (!result.valid) console.error(JSON.stringify(result.errors, null, 2));
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  test("declares every API route, with security on the data routes and the error shape", async () => {
    const document = (await (await fetch(new URL("/openapi.json", running.url))).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      [
        "DELETE /events",
        "GET /events",
        "GET /events/{id}",
        "POST /events/retry-failed",
        "GET /health",
        "GET /webhooks",
        "GET /ws/events",
        "POST /webhooks",
        "GET /auth/login",
        "GET /auth/callback",
        "GET /auth/status",
        "POST /auth/logout",
        "DELETE /auth/users/{id}",
        "GET /documents",
        "GET /documents/{data_type}/{id}",
        "GET /polling",
        "POST /backfill",
        "GET /backfill",
        "GET /backfill/{id}",
        "DELETE /backfill/{id}",
        "GET /subscriptions",
        "POST /subscriptions",
        "PUT /subscriptions/{id}/renew",
        "DELETE /subscriptions/{id}",
        "POST /subscriptions/sync",
        "GET /export",
        "GET /metrics",
        "GET /auth/invite/{secret}",
        "PUT /auth/users/{id}/operator",
        "PUT /auth/users/{id}/display-name",
        "DELETE /auth/users/{id}/operator",
        "POST /invitations",
        "GET /invitations",
        "DELETE /invitations/{id}",
        "POST /hooks",
        "GET /hooks",
        "GET /hooks/{id}",
        "PATCH /hooks/{id}",
        "DELETE /hooks/{id}",
        "POST /hooks/{id}/secret",
        "GET /hooks/{id}/deliveries",
        "POST /hooks/{id}/deliveries/{delivery_id}/retry",
        "POST /mcp-tokens",
        "GET /mcp-tokens",
        "DELETE /mcp-tokens/{id}",
        "GET /mcp-tokens/log",
        "POST /mcp",
        "GET /mcp",
        "DELETE /mcp",
      ].sort(),
    );
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const operation of Object.values(methods)) {
        if (path === "/mcp") {
          // A wearer's MCP token or the API token; never a browser's session.
          expect(operation.security).toEqual([{ mcpToken: [] }, { bearerAuth: [] }]);
          continue;
        }
        const isDataRoute = ["/events", "/ws/", "/documents", "/polling", "/backfill", "/auth/status", "/auth/users", "/subscriptions", "/export", "/metrics", "/invitations", "/hooks", "/mcp-tokens"].some((prefix) =>
          path.startsWith(prefix),
        );
        const requirements = (operation.security ?? []) as Record<string, string[]>[];
        if (path === "/auth/logout") {
          // No sign-in needed (the empty requirement), but a session is recognised, and must then send its CSRF token.
          expect(requirements).toEqual([{ sessionCookie: [] }, {}]);
          continue;
        }
        if (path === "/health") {
          // Anyone may ask (the empty requirement); operators get the details.
          expect(requirements).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }, {}]);
          continue;
        }
        expect(requirements.length > 0).toBe(isDataRoute);
        expect(requirements.some((requirement) => Object.keys(requirement).length === 0)).toBe(false);
      }
    }
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(["Error", "WebhookNotification", "Event", "EventList", "Health"]));
    // One enumerated set of error codes, which every answer's code belongs to (the contract check enforces it).
    const error = document.components.schemas.Error as { properties: { error: { properties: { code: { enum?: string[] } } } } };
    expect(error.properties.error.properties.code.enum).toEqual(expect.arrayContaining(["operator_only", "oura_not_configured", "too_many_attempts", "csrf_failed"]));
    expect(error.properties.error.properties.code.enum).not.toContain("oauth_not_configured");
    const post = document.paths["/webhooks"]!.post! as unknown as { parameters: { name: string }[]; requestBody: unknown };
    expect(post.parameters.map((p) => p.name).sort()).toEqual(["x-oura-signature", "x-oura-timestamp"]);
    expect(JSON.stringify(post.requestBody)).toContain("#/components/schemas/WebhookNotification");
    expect(Object.keys(document.paths["/webhooks"]!.post!.responses).sort()).toEqual(["200", "201", "400", "401", "413", "422", "503"]);
  });
});

describe("/docs", () => {
  test("Swagger UI loads its JavaScript and CSS from this server, not a CDN", async () => {
    const html = await (await fetch(new URL("/docs", running.url))).text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      expect(asset.startsWith("/")).toBe(true);
      const response = await fetch(new URL(asset, running.url));
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toContain("max-age");
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    expect(html).toContain('url: \'/openapi.json\'');
  });
});
