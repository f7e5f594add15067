// createApp: every route, the error path and the API documentation, from injected dependencies.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "./deps.ts";
import { bodyLimit } from "hono/body-limit";
import { createErrorHandler, errorBody, notFound, validationHook } from "./errors.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { createAuthRoutes } from "./routes/auth.ts";
import { createDashboardRoutes } from "./routes/dashboard.ts";
import { createDashboardHookRoutes } from "./routes/dashboard-hooks.ts";
import { createDashboardAssistantRoutes } from "./routes/dashboard-assistants.ts";
import { mountAssets, mountDocs } from "./routes/docs.ts";
import { createDocumentRoutes } from "./routes/documents.ts";
import { createPollingRoutes } from "./routes/polling.ts";
import { createBackfillRoutes } from "./routes/backfill.ts";
import { createEventRoutes } from "./routes/events.ts";
import { createFetchRetryRoutes } from "./routes/fetch-retry.ts";
import { provideGuardDeps } from "./routes/guards.ts";
import { createExportRoutes } from "./routes/export.ts";
import { createHealthRoutes } from "./routes/health.ts";
import { createHookRoutes } from "./routes/hooks.ts";
import { createInvitationRoutes } from "./routes/invitations.ts";
import { createMcpRoutes } from "./routes/mcp.ts";
import { createMcpTokenRoutes } from "./routes/mcp-tokens.ts";
import { createMetricsRoutes, measureRequests } from "./routes/metrics.ts";
import { createSubscriptionRoutes } from "./routes/subscriptions.ts";
import { createRealtimeRoutes } from "./routes/realtime.ts";
import { createWebhookReceiver, type WebhookReceiver } from "./routes/webhook-receiver.ts";
import { createWebhookRoutes } from "./routes/webhooks.ts";

/** `receiver` answers POST /webhooks; the server passes the one it also routes to directly. */
export function createApp(deps: AppDeps, receiver: WebhookReceiver = createWebhookReceiver(deps)) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(createErrorHandler(deps.logger, { classify: deps.classifyStorageFailure, onCorruption: (error) => deps.storageStatus.reportCorruption(error) }));
  app.notFound(notFound);
  app.use(measureRequests(deps));
  app.use(securityHeaders());
  // One body limit for every route (the webhook receiver applies the same one on its direct path).
  app.use(bodyLimit({ maxSize: deps.config.webhookMaxBytes, onError: (c) => c.json(errorBody("payload_too_large", `the body is larger than ${deps.config.webhookMaxBytes} bytes`), 413) }));

  // Ahead of every route: the guards their definitions carry judge with these.
  app.use(provideGuardDeps(deps));

  app.route("/", createHealthRoutes(deps));
  app.route("/", createWebhookRoutes(deps, receiver));
  app.route("/", createEventRoutes(deps));
  app.route("/", createFetchRetryRoutes(deps));
  app.route("/", createRealtimeRoutes(deps));
  app.route("/", createAuthRoutes(deps));
  app.route("/", createDocumentRoutes(deps));
  app.route("/", createPollingRoutes(deps));
  app.route("/", createBackfillRoutes(deps));
  app.route("/", createSubscriptionRoutes(deps));
  app.route("/", createInvitationRoutes(deps));
  app.route("/", createHookRoutes(deps));
  app.route("/", createDashboardRoutes(deps));
  app.route("/", createDashboardHookRoutes(deps));
  app.route("/", createDashboardAssistantRoutes(deps));
  app.route("/", createExportRoutes(deps));
  app.route("/", createMcpTokenRoutes(deps));
  app.route("/", createMcpRoutes(deps));
  app.route("/", createMetricsRoutes(deps));
  mountDocs(app, deps.version);
  mountAssets(app);

  // A browser lands on the dashboard; an API client (no text/html in Accept) keeps getting the API's documentation.
  app.get("/", (c) => c.redirect((c.req.header("accept") ?? "").includes("text/html") ? "/dashboard" : "/docs"));
  return app;
}
