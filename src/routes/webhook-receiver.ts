// POST /webhooks as one plain (Request) => Response function: the route that sees Oura's whole delivery rate.
// Bun.serve routes it straight here and Hono mounts the same function (so app.request() and /openapi.json see it).
// Kept because going through Hono costs ingest, measured for #20 (2026-12-07, Bun 1.4.5, 2 cores, the configuration
// users run, 64 connections, against this same handler folded into a Hono route with the app's body limit, headers,
// metrics and error path; targets interleaved round by round with a bare Bun.serve):
//   - 6 quiet rounds of 10 s: 11.4k vs 10.5k req/s, +8.3% (rounds: +6.1% to +17.6%); server CPU 82 vs 91 µs/request (9.6%)
//   - 8 rounds of 6 s, most beside another engineer's test runs: median +23.7%, +12.3% in the one quiet round; CPU 12.7%
//   - `npm run bench`, once each: 10.9k req/s (0.20× bare) vs 9.1k (0.19× bare); webhook secret only 12.0k vs 10.2k
// In quiet rounds that is 8.3%, under the 10% issue #20 asks this second pipeline to buy; it is kept anyway because
// the same issue forbids ingest to fall below where it is (≈ 0.22× bare), and folding costs those 8%. Measure again
// (interleaved, both ways) and fold it back once Hono's path costs less than 10%.
import type { AppDeps } from "../deps.ts";
import { AppError, errorBody, STORAGE_CORRUPT_MESSAGE, validationError } from "../errors.ts";
import { readCappedBody } from "../http/read-capped-body.ts";
import { API_SECURITY_HEADERS } from "../http/security-headers.ts";
import { cachedLabelKeys, labelKey } from "../metrics.ts";
import { parseOuraTimestamp } from "../oura/signature.ts";
import { publishEvent } from "../realtime/event-messages.ts";
import { WebhookNotification } from "../schemas/notification.ts";
import type { NewEvent } from "../storage/events.ts";
import { StorageCorruptError, StorageUnavailableError } from "../storage/storage-errors.ts";

export type WebhookReceiver = (request: Request) => Promise<Response>;

type Delivery = Pick<NewEvent, "identity" | "raw" | "received">;

const JSON_HEADERS = { "content-type": "application/json", ...API_SECURITY_HEADERS };
const decoder = new TextDecoder();

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });

/**
 * Size, signature, freshness, JSON syntax, then the zod schema, in that order: nothing unauthenticated is parsed,
 * and a bad signature says no more than that. The content type is not checked: a correctly signed JSON body is
 * accepted whatever Content-Type it came with.
 */
async function verifiedDelivery(deps: WebhookReceiverDeps, request: Request): Promise<Delivery> {
  if (!deps.verifier) {
    deps.refusals.refused("webhook_secret_missing");
    throw new AppError(503, "webhook_secret_missing", "webhooks are refused until OURA_CLIENT_SECRET (or OURA_WEBHOOK_SECRET) is configured");
  }
  let body: Uint8Array;
  try {
    body = await readCappedBody(request, deps.config.webhookMaxBytes);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(400, "unreadable_body", "the request body could not be read");
  }
  const signature = request.headers.get("x-oura-signature");
  const timestamp = request.headers.get("x-oura-timestamp");
  if (!signature || !timestamp || !(await deps.verifier.verify(timestamp, body, signature))) {
    deps.refusals.refused("invalid_signature");
    throw new AppError(401, "invalid_signature", "missing or invalid x-oura-signature");
  }
  const signedAt = parseOuraTimestamp(timestamp);
  const offset = signedAt === undefined ? undefined : deps.now() / 1000 - signedAt;
  if (offset === undefined || Math.abs(offset) > deps.config.webhookToleranceSeconds) {
    deps.refusals.refused("stale_timestamp", offset);
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
  if (!notification.success) throw validationError("json", notification.error);
  return { identity: notification.data, raw: text, received: parsed as Record<string, unknown> };
}

/** What receiving a delivery touches: the signature, the log, the live stream and the fetcher to wake. */
export type WebhookReceiverDeps = Pick<AppDeps, "verifier" | "config" | "now" | "refusals" | "accounts" | "events" | "broadcaster" | "sync" | "metrics" | "logger">;

export function createWebhookReceiver(deps: WebhookReceiverDeps): WebhookReceiver {
  const { metrics, logger } = deps;
  const created = labelKey({ outcome: "created" });
  const duplicate = labelKey({ outcome: "duplicate" });
  const rejectedKey = cachedLabelKeys((reason) => ({ outcome: "rejected", reason }));

  return async function receiveNotification(request) {
    let result;
    try {
      const delivery = await verifiedDelivery(deps, request);
      // Without a usable sign-in for this user the document cannot be fetched yet: say so now, not after a fetch attempt.
      const fetch = !deps.sync ? "not_fetched" : !deps.accounts.hasUsableLink(delivery.identity.user_id) ? "awaiting_link" : "pending";
      result = await deps.events.appendEvent({ source: "webhook", ...delivery, fetch }).catch((error: unknown) => {
        if (error instanceof StorageCorruptError) throw new AppError(503, "storage_corrupt", STORAGE_CORRUPT_MESSAGE);
        throw error instanceof StorageUnavailableError ? new AppError(503, "storage_unavailable", "the event could not be stored; retry later") : error;
      });
    } catch (error) {
      if (error instanceof AppError) {
        metrics.webhooks.incKey(rejectedKey(error.code));
        return json(error.status, errorBody(error.code, error.message, error.details));
      }
      // Never a 5xx for what the sender did: anything unforeseen is logged (without the body) and answered as such.
      logger.error("webhook.failed", { error: error instanceof Error ? error.name : "unknown" });
      return json(500, errorBody("internal_error", "the server could not complete this request"));
    }
    const { event } = result;
    deps.refusals.accepted();
    if (result.created) {
      publishEvent(deps.broadcaster, event);
      metrics.webhooks.incKey(created);
      if (event.fetch_status === "pending") deps.sync?.fetcher.wake();
      logger.info("event.stored", { id: event.id, source: "webhook", data_type: event.data_type, event_type: event.event_type });
      return json(201, { id: event.id, duplicate: false });
    }
    metrics.webhooks.incKey(duplicate);
    logger.info("event.duplicate", { id: event.id, data_type: event.data_type, event_type: event.event_type });
    return json(200, { id: event.id, duplicate: true });
  };
}
