// Unguessable identifiers (session ids, OAuth states, cookie nonces): 192 random bits, URL-safe.
export const randomId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
