// A webhook delivery signed as Oura signs one.
import type { SignatureSigner } from "../../../src/oura/signature.ts";

/** POSTs `body` to /webhooks, signed with `signer` and the current time, through `fetcher`. */
export async function postSignedWebhook(fetcher: typeof fetch, base: URL, signer: SignatureSigner, body: string): Promise<Response> {
  const ts = String(Math.floor(Date.now() / 1000));
  return fetcher(new URL("/webhooks", base), {
    method: "POST",
    headers: { "content-type": "application/json", "x-oura-timestamp": ts, "x-oura-signature": await signer.sign(ts, body) },
    body,
  });
}
