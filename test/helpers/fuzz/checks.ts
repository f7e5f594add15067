// The rules every answer must pass.
import type { FuzzCase } from "./case-types.ts";
import type { Answer } from "./send.ts";

export function isErrorBody(text: string): boolean {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return typeof body?.error?.code === "string" && body.error.code.length > 0 && typeof body.error.message === "string" && body.error.message.length > 0;
  } catch {
    return false;
  }
}

/** Routes that answer people, and the refusals they answer with an HTML page. */
const PEOPLE_PAGES = new Map<string, number[]>([
  ["GET /auth/callback", [400, 403, 502]],
  ["GET /auth/invite/:secret", [404, 410]],
  ["GET /dashboard", [403]],
  ["POST /dashboard/sign-in", [401, 403, 429]],
]);

/** Why this answer breaks the rules, or undefined. */
export function judge(c: FuzzCase, answer: Answer): string | undefined {
  // Beyond Bun's own header limit (a URL over 16 KiB) Bun refuses before any of our code runs,
  // with a bare 431: a 4xx is all that can be asked of it.
  if (c.group === "transport") return answer.status >= 400 && answer.status < 500 ? undefined : `${answer.status} from Bun's own limits: not a 4xx`;
  const json = answer.contentType?.toLowerCase().includes("application/json") ?? false;
  const html = answer.contentType?.toLowerCase().includes("text/html") ?? false;
  if (answer.status >= 500) {
    const documented = c.method === c.route.method && c.route.documented.includes("503");
    if (answer.status === 503 && documented && json && isErrorBody(answer.text)) return undefined;
    if (answer.status === 503) return documented ? "503 without the JSON error body" : "503 not documented for this route";
    return `${answer.status}: a 5xx`;
  }
  if (answer.status >= 400) {
    if (c.hx && html) return undefined;
    // Pages a person's browser lands on answer that person with the page itself (the sign-in form with its message,
    // the OAuth error page); what no browser sends (unreadable bodies, wrong media types) still gets the JSON error.
    if (html && PEOPLE_PAGES.get(`${c.route.method} ${c.route.path}`)?.includes(answer.status)) return undefined;
    // A byte range past the end of a static file: 416 is HTTP's answer (RFC 9110 §15.5.17), given by Bun's file serving.
    if (answer.status === 416 && /^\/((static|swagger-ui-dist)\/|favicon\.ico$)/.test(c.route.path)) return undefined;
    if (!json) return `${answer.status} with content-type ${answer.contentType ?? "(none)"}${html ? " (HTML without HX-Request)" : ""}, not the JSON error body`;
    if (c.method === "HEAD") return undefined;
    if (!isErrorBody(answer.text)) return `${answer.status} JSON that is not {error:{code,message}}`;
  }
  return undefined;
}
