// /openapi.json (generated from the route schemas), Swagger UI at /docs, and the static assets pages load.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { swaggerUI } from "@hono/swagger-ui";
import { ASSETS } from "../assets.ts";
import type { AppEnv } from "../deps.ts";

/** baseUrl "" makes Swagger UI load /swagger-ui-dist/… from this server: hosts may be offline. */
export const SWAGGER_UI_OPTIONS = { url: "/openapi.json", baseUrl: "" };

export function mountDocs(app: OpenAPIHono<AppEnv>, version: string) {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "The API_TOKEN configured on the server.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "mcpToken", {
    type: "http",
    scheme: "bearer",
    description: "A wearer's MCP access token (oura_mcp_…, made on the dashboard): /mcp, that wearer's data only.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "metricsToken", {
    type: "http",
    scheme: "bearer",
    description: "METRICS_TOKEN: reads /metrics and nothing else.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: "oura_session",
    description: "Browser session started by signing in with Oura.",
  });

  let document: unknown;
  app.get("/openapi.json", (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "Oura Streaming",
        version,
        description: "Receives Oura Ring API v2 webhooks, stores them durably and streams them live.",
      },
    });
    return c.json(document);
  });

  app.get("/docs", swaggerUI({ ...SWAGGER_UI_OPTIONS, title: "Oura Streaming API" }));
}

/** Static files (htmx, Swagger UI, our CSS and JS), all from the embedded manifest, cacheable for a day. */
export function mountAssets(app: OpenAPIHono<AppEnv>) {
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, () => new Response(Bun.file(asset.file), { headers: { "content-type": asset.contentType, "cache-control": "public, max-age=86400" } }));
  }
}
