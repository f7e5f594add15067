// Text and byte parts to the bytes of a request body.

export const encoder = new TextEncoder();
export const bytesOf = (...parts: (string | number[])[]) => {
  const chunks = parts.map((p) => (typeof p === "string" ? encoder.encode(p) : new Uint8Array(p)));
  return new Uint8Array(Buffer.concat(chunks));
};
