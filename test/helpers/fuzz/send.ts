// Turns a case into a real request (credentials, placeholders, webhook signature, chunking) and sends it.
import type { SignatureSigner } from "../../../src/oura/signature.ts";
import { encoder } from "./bytes.ts";
import type { BodySpec, FuzzCase, WebhookSpec } from "./case-types.ts";
import { rawFetch } from "./raw-fetch.ts";
import { Rng } from "./rng.ts";
import type { Session } from "../sign-in.ts";

export interface FuzzContext {
  base: URL;
  apiToken: string;
  webhookSecret: string;
  session: Session;
  /** Sessions used once, by requests that may end them (POST /auth/logout). */
  spareSessions: Session[];
  signIn: Session;
  eventId: number;
  signer: SignatureSigner;
  wrongSigner: SignatureSigner;
}

function fill(text: string, ctx: FuzzContext, session: Session): string {
  if (!text.includes("{{")) return text;
  return text
    .replaceAll("{{CSRF}}", session.csrf)
    .replaceAll("{{SIGNIN_CSRF}}", ctx.signIn.csrf)
    .replaceAll("{{EVENT_ID}}", String(ctx.eventId))
    .replaceAll("{{BASE}}", ctx.base.origin);
}

function bodyBytes(body: BodySpec, ctx: FuzzContext, session: Session): Uint8Array {
  if (body.kind === "text") return encoder.encode(fill(body.text, ctx, session));
  if (body.kind === "stream" && body.fill) return encoder.encode(fill(new TextDecoder().decode(body.bytes), ctx, session));
  return body.bytes;
}

async function signatureHeaders(spec: WebhookSpec, bytes: Uint8Array, ctx: FuzzContext): Promise<[string, string][]> {
  const now = Math.floor(Date.now() / 1000);
  const timestamp = {
    now: String(now),
    "now-ms": String(now * 1000),
    stale: String(now - 10_000),
    future: String(now + 10_000),
    missing: "",
    empty: "",
    "not-a-number": "yesterday",
    exponent: "1.7e9",
    negative: "-1",
    huge: "99999999999999999999",
    hex: "0x6553f100",
    padded: ` ${now} `,
  }[spec.timestamp];
  const sign = (signer: SignatureSigner, body: Uint8Array | string) => signer.sign(timestamp, body);
  const valid = () => sign(ctx.signer, bytes);
  let signature: string | undefined;
  switch (spec.signature) {
    case "valid":
      signature = await valid();
      break;
    case "valid-lowercase":
      signature = (await valid()).toLowerCase();
      break;
    case "valid-padded":
      signature = ` ${await valid()} `;
      break;
    case "random-hex":
      signature = new Rng(bytes.length).hex(64);
      break;
    case "short-hex":
      signature = (await valid()).slice(0, 63);
      break;
    case "not-hex":
      signature = "Z".repeat(64);
      break;
    case "empty":
      signature = "";
      break;
    case "missing":
      signature = undefined;
      break;
    case "prefixed":
      signature = `sha256=${await valid()}`;
      break;
    case "other-body":
      signature = await sign(ctx.signer, "{}");
      break;
    case "long":
      signature = "A".repeat(10_000);
      break;
    case "wrong-secret":
      signature = await sign(ctx.wrongSigner, bytes);
      break;
  }
  const headers: [string, string][] = [];
  if (spec.timestamp !== "missing") headers.push(["x-oura-timestamp", timestamp]);
  if (signature !== undefined) headers.push(["x-oura-signature", signature]);
  return headers;
}

export interface Answer {
  status: number;
  contentType: string | null;
  text: string;
}

export interface Sent {
  url: string;
  headers: [string, string][];
  body?: Uint8Array;
}

/** Builds and sends one case; returns what was sent (for the report) and the answer, or the network error. */
export async function send(c: FuzzCase, ctx: FuzzContext): Promise<{ sent: Sent; answer?: Answer; error?: string }> {
  const session = c.ownSession ? (ctx.spareSessions.pop() ?? ctx.session) : ctx.session;
  const headers: [string, string][] = c.headers.map(([k, v]) => [k, fill(v, ctx, session)]);
  switch (c.auth) {
    case "bearer":
      headers.push(["authorization", `Bearer ${ctx.apiToken}`]);
      break;
    case "wrong-bearer":
      headers.push(["authorization", `Bearer ${ctx.apiToken}x`]);
      break;
    case "session":
      headers.push(["cookie", session.cookie]);
      break;
    case "session+csrf":
      headers.push(["cookie", session.cookie], ["x-csrf-token", session.csrf]);
      break;
    case "garbage-cookie":
      headers.push(["cookie", `oura_session=${["%", "%zz", "a.b", "=", "x".repeat(4000), "%E0%A4%A", `${session.cookie.split("=")[1]!.slice(0, -3)}abc`][c.index % 7]}; oura_signin=%`]);
      break;
  }
  if (c.route.path === "/dashboard/sign-in" && c.mutation.startsWith("signin:")) {
    const existing = headers.findIndex(([k]) => k === "cookie");
    const cookie = existing >= 0 ? `${headers[existing]![1]}; ${ctx.signIn.cookie}` : ctx.signIn.cookie;
    if (existing >= 0) headers.splice(existing, 1);
    headers.push(["cookie", cookie]);
  }
  if (c.hx) headers.push(["hx-request", "true"]);
  const bytes = c.body ? bodyBytes(c.body, ctx, session) : undefined;
  if (c.webhook && bytes) headers.push(...(await signatureHeaders(c.webhook, bytes, ctx)));
  const url = new URL(fill(c.path, ctx, session), ctx.base).href;
  const sent: Sent = { url, headers, body: bytes };
  let body: BodyInit | undefined = bytes as Uint8Array<ArrayBuffer> | undefined;
  if (c.body?.kind === "stream" && bytes) {
    let offset = 0;
    const chunk = c.body.chunk;
    body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + chunk));
        offset += chunk;
      },
    });
  }
  try {
    const response = await rawFetch(url, { method: c.method, headers, body, redirect: "manual", signal: AbortSignal.timeout(15_000) });
    const text = c.method === "HEAD" ? "" : await response.text();
    return { sent, answer: { status: response.status, contentType: response.headers.get("content-type"), text } };
  } catch (error) {
    return { sent, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}
