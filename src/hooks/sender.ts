// One delivery attempt: a POST through the address guard, with a timeout, no redirect followed (a 3xx is a failure,
// as Standard Webhooks asks: the endpoint's URL should be updated instead), the response time measured, and no more of
// the answer kept than a short excerpt for the delivery log.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { guardedLookup, literalAddressProblem, type Resolver } from "./address-guard.ts";
import { parseRetryAfter } from "./retry-schedule.ts";

export interface SendOptions {
  allowPrivate: boolean;
  resolve: Resolver;
  timeoutMs: number;
  now: () => number;
  /** Aborts the attempt (the server is stopping): it fails, and the delivery stays due. */
  signal?: AbortSignal;
  /** Certificate authorities trusted besides the system's (tests: a receiver with a self-signed certificate). */
  ca?: string;
}

export type SendResult =
  | { ok: true; statusCode: number; responseMs: number }
  | { ok: false; statusCode: number | null; responseMs: number | null; error: string; retryAfterMs?: number; gone?: boolean };

const EXCERPT_BYTES = 200;

export async function sendWebhook(url: string, headers: Record<string, string>, body: string, options: SendOptions): Promise<SendResult> {
  const target = new URL(url);
  const refused = literalAddressProblem(target, options.allowPrivate);
  if (refused) return { ok: false, statusCode: null, responseMs: null, error: refused };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = request(
      target,
      {
        method: "POST",
        agent: false,
        lookup: guardedLookup(options.resolve, options.allowPrivate) as never,
        ...(options.ca ? { ca: options.ca } : {}),
        headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "oura-streaming-webhooks" },
      },
      (response) => {
        const statusCode = response.statusCode ?? 0;
        const responseMs = elapsed();
        if (statusCode >= 200 && statusCode < 300) {
          response.destroy();
          return finish({ ok: true, statusCode, responseMs });
        }
        void excerpt(response).then((text) => {
          const retryAfterMs = parseRetryAfter(response.headers["retry-after"] as string | undefined, options.now());
          const location = statusCode >= 300 && statusCode < 400 ? response.headers.location : undefined;
          const error =
            statusCode >= 300 && statusCode < 400
              ? `answered ${statusCode} (redirects are not followed; update the endpoint's URL${location ? ` to ${String(location).slice(0, 200)}` : ""})`
              : `answered ${statusCode}${text ? `: ${text}` : ""}`;
          finish({ ok: false, statusCode, responseMs, error, retryAfterMs, gone: statusCode === 410 });
        });
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, statusCode: null, responseMs: elapsed(), error: `no answer within ${options.timeoutMs / 1000} s` });
      req.destroy();
    }, options.timeoutMs);
    req.on("error", (error) => finish({ ok: false, statusCode: null, responseMs: null, error: error.message }));
    const abort = () => {
      finish({ ok: false, statusCode: null, responseMs: null, error: "interrupted: the server stopped" });
      req.destroy();
    };
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener("abort", abort, { once: true });
    req.end(body);
  });
}

/** The first bytes of an answer, as one line, for the log; the rest is dropped unread. */
function excerpt(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const done = () => {
      response.destroy();
      resolve(text.replace(/\s+/g, " ").trim().slice(0, EXCERPT_BYTES));
    };
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => {
      text += chunk;
      if (text.length >= EXCERPT_BYTES) done();
    });
    response.on("end", done);
    response.on("error", done);
  });
}
