// POST /webhooks cases: valid and redelivered notifications, bad bodies, signature and timestamp faults.
import { encoder } from "./bytes.ts";
import { type BodySpec, type FuzzCase, FUZZ_USER, type GeneratorOptions, type SignatureMutation, type TimestampMutation } from "./case-types.ts";
import { CONTENT_TYPES } from "./header-mutations.ts";
import { jsonBodies } from "./json-bodies.ts";
import { fuzzQuery } from "./query-path-mutations.ts";
import type { Rng } from "./rng.ts";

/** A notification Oura could send; object ids unique in the run. */
export function notification(rng: Rng, runId: string, index: number): Record<string, unknown> {
  const offset = rng.pick(["+00:00", "Z", "+02:00", "-07:30", ".123Z", ".5+01:00"]);
  const base = new Date(Date.UTC(2026, 10, 1 + rng.int(28), rng.int(24), rng.int(60), rng.int(60))).toISOString().slice(0, 19);
  return {
    event_type: rng.pick(["create", "update", "delete"]),
    data_type: rng.pick(["daily_sleep", "sleep", "daily_readiness", "daily_activity", "workout", "tag", "new_type_2027"]),
    object_id: `${runId}-${index}${rng.pick(["", "-😀", "-é", "/with/slashes", " spaced"])}`,
    event_time: `${base}${offset}`,
    user_id: FUZZ_USER,
  };
}

export const WEBHOOK_KINDS = ["valid", "redelivery", "pretty-json", "chunked-valid", "malformed-json", "wrong-schema", "oversize", "oversize-chunked", "transport-oversize"] as const;
type WebhookKind = (typeof WEBHOOK_KINDS)[number];
export const SIGNATURE_MUTATIONS: readonly SignatureMutation[] = ["valid-lowercase", "valid-padded", "random-hex", "short-hex", "not-hex", "empty", "missing", "prefixed", "other-body", "long", "wrong-secret"];
export const TIMESTAMP_MUTATIONS: readonly TimestampMutation[] = ["now-ms", "stale", "future", "missing", "empty", "not-a-number", "exponent", "negative", "huge", "hex", "padded"];
export const SCHEMA_VALUES: readonly unknown[] = [null, "", 123, 1e308, [], {}, true, "explode", "a-b", "x".repeat(65), "x".repeat(257), "yesterday", "2026-13-01T00:00:00Z", "2026-11-24T08:00:00", "2026-11-24", "😀"];

export interface WebhookPlan {
  kind?: WebhookKind;
  json?: number;
  field?: string;
  value?: unknown;
  signature?: SignatureMutation;
  timestamp?: TimestampMutation;
  contentType?: string | null;
}

export function webhookCase(rng: Rng, c: Omit<FuzzCase, "path" | "headers" | "group" | "mutation">, options: GeneratorOptions, validBodies: Uint8Array[], plan: WebhookPlan = {}): FuzzCase {
  const n = notification(rng, options.runId, c.index);
  let mutation: string;
  let body: BodySpec;
  let valid = false;
  let group: FuzzCase["group"] = "app";
  const kind =
    plan.kind ??
    rng.weighted<WebhookKind>([
      [6, "valid"],
      [2, "redelivery"],
      [8, "malformed-json"],
      [5, "wrong-schema"],
      [1, "oversize"],
      [1, "oversize-chunked"],
      [0.4, "transport-oversize"],
      [1, "chunked-valid"],
      [1, "pretty-json"],
    ]);
  switch (kind) {
    case "valid":
      mutation = "webhook:valid";
      valid = true;
      body = { kind: "text", text: JSON.stringify(n) };
      validBodies.push(encoder.encode(body.text));
      break;
    case "redelivery":
      mutation = "webhook:redelivery";
      valid = true;
      body = validBodies.length ? { kind: "bytes", bytes: rng.pick(validBodies) } : { kind: "text", text: JSON.stringify(n) };
      break;
    case "pretty-json":
      mutation = "webhook:pretty-json";
      valid = true;
      body = { kind: "text", text: JSON.stringify(n, null, 2) };
      break;
    case "chunked-valid":
      mutation = "webhook:chunked-valid";
      valid = true;
      body = { kind: "stream", bytes: encoder.encode(JSON.stringify(n)), chunk: 7 };
      break;
    case "malformed-json": {
      const all = jsonBodies(rng, n);
      const [name, spec] = plan.json !== undefined ? all[plan.json % all.length]! : rng.pick(all);
      mutation = `webhook:${name}`;
      body = spec;
      break;
    }
    case "wrong-schema": {
      const field = plan.field ?? rng.pick(Object.keys(n));
      const value = "value" in plan ? plan.value : rng.pick(SCHEMA_VALUES);
      mutation = `webhook:schema-${field}=${JSON.stringify(value)?.slice(0, 16)}`;
      body = { kind: "text", text: JSON.stringify({ ...n, [field]: value }) };
      break;
    }
    case "oversize":
      mutation = "webhook:oversize";
      body = { kind: "text", text: JSON.stringify({ ...n, pad: "x".repeat(options.webhookMaxBytes + 1 + rng.int(32_000)) }) };
      break;
    case "oversize-chunked":
      mutation = "webhook:oversize-chunked";
      body = { kind: "stream", bytes: encoder.encode(JSON.stringify({ ...n, pad: "x".repeat(options.webhookMaxBytes * 2) })), chunk: 16_384 };
      break;
    case "transport-oversize":
      // Far past the limit: once Bun's own (empty) 413, now ours with the JSON error body like any other refusal.
      mutation = "webhook:far-oversize";
      body = { kind: "text", text: JSON.stringify({ ...n, pad: "x".repeat(options.webhookMaxBytes + 128 * 1024) }) };
  }
  let signature: SignatureMutation = plan.signature ?? "valid";
  let timestamp: TimestampMutation = plan.timestamp ?? "now";
  if (!plan.kind && rng.chance(0.3)) signature = rng.pick(SIGNATURE_MUTATIONS);
  if (!plan.kind && rng.chance(0.2)) timestamp = rng.pick(TIMESTAMP_MUTATIONS);
  if (signature !== "valid") mutation += ` sig:${signature}`;
  if (timestamp !== "now") mutation += ` ts:${timestamp}`;
  const contentType = plan.contentType !== undefined ? plan.contentType : plan.kind || rng.chance(0.85) ? "application/json" : rng.pick(CONTENT_TYPES);
  if (contentType !== "application/json") mutation += ` content-type:${JSON.stringify(contentType)}`;
  const headers: [string, string][] = contentType === null ? [] : [["content-type", contentType]];
  let path = "/webhooks";
  if (!plan.kind && rng.chance(0.1)) {
    const q = fuzzQuery(rng, c.route);
    path += `?${q.query}`;
    mutation += ` ${q.mutation}`;
    if (q.transport) group = "transport";
  }
  return { ...c, mutation, group, path, headers, body, webhook: { signature, timestamp, valid } };
}
