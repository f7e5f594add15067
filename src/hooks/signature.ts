// Standard Webhooks signing (standardwebhooks.com, spec 1.0): HMAC-SHA256 over `${id}.${timestamp}.${body}` with the
// endpoint's `whsec_` secret (base64 of random bytes), sent as `webhook-signature: v1,<base64>`. Message ids are made
// with the deliveries (`msg_` and 32 hex digits: never a `.`, which delimits the signed content; storage/sqlite/hook-store.ts).
const encoder = new TextEncoder();
const SECRET_PREFIX = "whsec_";
/** The spec allows 24 to 64 random bytes; 32 matches the HMAC-SHA256 block's key strength. */
const SECRET_BYTES = 32;

export function generateSecret(): string {
  return SECRET_PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(SECRET_BYTES))).toString("base64");
}

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

export type MessageSigner = (messageId: string, timestampSeconds: number, body: string) => Promise<SignedHeaders>;

export async function createMessageSigner(secret: string): Promise<MessageSigner> {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error("a Standard Webhooks secret starts with whsec_");
  const key = await crypto.subtle.importKey("raw", Buffer.from(secret.slice(SECRET_PREFIX.length), "base64"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return async (messageId, timestampSeconds, body) => {
    const timestamp = String(Math.floor(timestampSeconds));
    const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${messageId}.${timestamp}.${body}`));
    return { "webhook-id": messageId, "webhook-timestamp": timestamp, "webhook-signature": `v1,${Buffer.from(mac).toString("base64")}` };
  };
}
