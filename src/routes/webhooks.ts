// Oura's webhook protocol: the GET verification handshake and signed POST notifications.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { secretsEqual } from "../auth/constant-time.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError, validationHook } from "../errors.ts";
import { readCappedBody } from "../http/read-capped-body.ts";
import { parseOuraTimestamp } from "../oura/signature.ts";
import { publishEvent } from "../realtime/event-messages.ts";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { HandshakeAnswer, HandshakeQuery, WebhookAck, WebhookNotification } from "../schemas/notification.ts";
import { StorageUnavailableError } from "../storage/store.ts";

const decoder = new TextDecoder();

const handshakeRoute = createRoute({
  method: "get",
  path: "/webhooks",
  tags: ["Webhooks"],
  summary: "Subscription verification handshake",
  description: "Oura calls this when a subscription is created; the answer echoes the challenge when the token matches.",
  request: { query: HandshakeQuery },
  responses: {
    200: jsonResponse(HandshakeAnswer, "Token matches; the challenge is echoed"),
    400: errorResponse("No challenge given"),
    401: errorResponse("Missing or wrong verification_token"),
  },
});

/**
 * Size, signature, freshness, JSON syntax, then the zod schema, in that order: nothing unauthenticated is parsed,
 * and a bad signature says no more than that. The content type is not checked: a correctly signed JSON body is
 * accepted whatever Content-Type it came with.
 */
function verifyOuraDelivery(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function ouraDelivery(c, next) {
    if (!deps.verifier) {
      throw new AppError(503, "webhook_secret_missing", "webhooks are refused until OURA_CLIENT_SECRET (or OURA_WEBHOOK_SECRET) is configured");
    }
    const body = await readCappedBody(c.req.raw, deps.config.webhookMaxBytes);
    const signature = c.req.header("x-oura-signature");
    const timestamp = c.req.header("x-oura-timestamp");
    if (!signature || !timestamp || !(await deps.verifier.verify(timestamp, body, signature))) {
      throw new AppError(401, "invalid_signature", "missing or invalid x-oura-signature");
    }
    const signedAt = parseOuraTimestamp(timestamp);
    const skew = signedAt === undefined ? Infinity : Math.abs(deps.now() / 1000 - signedAt);
    if (skew > deps.config.webhookToleranceSeconds) {
      throw new AppError(401, "stale_timestamp", `x-oura-timestamp is more than ${deps.config.webhookToleranceSeconds} s from this server's clock`);
    }
    const text = decoder.decode(body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AppError(400, "invalid_json", "the signed body is not valid JSON");
    }
    const notification = WebhookNotification.safeParse(parsed);
    if (!notification.success) return validationHook({ ...notification, target: "json" }, c);
    c.set("delivery", { notification: notification.data, rawNotification: text, receivedNotification: parsed as Record<string, unknown> });
    await next();
  };
}

/** Documented here; checked by the signature middleware rather than a header validator. */
const WEBHOOK_HEADER_PARAMETERS = [
  {
    name: "x-oura-signature",
    in: "header" as const,
    required: true,
    schema: { type: "string" as const },
    description: "Hex HMAC-SHA256 of x-oura-timestamp + raw body, keyed by the client secret (any case).",
  },
  {
    name: "x-oura-timestamp",
    in: "header" as const,
    required: true,
    schema: { type: "string" as const },
    description: "Unix time in seconds when Oura signed the request.",
  },
];

const notificationRoute = createRoute({
    method: "post",
    path: "/webhooks",
    tags: ["Webhooks"],
    summary: "Receive a signed Oura notification",
    description:
      "Answers 2xx only after the event is committed. A redelivery answers 200 with the stored event's id and stores nothing new.",
    request: {
      body: { required: true, content: { "application/json": { schema: WebhookNotification } } },
    },
    parameters: WEBHOOK_HEADER_PARAMETERS,
    responses: {
      200: jsonResponse(WebhookAck, "Already stored (redelivery)"),
      201: jsonResponse(WebhookAck, "Stored"),
      400: errorResponse("Body is not JSON"),
      401: errorResponse("Missing or invalid signature, or timestamp outside the tolerance window"),
      413: errorResponse("Body larger than WEBHOOK_MAX_BYTES"),
      422: errorResponse("JSON without the notification fields"),
      503: errorResponse("No webhook secret configured, or storage unavailable"),
    },
});

export function createWebhookRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(handshakeRoute, (c) => {
    const { verification_token: token, challenge } = c.req.valid("query");
    if (token === undefined || !secretsEqual(token, deps.verificationToken)) {
      throw new AppError(401, "invalid_verification_token", "verification_token does not match");
    }
    if (challenge === undefined) throw new AppError(400, "missing_challenge", "challenge is required");
    return c.json({ challenge }, 200);
  });

  // The hot path: declared from the same createRoute (so /openapi.json shows the zod schema), but mounted as a plain
  // handler whose middleware validates synchronously with that schema. zod-openapi's generic validators would read
  // every header into a zod object and parse the body asynchronously a second time: ~15% of ingest throughput.
  app.openAPIRegistry.registerPath(notificationRoute);
  app.use(notificationRoute.path, async function countRejections(c, next) {
    await next();
    if (c.req.method === "POST" && c.res.status >= 400) deps.metrics.webhooks.inc({ outcome: "rejected", reason: c.var.errorCode ?? String(c.res.status) });
  });
  app.post(notificationRoute.path, verifyOuraDelivery(deps), async (c) => {
    const { delivery } = c.var;
    let result;
    try {
      result = await deps.store.appendEvent({ source: "webhook", ...delivery });
    } catch (error) {
      if (error instanceof StorageUnavailableError) throw new AppError(503, "storage_unavailable", "the event could not be stored; retry later");
      throw error;
    }
    const { event, created } = result;
    if (created) {
      publishEvent(deps.broadcaster, event);
      deps.metrics.webhooks.inc({ outcome: "created" });
      if (event.fetch_status === "pending") deps.fetcher?.wake();
      deps.logger.info("event.stored", { id: event.id, source: "webhook", data_type: event.data_type, event_type: event.event_type });
      return c.json({ id: event.id, duplicate: false }, 201);
    }
    deps.metrics.webhooks.inc({ outcome: "duplicate" });
    deps.logger.info("event.duplicate", { id: event.id, data_type: event.data_type, event_type: event.event_type });
    return c.json({ id: event.id, duplicate: true }, 200);
  });

  return app;
}
