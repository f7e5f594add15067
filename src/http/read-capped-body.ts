// Reads a request body without ever holding more than `maxBytes` of it.
import { AppError } from "../errors.ts";

const tooLarge = (maxBytes: number) => new AppError(413, "payload_too_large", `the body is larger than ${maxBytes} bytes`);

export async function readCappedBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    // Refuse on the header alone, before a byte of an oversized body is read.
    if (Number(declared) > maxBytes) throw tooLarge(maxBytes);
    return request.bytes();
  }
  if (!request.body) return new Uint8Array(0);
  // Chunked upload: count as the stream arrives and stop at the limit.
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
