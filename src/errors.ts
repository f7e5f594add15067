// One error path: AppError carries a status and a stable code; every failure leaves as the same JSON shape.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { Logger } from "./log.ts";
import type { StorageFailureClassifier } from "./storage/storage-errors.ts";

/** Every error code an answer can carry: one enumerated set, declared in /openapi.json. */
export const ERROR_CODES = [
  "bad_request",
  "validation_failed",
  "invalid_json",
  "invalid_form",
  "unreadable_body",
  "unsupported_media_type",
  "not_acceptable",
  "payload_too_large",
  "method_not_allowed",
  "not_found",
  "unauthorized",
  "too_many_attempts",
  "csrf_failed",
  "operator_only",
  "not_linked",
  "user_required",
  "user_not_linked",
  "event_not_found",
  "document_not_found",
  "backfill_not_found",
  "backfill_running",
  "hook_not_found",
  "hook_delivery_not_found",
  "hook_url_refused",
  "hooks_not_allowed",
  "mcp_token_not_found",
  "mcp_token_needs_ring",
  "operator_by_setting",
  "name_not_usable",
  "invitation_not_found",
  "invitation_not_open",
  "subscription_not_found",
  "public_url_missing",
  "upgrade_required",
  "invalid_signature",
  "stale_timestamp",
  "invalid_verification_token",
  "missing_challenge",
  "webhook_secret_missing",
  "oura_not_configured",
  "oura_refused",
  "oura_unavailable",
  "storage_unavailable",
  "storage_corrupt",
  "internal_error",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends HTTPException {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(status: ContentfulStatusCode, code: ErrorCode, message: string, details?: unknown) {
    super(status, { message });
    this.code = code;
    this.details = details;
  }
}

export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Codes for the HTTPExceptions Hono and its middleware raise themselves. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "unauthorized",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/** What a request is told when the database file is damaged: no "retry later", since retrying cannot help. */
export const STORAGE_CORRUPT_MESSAGE = 'the database file is damaged; retrying will not help: an operator must recover it (see the README, "Backup and recovery")';

/** The context variable every refusal records its code in (for metrics); part of the app's environment. */
export interface ErrorEnv {
  Variables: { errorCode?: string };
}

/** How the error handler learns which errors are the storage failing: given by the composition root, whatever the adapter. */
export interface StorageFailures {
  classify: StorageFailureClassifier;
  /** Told when a request finds the database file damaged, so /health says so from then on. */
  onCorruption(error: unknown): void;
}

export function createErrorHandler<E extends ErrorEnv>(logger: Logger, storage: StorageFailures): ErrorHandler<E> {
  return function handleError(err, c) {
    if (err instanceof AppError) {
      c.set("errorCode", err.code);
      return c.json(errorBody(err.code, err.message, err.details), err.status);
    }
    if (err instanceof HTTPException) {
      // Never echo a 5xx Hono raised for malformed input: the client sent it, so it is a 400.
      const status = err.status >= 500 ? 400 : err.status;
      return c.json(errorBody(CODE_BY_STATUS[status] ?? "bad_request", err.message || "bad request"), status as ContentfulStatusCode);
    }
    const failure = storage.classify(err);
    if (failure === "corrupt") {
      storage.onCorruption(err);
      c.set("errorCode", "storage_corrupt");
      return c.json(errorBody("storage_corrupt", STORAGE_CORRUPT_MESSAGE), 503);
    }
    if (failure === "unavailable") {
      c.set("errorCode", "storage_unavailable");
      return c.json(errorBody("storage_unavailable", "the database cannot be used right now; retry later"), 503);
    }
    logger.error("request.failed", { method: c.req.method, path: c.req.path, error: err instanceof Error ? err.name : "unknown" });
    return c.json(errorBody("internal_error", "the server could not complete this request"), 500);
  };
}

export const notFound: NotFoundHandler = (c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404);

type ValidationResult = { success: true } | { success: false; error: z.core.$ZodError; target?: string };

/** The shape every validation failure takes: 422 for bodies (the request was understood but is wrong), 400 for query/path. */
export function validationError(target: string, error: z.core.$ZodError): AppError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message, code: issue.code }));
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
  return new AppError(target === "json" ? 422 : 400, "validation_failed", `invalid ${target === "json" ? "body" : target}: ${summary}`, issues);
}

export function validationHook(result: ValidationResult, c: Context) {
  if (result.success) return;
  c.set("errorCode", "validation_failed");
  const error = validationError(result.target ?? "input", result.error);
  return c.json(errorBody(error.code, error.message, error.details), error.status);
}
