// POST /webhooks as one plain (Request) => Response function: the route that sees Oura's whole delivery rate.
// Bun.serve routes it straight here and Hono mounts the same function (so app.request() and /openapi.json see it);
// going through Hono's context, router and middleware chain measured ~20% of ingest throughput.
import type { AppDeps } from "../deps.ts";
import { AppError, errorBody, validationFailure } from "../errors.ts";
import { readCappedBody } from "../http/read-capped-body.ts";
import { labelKey } from "../metrics.ts";
import { parseOuraTimestamp } from "../oura/signature.ts";
import { publishEvent } from "../realtime/event-messages.ts";
import { WebhookNotification } from "../schemas/notification.ts";
import { type NewEvent, StorageUnavailableError } from "../storage/store.ts";

export type WebhookReceiver = (request: Request) => Promise<Response>;

type Delivery = Pick<NewEvent, "notification" | "rawNotification" | "receivedNotification">;

const JSON_HEADERS = { "content-type": "application/json" };
const decoder = new TextDecoder();

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly body: unknown,
  ) {
    super(code);
  }
}

const refuse = (status: number, code: string, message: string) => new Refusal(status, code, errorBody(code, message));

/**
 * Size, signature, freshness, JSON syntax, then the zod schema, in that order: nothing unauthenticated is parsed,
 * and a bad signature says no more than that. The content type is not checked: a correctly signed JSON body is
 * accepted whatever Content-Type it came with.
 */
async function verifiedDelivery(deps: AppDeps, request: Request): Promise<Delivery> {
  if (!deps.verifier) {
    throw refuse(503, "webhook_secret_missing", "webhooks are refused until OURA_CLIENT_SECRET (or OURA_WEBHOOK_SECRET) is configured");
  }
  let body: Uint8Array;
  try {
    body = await readCappedBody(request, deps.config.webhookMaxBytes);
  } catch (error) {
    if (error instanceof AppError) throw refuse(error.status, error.code, error.message);
    throw refuse(400, "unreadable_body", "the request body could not be read");
  }
  const signature = request.headers.get("x-oura-signature");
  const timestamp = request.headers.get("x-oura-timestamp");
  if (!signature || !timestamp || !(await deps.verifier.verify(timestamp, body, signature))) {
    throw refuse(401, "invalid_signature", "missing or invalid x-oura-signature");
  }
  const signedAt = parseOuraTimestamp(timestamp);
  const skew = signedAt === undefined ? Infinity : Math.abs(deps.now() / 1000 - signedAt);
  if (skew > deps.config.webhookToleranceSeconds) {
    throw refuse(401, "stale_timestamp", `x-oura-timestamp is more than ${deps.config.webhookToleranceSeconds} s from this server's clock`);
  }
  const text = decoder.decode(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw refuse(400, "invalid_json", "the signed body is not valid JSON");
  }
  const notification = WebhookNotification.safeParse(parsed);
  if (!notification.success) {
    const failure = validationFailure("json", notification.error);
    throw new Refusal(failure.status, "validation_failed", failure.body);
  }
  return { notification: notification.data, rawNotification: text, receivedNotification: parsed as Record<string, unknown> };
}

export function createWebhookReceiver(deps: AppDeps): WebhookReceiver {
  const { metrics, logger } = deps;
  const created = labelKey({ outcome: "created" });
  const duplicate = labelKey({ outcome: "duplicate" });
  const rejected = new Map<string, string>();
  const rejectedKey = (reason: string) => {
    let k = rejected.get(reason);
    if (k === undefined) rejected.set(reason, (k = labelKey({ outcome: "rejected", reason })));
    return k;
  };

  return async function receiveNotification(request) {
    let result;
    try {
      const delivery = await verifiedDelivery(deps, request);
      result = await deps.store.appendEvent({ source: "webhook", ...delivery });
    } catch (error) {
      if (error instanceof Refusal) {
        metrics.webhooks.incKey(rejectedKey(error.code));
        return json(error.status, error.body);
      }
      if (error instanceof StorageUnavailableError) {
        metrics.webhooks.incKey(rejectedKey("storage_unavailable"));
        return json(503, errorBody("storage_unavailable", "the event could not be stored; retry later"));
      }
      // Never a 5xx for what the sender did: anything unforeseen is logged (without the body) and answered as such.
      logger.error("webhook.failed", { error: error instanceof Error ? error.name : "unknown" });
      return json(500, errorBody("internal_error", "the server could not complete this request"));
    }
    const { event } = result;
    if (result.created) {
      publishEvent(deps.broadcaster, event);
      metrics.webhooks.incKey(created);
      if (event.fetch_status === "pending") deps.fetcher?.wake();
      logger.info("event.stored", { id: event.id, source: "webhook", data_type: event.data_type, event_type: event.event_type });
      return json(201, { id: event.id, duplicate: false });
    }
    metrics.webhooks.incKey(duplicate);
    logger.info("event.duplicate", { id: event.id, data_type: event.data_type, event_type: event.event_type });
    return json(200, { id: event.id, duplicate: true });
  };
}
