// OAuth tokens at rest: AES-GCM with a fresh 96-bit IV per value, stored as base64url(iv || ciphertext).
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface TokenCipher {
  encrypt(plain: string): Promise<string>;
  decrypt(sealed: string): Promise<string>;
}

export function createTokenCipher(key: CryptoKey): TokenCipher {
  return {
    async encrypt(plain) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(plain)));
      return Buffer.concat([iv, sealed]).toString("base64url");
    },
    async decrypt(sealed) {
      const bytes = new Uint8Array(Buffer.from(sealed, "base64url"));
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.subarray(0, 12) }, key, bytes.subarray(12));
      return decoder.decode(plain);
    },
  };
}
