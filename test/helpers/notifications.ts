// Realistic, correctly signed Oura notifications, as Oura would send them.
import { createSignatureSigner } from "../../src/oura/signature.ts";
import { TEST_SECRET } from "./config.ts";

let sequence = 0;

export interface Notification {
  event_type: "create" | "update" | "delete";
  data_type: string;
  object_id: string;
  event_time: string;
  user_id: string;
  [extra: string]: unknown;
}

export function sampleNotification(overrides: Partial<Notification> = {}): Notification {
  sequence++;
  return {
    event_type: "create",
    data_type: "daily_sleep",
    object_id: `doc-${Date.now()}-${sequence}`,
    event_time: new Date(Date.UTC(2026, 10, 24, 8, 0, sequence % 60)).toISOString().replace("Z", "+00:00"),
    user_id: "USER-A",
    ...overrides,
  };
}

export async function signedHeaders(body: string, options: { secret?: string; timestamp?: number } = {}) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signer = await createSignatureSigner(options.secret ?? TEST_SECRET);
  return {
    "content-type": "application/json",
    "x-oura-timestamp": timestamp,
    "x-oura-signature": await signer.sign(timestamp, body),
  };
}

/** POSTs a signed notification (or any body, signed) to a running server. */
export async function deliver(baseUrl: URL | string, payload: unknown, options: { secret?: string; timestamp?: number } = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  return fetch(new URL("/webhooks", baseUrl), { method: "POST", headers: await signedHeaders(body, options), body });
}
