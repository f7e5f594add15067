import { describe, expect, test } from "bun:test";
import { AppError } from "../../src/errors.ts";
import { readCappedBody } from "../../src/http/read-capped-body.ts";

function streamOf(chunks: number, size: number, onPull?: () => void) {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      onPull?.();
      if (sent++ >= chunks) return controller.close();
      controller.enqueue(new Uint8Array(size).fill(65));
    },
  });
}

describe("readCappedBody", () => {
  test("refuses on Content-Length alone, without reading", async () => {
    let pulled = 0;
    const request = new Request("http://x/", { method: "POST", body: streamOf(10, 100, () => pulled++), headers: { "content-length": "1000" } });
    const error = await readCappedBody(request, 500).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(413);
    // A ReadableStream fills its queue once when built; anything more would be our read.
    expect(pulled).toBeLessThanOrEqual(1);
  });

  test("stops a stream without Content-Length as soon as it passes the limit", async () => {
    let pulled = 0;
    const request = new Request("http://x/", { method: "POST", body: streamOf(1000, 100, () => pulled++) });
    expect(request.headers.get("content-length")).toBeNull();
    const error = await readCappedBody(request, 550).catch((e) => e);
    expect((error as AppError).status).toBe(413);
    expect(pulled).toBeLessThan(20);
  });

  test("returns a stream under the limit whole", async () => {
    const request = new Request("http://x/", { method: "POST", body: streamOf(5, 100) });
    expect((await readCappedBody(request, 550)).byteLength).toBe(500);
  });
});
