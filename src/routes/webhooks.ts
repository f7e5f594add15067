// Oura's webhook protocol: the GET verification handshake and signed POST notifications.
import { createRoute } from "@hono/zod-openapi";
import { secretsEqual } from "../auth/constant-time.ts";
import type { AppDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { errorResponse, jsonResponse } from "../schemas/common.ts";
import { HandshakeAnswer, HandshakeQuery, WebhookAck, WebhookNotification } from "../schemas/notification.ts";
import { createRouter, defineRoute } from "./router.ts";
import type { WebhookReceiver } from "./webhook-receiver.ts";

const handshakeRoute = defineRoute({
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

/** Documented here; checked by the receiver rather than a header validator. */
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

export function createWebhookRoutes(deps: Pick<AppDeps, "verificationToken">, receiver: WebhookReceiver) {
  const app = createRouter();

  app.openapi(handshakeRoute, (c) => {
    const { verification_token: token, challenge } = c.req.valid("query");
    if (token === undefined || !secretsEqual(token, deps.verificationToken)) {
      throw new AppError(401, "invalid_verification_token", "verification_token does not match");
    }
    if (challenge === undefined) throw new AppError(400, "missing_challenge", "challenge is required");
    return c.json({ challenge }, 200);
  });

  // Declared from the same createRoute (so /openapi.json shows the zod schema that validates), but answered by the
  // framework-free receiver, which validates synchronously with that schema. Bun.serve routes POSTs straight to it.
  app.openAPIRegistry.registerPath(notificationRoute);
  app.post(notificationRoute.path, (c) => receiver(c.req.raw));

  return app;
}
