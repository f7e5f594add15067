// `oura-streaming send-test`: one correctly signed sample notification to any receiver, and what a failure means.
import { createSignatureSigner } from "../oura/signature.ts";
import { type Command, parse, UsageError } from "./args.ts";

const usage = `Usage: oura-streaming send-test --url URL [--secret SECRET] [--data-type TYPE] [--user-id ID]

Sends one sample Oura notification, signed the way Oura signs (HMAC-SHA256 of x-oura-timestamp + body, keyed by
the client secret), and explains the receiver's answer.

  --url URL         the receiver, e.g. http://127.0.0.1:8000/webhooks
  --secret SECRET   signing key (default: OURA_WEBHOOK_SECRET, else OURA_CLIENT_SECRET)
  --data-type TYPE  data type of the sample (default daily_sleep)
  --user-id ID      Oura user id of the sample (default send-test-user)`;

/** Turns the receiver's answer into advice a person can act on. */
export function explain(status: number, body: string): string {
  let code = "";
  try {
    code = (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? "";
  } catch {
    // Not our JSON error shape: judge by the status alone.
  }
  if (status >= 200 && status < 300) return "accepted: the receiver verified the signature and committed the event";
  if (code === "invalid_signature" || (status === 401 && !code)) return "signature refused: the receiver checks with a different secret than --secret (Oura signs with the OAuth client secret)";
  if (code === "stale_timestamp") return "timestamp refused: this machine's clock and the receiver's differ by more than the receiver's tolerance (check NTP on both)";
  if (code === "webhook_secret_missing" || status === 503) return "the receiver has no secret configured: set OURA_CLIENT_SECRET there";
  if (status === 404 || status === 405) return "no webhook receiver at this URL: check the path (…/webhooks) and that the subscription handshake was done against it";
  if (status === 413) return "the receiver refused the size of the body";
  if (status === 422 || status === 400) return "the receiver did not accept the notification's shape";
  return `unexpected answer ${status}`;
}

export const sendTestCommand: Command = {
  name: "send-test",
  summary: "send one signed sample notification to a receiver and explain the answer",
  usage,
  async run(argv) {
    const { values } = parse(argv, { url: { type: "string" }, secret: { type: "string" }, "data-type": { type: "string" }, "user-id": { type: "string" } }, usage);
    if (!values.url) throw new UsageError("--url is required", usage);
    let url: URL;
    try {
      url = new URL(values.url);
    } catch {
      throw new UsageError(`--url is not a URL: ${values.url}`, usage);
    }
    const secret = values.secret ?? process.env.OURA_WEBHOOK_SECRET ?? process.env.OURA_CLIENT_SECRET;
    if (!secret) throw new UsageError("no secret: pass --secret or set OURA_CLIENT_SECRET", usage);
    const body = JSON.stringify({
      event_type: "create",
      data_type: values["data-type"] ?? "daily_sleep",
      object_id: `send-test-${crypto.randomUUID()}`,
      event_time: new Date().toISOString().replace("Z", "+00:00"),
      user_id: values["user-id"] ?? "send-test-user",
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = await (await createSignatureSigner(secret)).sign(timestamp, body);
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-oura-timestamp": timestamp, "x-oura-signature": signature },
        body,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      console.error(`could not reach ${url.href}: ${error instanceof Error ? error.message : String(error)} (is the server running, and is the URL right?)`);
      return 1;
    }
    const text = await response.text();
    const advice = explain(response.status, text);
    const line = `${response.status} ${text.slice(0, 300)}\n${advice}`;
    if (response.ok) console.log(line);
    else console.error(line);
    return response.ok ? 0 : 1;
  },
};
