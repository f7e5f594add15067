// `oura-streaming backfill`: asks a running server to import a user's history and shows its progress until done.
import { type Command, parse, UsageError } from "./args.ts";

const usage = `Usage: oura-streaming backfill --user-id ID (--days N | --start YYYY-MM-DD [--end YYYY-MM-DD]) [--types a,b] [--url URL]

Imports a linked user's history from Oura through the running server (the shared request budget, resumable after a
restart) and shows a progress bar until it is done. Ctrl-C leaves it running on the server; --cancel ID stops one.

  --user-id ID     the Oura user (signed in with Oura on that server)
  --days N         the last N days (e.g. 90), or:
  --start / --end  a range of days (end: today by default)
  --types a,b      data types (default: the server's POLL_DATA_TYPES, every list route)
  --url URL        the server (default http://127.0.0.1:$PORT, PORT 8000)
  --cancel ID      cancel backfill ID instead
Needs API_TOKEN (the server's) in the environment. Exit 0 when done, 1 if it failed, was cancelled or the server
could not be reached, 2 for wrong arguments (also when the server refuses a day, a type or an id).`;

interface Progress {
  id: number;
  state: string;
  percent: number;
  steps_done: number;
  steps_total: number;
  documents_stored: number;
  requests_used: number;
  eta_seconds: number | null;
  error: string | null;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function progressLine(p: Progress, width = 30): string {
  const filled = Math.round((p.percent / 100) * width);
  const eta = p.eta_seconds === null ? "" : `, about ${p.eta_seconds < 90 ? `${p.eta_seconds} s` : `${Math.round(p.eta_seconds / 60)} min`} left`;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(p.percent).padStart(3)}%  ${p.steps_done}/${p.steps_total} windows, ${p.documents_stored} stored, ${p.requests_used} requests${eta}`;
}

export const backfillCommand: Command = {
  name: "backfill",
  summary: "import a user's history from Oura through the running server, with a progress bar",
  usage,
  async run(argv) {
    const { values } = parse(
      argv,
      { "user-id": { type: "string" }, days: { type: "string" }, start: { type: "string" }, end: { type: "string" }, types: { type: "string" }, url: { type: "string" }, cancel: { type: "string" } },
      usage,
    );
    const token = process.env.API_TOKEN;
    if (!token) throw new UsageError("set API_TOKEN to the server's API token", usage);
    const base = values.url ?? `http://127.0.0.1:${process.env.PORT || "8000"}`;
    try {
      new URL(base);
    } catch {
      throw new UsageError(`--url is not a URL: ${base}`, usage);
    }
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const call = async (method: string, path: string, body?: unknown) => {
      try {
        const response = await fetch(new URL(path, base), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: response.status, body: (await response.json().catch(() => ({}))) as any };
      } catch (error) {
        // Status 0: the server could not be reached (not a usage error: exit 1).
        return { status: 0, body: { error: { message: `could not reach the server at ${base}: ${error instanceof Error ? error.message : String(error)}` } } as any };
      }
    };

    if (values.cancel !== undefined) {
      const { status, body } = await call("DELETE", `/backfill/${encodeURIComponent(values.cancel)}`);
      if (status !== 200) return fail(body, status);
      console.log(`backfill ${body.id}: ${body.state}`);
      return 0;
    }
    if (!values["user-id"]) throw new UsageError("--user-id is required", usage);
    let start = values.start;
    const end = values.end ?? day(Date.now());
    if (values.days !== undefined) {
      const days = Number(values.days);
      if (!Number.isInteger(days) || days < 1 || days > 3660) throw new UsageError(`--days must be a whole number from 1 to 3660, not ${values.days}`, usage);
      start = day(Date.parse(`${end}T00:00:00Z`) - (days - 1) * 86_400_000);
    }
    if (!start) throw new UsageError("give --days N or --start YYYY-MM-DD", usage);
    const request = { user_id: values["user-id"], start_date: start, end_date: end, ...(values.types ? { data_types: values.types.split(",").map((t) => t.trim()) } : {}) };
    let { status, body } = await call("POST", "/backfill", request);
    if (status === 409 && body?.error?.details?.id) {
      console.log(`a backfill of ${values["user-id"]} is already under way (${body.error.details.id}); following it`);
      ({ status, body } = await call("GET", `/backfill/${body.error.details.id}`));
    }
    if (status !== 201 && status !== 200) return fail(body, status);
    console.log(`backfill ${body.id}: ${values["user-id"]}, ${body.start_date} to ${body.end_date}, ${body.data_types.length} data types`);
    const interactive = Boolean(process.stdout.isTTY);
    let last = "";
    for (;;) {
      const line = progressLine(body as Progress);
      if (line !== last) {
        if (interactive) process.stdout.write(`\r${line}`);
        else console.log(line);
        last = line;
      }
      if (!["queued", "running"].includes(body.state)) break;
      await Bun.sleep(interactive ? 250 : 1000);
      ({ status, body } = await call("GET", `/backfill/${body.id}`));
      if (status !== 200) return fail(body, status);
    }
    if (interactive) process.stdout.write("\n");
    if (body.state === "done") {
      console.log(`done: ${body.documents_stored} stored (documents and heart-rate samples) with ${body.requests_used} requests`);
      return 0;
    }
    console.error(`backfill ${body.id} ${body.state}${body.error ? `: ${body.error}` : ""}`);
    return 1;
  },
};

/** Exit 2 when the server refused the arguments (400/422: a wrong day, type or id), 1 for anything else. */
function fail(body: any, status: number): number {
  const message = body?.error?.message ?? JSON.stringify(body);
  if (status === 0) console.error(`oura-streaming backfill: ${message}`);
  else console.error(`oura-streaming backfill: the server answered ${status}: ${message}${body?.error?.details ? ` ${JSON.stringify(body.error.details)}` : ""}`);
  return status === 400 || status === 422 ? 2 : 1;
}
