// Secret comparison whose duration does not depend on where the inputs differ.
import { timingSafeEqual } from "node:crypto";

const digest = (value: string) => new Bun.CryptoHasher("sha256").update(value).digest();

/** Hashing first gives equal-length inputs, so neither the content nor the length of the secret leaks. */
export function secretsEqual(candidate: string, secret: string): boolean {
  return timingSafeEqual(digest(candidate), digest(secret));
}
