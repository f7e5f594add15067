// Secret comparison whose duration does not depend on where the inputs differ.
import { timingSafeEqual } from "node:crypto";

const digest = (value: string) => new Bun.CryptoHasher("sha256").update(value).digest();

/** A value's SHA-256 in hex: for remembering a secret (a spent token, a browser nonce) without storing it. */
export const sha256Hex = (value: string) => new Bun.CryptoHasher("sha256").update(value).digest("hex");

/** Hashing first gives equal-length inputs, so neither the content nor the length of the secret leaks. */
export function secretsEqual(candidate: string, secret: string): boolean {
  return timingSafeEqual(digest(candidate), digest(secret));
}
