// What tells a changed document from the same one seen again: a 64-bit hash of its JSON text (a poll compares what
// Oura lists with what is stored, without reading the stored document back).
export function contentHash(json: string): string {
  return Bun.hash(json).toString(36);
}
