// Sends the cases and collects status counts, failures (with what was sent) and acknowledged webhooks.
import type { Acknowledged } from "./acknowledged.ts";
import type { AuthKind, FuzzCase } from "./case-types.ts";
import { judge } from "./checks.ts";
import { type FuzzContext, send } from "./send.ts";

export interface Failure {
  index: number;
  group: FuzzCase["group"];
  route: string;
  method: string;
  mutation: string;
  auth: AuthKind;
  hx: boolean;
  reason: string;
  url: string;
  headers: string;
  body: string;
  status: number | null;
  responseType: string | null;
  response: string;
}

export interface FuzzReport {
  requests: number;
  statusCounts: Map<number, number>;
  failures: Failure[];
  acknowledged: Acknowledged[];
  seconds: number;
  byRoute: Map<string, number>;
}

const redact = (value: string, ctx: FuzzContext) =>
  value.replaceAll(ctx.apiToken, "<API_TOKEN>").replace(/oura_session=[^;\s]{20,}/g, "oura_session=<session>").replace(/oura_signin=[^;\s]{20,}/g, "oura_signin=<signin>");

export function preview(bytes: Uint8Array | string | undefined, max = 160): string {
  if (bytes === undefined) return "(none)";
  const text = typeof bytes === "string" ? bytes : new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, max * 4));
  const length = typeof bytes === "string" ? bytes.length : bytes.length;
  const shown = JSON.stringify(text.slice(0, max));
  return length > max ? `${shown}… (${length} bytes)` : shown;
}

/** Sends every case, `concurrency` at a time, in order; collects status counts, failures and acknowledged webhooks. */
export async function runCases(cases: FuzzCase[], ctx: FuzzContext, options: { concurrency?: number; onProgress?: (done: number) => void } = {}): Promise<FuzzReport> {
  const started = performance.now();
  const statusCounts = new Map<number, number>();
  const byRoute = new Map<string, number>();
  const failures: Failure[] = [];
  const acknowledged: Acknowledged[] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const c = cases[next++];
      if (!c) return;
      const { sent, answer, error } = await send(c, ctx);
      const routeKey = `${c.route.method} ${c.route.path}`;
      byRoute.set(routeKey, (byRoute.get(routeKey) ?? 0) + 1);
      if (answer) statusCounts.set(answer.status, (statusCounts.get(answer.status) ?? 0) + 1);
      const reason = error ? `no answer: ${error}` : judge(c, answer!);
      if (reason) {
        failures.push({
          index: c.index,
          group: c.group,
          route: routeKey,
          method: c.method,
          mutation: c.mutation,
          auth: c.auth,
          hx: c.hx,
          reason,
          url: redact(sent.url.replace(ctx.base.origin, ""), ctx).slice(0, 200),
          headers: redact(sent.headers.map(([k, v]) => `${k}: ${v.length > 80 ? `${v.slice(0, 80)}…` : v}`).join(" | "), ctx),
          body: redact(preview(sent.body), ctx),
          status: answer?.status ?? null,
          responseType: answer?.contentType ?? null,
          response: answer ? preview(answer.text, 200) : "",
        });
      }
      if (c.webhook && c.method === "POST" && answer && answer.status >= 200 && answer.status < 300) {
        const ack = JSON.parse(answer.text) as { id: number };
        let objectId: string | undefined;
        try {
          objectId = (JSON.parse(new TextDecoder().decode(sent.body)) as { object_id?: string }).object_id;
        } catch {
          objectId = undefined;
        }
        acknowledged.push({ id: ack.id, objectId });
      }
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return { requests: cases.length, statusCounts, failures, acknowledged, seconds: (performance.now() - started) / 1000, byRoute };
}
