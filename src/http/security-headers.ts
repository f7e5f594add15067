// Security headers on every answer: a Content-Security-Policy the dashboard (htmx, its WebSocket extension, our own
// script) and Swagger UI work under, no framing, no MIME sniffing, no referrer leaving this server.
import { SwaggerUI } from "@hono/swagger-ui";
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { SWAGGER_UI_OPTIONS } from "../routes/docs.ts";

/**
 * Swagger UI starts from one inline script that @hono/swagger-ui writes. It never changes at run time, so the policy
 * allows exactly that script by its hash instead of allowing inline scripts.
 */
function swaggerInitHash(): string {
  const page = SwaggerUI(SWAGGER_UI_OPTIONS);
  const inline = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1];
  if (inline === undefined) throw new Error("@hono/swagger-ui no longer writes an inline script: revisit the Content-Security-Policy");
  return `'sha256-${new Bun.CryptoHasher("sha256").update(inline).digest("base64")}'`;
}

export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", swaggerInitHash()],
      // No inline styles either: Swagger UI sets its styles through the DOM, which the policy does not restrict.
      styleSrc: ["'self'"],
      // Swagger UI draws its icons from data: URLs.
      imgSrc: ["'self'", "data:"],
      // 'self' covers the dashboard's ws:// or wss:// connection to this same host.
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    // HSTS belongs to whoever terminates TLS in front of this server; sent from here it could pin a user's whole domain.
    strictTransportSecurity: false,
  });
}

/** The same headers for answers written without Hono (the webhook receiver): JSON never needs more than these. */
export const API_SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};
