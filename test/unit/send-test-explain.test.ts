import { describe, expect, test } from "bun:test";
import { explain } from "../../src/cli/send-test.ts";

const error = (code: string) => JSON.stringify({ error: { code, message: "…" } });

describe("send-test explains the receiver's answer", () => {
  test.each([
    [201, '{"id":1}', "accepted"],
    [401, error("invalid_signature"), "different secret"],
    [401, error("stale_timestamp"), "clock"],
    [503, error("webhook_secret_missing"), "no secret configured"],
    [404, error("not_found"), "handshake"],
    [413, error("payload_too_large"), "size"],
    [422, error("validation_failed"), "shape"],
  ])("%i %s → mentions %p", (status, body, phrase) => {
    expect(explain(status, body)).toContain(phrase);
  });
});
