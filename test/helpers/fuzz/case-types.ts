// What a generated case is: the request, its credentials, body and webhook signing, and the generator's options.
import type { RouteInfo } from "./routes.ts";

export type AuthKind = "none" | "wrong-bearer" | "bearer" | "session" | "session+csrf" | "garbage-cookie";

export type BodySpec =
  | { kind: "text"; text: string }
  | { kind: "bytes"; bytes: Uint8Array }
  | { kind: "stream"; bytes: Uint8Array; chunk: number; fill?: boolean };

export type SignatureMutation = "valid" | "valid-lowercase" | "valid-padded" | "random-hex" | "short-hex" | "not-hex" | "empty" | "missing" | "prefixed" | "other-body" | "long" | "wrong-secret";
export type TimestampMutation = "now" | "now-ms" | "stale" | "future" | "missing" | "empty" | "not-a-number" | "exponent" | "negative" | "huge" | "hex" | "padded";

export interface WebhookSpec {
  signature: SignatureMutation;
  timestamp: TimestampMutation;
  /** A notification this generator expects to be accepted (2xx), if signature and timestamp are valid. */
  valid: boolean;
}

/**
 * One hostile request. Placeholders filled at send time: {{CSRF}} (the session's CSRF token), {{SIGNIN_CSRF}} (the
 * sign-in form's _csrf), {{EVENT_ID}} (a stored event), {{BASE}} (the server's origin).
 */
export interface FuzzCase {
  index: number;
  route: RouteInfo;
  method: string;
  mutation: string;
  auth: AuthKind;
  hx: boolean;
  /** "transport": the request is beyond Bun's own header limit (a URL over 16 KiB), answered by Bun. */
  group: "app" | "transport";
  path: string;
  headers: [string, string][];
  body?: BodySpec;
  webhook?: WebhookSpec;
  /** Uses its own session (POST /auth/logout with a session ends it). */
  ownSession: boolean;
}

export interface GeneratorOptions {
  seed: number;
  count: number;
  /** WEBHOOK_MAX_BYTES of the server under test. */
  webhookMaxBytes: number;
  /** Path prefix for the object_ids of generated notifications, unique per run. */
  runId: string;
}

/** The user every generated, valid notification belongs to; DELETE /events never reaches it (see pinned delete). */
export const FUZZ_USER = "FUZZ-ACK-USER";
/** Every DELETE /events is pinned to this user (first query parameter) so the durability check stays meaningful. */
export const DELETE_PIN = "user_id=FUZZ-DELETE-ONLY";
