// Outgoing webhooks as stored: the endpoints operators and wearers register, the queue of final events the triggers
// fill in the same commit as the event, and one delivery per (endpoint, event) with its attempts.
import type { Event } from "./events.ts";

export interface HookEndpoint {
  id: string;
  /** A wearer's endpoint only ever receives that user's events; null for an operator's. */
  owner_user_id: string | null;
  url: string;
  /** The signing secret, sealed with the token cipher (never the plaintext). */
  sealed_secret: string;
  /** null: every data type (likewise event_types and user_ids). */
  data_types: string[] | null;
  event_types: string[] | null;
  user_ids: string[] | null;
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: string | null;
  /** When its deliveries started failing without a success since (null when the last attempt succeeded). */
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

export type NewHookEndpoint = Pick<HookEndpoint, "id" | "owner_user_id" | "url" | "sealed_secret" | "data_types" | "event_types" | "user_ids" | "description">;

export type HookEndpointChange = Partial<Pick<HookEndpoint, "url" | "data_types" | "event_types" | "user_ids" | "description" | "enabled">>;

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface HookDelivery {
  id: number;
  endpoint_id: string;
  event_id: number;
  /** The webhook-id: the same on every attempt and on "send again", so receivers can drop duplicates. */
  message_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  last_response_ms: number | null;
  last_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** A delivery due now, with what sending it needs. */
export interface DueDelivery {
  delivery: HookDelivery;
  endpoint: HookEndpoint;
  /** Undefined when the event is no longer stored (deleted meanwhile). */
  event: Event | undefined;
}

/** What became of one attempt. */
export type AttemptOutcome =
  | { kind: "delivered"; statusCode: number; responseMs: number }
  /** `retryAtMs` undefined: no attempt left, the delivery has failed. `disable`: the endpoint is turned off with this reason. */
  | { kind: "failed"; statusCode: number | null; responseMs: number | null; error: string; retryAtMs: number | undefined; disable?: string };

export interface HookStatus {
  endpoints: number;
  enabled: number;
  disabled: number;
  /** The newest disabled endpoints (up to 10) and why. */
  disabled_endpoints: { id: string; reason: string | null; disabled_at: string | null }[];
  /** Of enabled endpoints: a disabled endpoint's deliveries wait for it to be enabled again. */
  pending_deliveries: number;
  failing_endpoints: number;
  oldest_pending_at: string | null;
}

export interface HookStore {
  createEndpoint(endpoint: NewHookEndpoint): Promise<HookEndpoint>;
  getEndpoint(id: string): HookEndpoint | undefined;
  /** Every endpoint, or only one owner's (`owner` a user id). */
  listEndpoints(owner?: string): HookEndpoint[];
  /** Enabling clears the disabled reason and the failing mark. */
  updateEndpoint(id: string, change: HookEndpointChange): Promise<HookEndpoint | undefined>;
  /** Replaces the sealed signing secret; false when there is no such endpoint. */
  replaceSecret(id: string, sealedSecret: string): Promise<boolean>;
  /** Deletes the endpoint and its deliveries; false when there was none. */
  deleteEndpoint(id: string): Promise<boolean>;
  /** Deletes a wearer's own endpoints and their deliveries (their data purged); how many there were. */
  deleteEndpointsOwnedBy(userId: string): Promise<number>;
  /**
   * Takes up to `limit` queued events off the queue, adding a delivery (due at `dueAtMs`, with a new message id) for each
   * enabled endpoint that wants it: its filters, and for a wearer's endpoint its owner's events only. Returns how many
   * events were taken.
   */
  expandQueue(limit: number, dueAtMs: number): Promise<number>;
  /** One endpoint's pending deliveries due by `nowMs`, soonest first, leaving out `skip` (those in flight). */
  dueDeliveries(endpoint: HookEndpoint, nowMs: number, limit: number, skip: ReadonlySet<number>): DueDelivery[];
  recordAttempt(deliveryId: number, outcome: AttemptOutcome): Promise<void>;
  /** Newest first; `before` a delivery id (the cursor). */
  listDeliveries(endpointId: string, limit: number, before?: number): HookDelivery[];
  getDelivery(endpointId: string, deliveryId: number): HookDelivery | undefined;
  /** "Send again": due now, attempts counted afresh, same message id. */
  retryDelivery(endpointId: string, deliveryId: number, nowMs: number): Promise<HookDelivery | undefined>;
  status(): HookStatus;
}
