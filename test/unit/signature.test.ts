import { describe, expect, test } from "bun:test";
import { COMPACT_FALLBACK_MAX_BYTES, createSignatureSigner, createSignatureVerifier, parseOuraTimestamp } from "../../src/oura/signature.ts";

// Fixed vector computed independently: printf '%s%s' TS BODY | openssl dgst -sha256 -hmac topsecret
const SECRET = "topsecret";
const TIMESTAMP = "1764000000";
const BODY =
  '{"event_type":"create","data_type":"sleep","object_id":"abc","event_time":"2026-11-24T08:00:00+00:00","user_id":"u1"}';
const EXPECTED = "0E9B514B3F0813B619D8491C737392265C7D3F72CC378575200038E2645091D0";
const bytes = (text: string) => new TextEncoder().encode(text);

describe("Oura webhook signature", () => {
  test("signs timestamp + raw body as uppercase hex HMAC-SHA256 of the client secret", async () => {
    const signer = await createSignatureSigner(SECRET);
    expect(await signer.sign(TIMESTAMP, BODY)).toBe(EXPECTED);
  });

  test("accepts the signature in upper or lower case", async () => {
    const verifier = await createSignatureVerifier(SECRET);
    expect(await verifier.verify(TIMESTAMP, bytes(BODY), EXPECTED)).toBe(true);
    expect(await verifier.verify(TIMESTAMP, bytes(BODY), EXPECTED.toLowerCase())).toBe(true);
  });

  test("refuses another secret, another timestamp, a changed body and malformed hex", async () => {
    const verifier = await createSignatureVerifier(SECRET);
    const other = await createSignatureVerifier("not-the-secret");
    expect(await other.verify(TIMESTAMP, bytes(BODY), EXPECTED)).toBe(false);
    expect(await verifier.verify("1764000001", bytes(BODY), EXPECTED)).toBe(false);
    expect(await verifier.verify(TIMESTAMP, bytes(BODY.replace("u1", "u2")), EXPECTED)).toBe(false);
    expect(await verifier.verify(TIMESTAMP, bytes(BODY), EXPECTED.slice(0, 62))).toBe(false);
    expect(await verifier.verify(TIMESTAMP, bytes(BODY), "Z".repeat(64))).toBe(false);
    expect(await verifier.verify(TIMESTAMP, bytes(BODY), "")).toBe(false);
  });

  test("checks sent to Web Crypto together each get their own answer", async () => {
    const verifier = await createSignatureVerifier(SECRET);
    const signer = await createSignatureSigner(SECRET);
    const bodies = Array.from({ length: 40 }, (_, i) => BODY.replace("abc", `abc-${i}`));
    const signatures = await Promise.all(bodies.map((body) => signer.sign(TIMESTAMP, body)));
    // Every third check carries the signature of its neighbour: it must fail while the others in its batch pass.
    const answers = await Promise.all(
      bodies.map((body, i) => verifier.verify(TIMESTAMP, bytes(body), signatures[i % 3 === 0 ? (i + 1) % bodies.length : i]!)),
    );
    expect(answers).toEqual(bodies.map((_, i) => i % 3 !== 0));
  });

  test("also accepts a signature over the compact re-serialisation (Oura's own sample signs JSON.stringify)", async () => {
    const verifier = await createSignatureVerifier(SECRET);
    const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
    expect(await verifier.verify(TIMESTAMP, bytes(pretty), EXPECTED)).toBe(true);
  });

  test("never parses a large unauthenticated body: the compact fallback stops at COMPACT_FALLBACK_MAX_BYTES", async () => {
    const verifier = await createSignatureVerifier(SECRET);
    const signer = await createSignatureSigner(SECRET);
    // A pretty-printed body signed in its compact form: accepted while small, refused (not parsed) once larger.
    const document = (size: number) => ({ event_type: "update", data_type: "sleep", user_id: "u", padding: "x".repeat(size) });
    const small = document(100);
    expect(await verifier.verify(TIMESTAMP, bytes(JSON.stringify(small, null, 2)), await signer.sign(TIMESTAMP, JSON.stringify(small)))).toBe(true);
    const large = document(COMPACT_FALLBACK_MAX_BYTES);
    const prettyLarge = JSON.stringify(large, null, 2);
    expect(prettyLarge.length).toBeGreaterThan(COMPACT_FALLBACK_MAX_BYTES);
    expect(await verifier.verify(TIMESTAMP, bytes(prettyLarge), await signer.sign(TIMESTAMP, JSON.stringify(large)))).toBe(false);
  });

  test("reads the timestamp as epoch seconds, or milliseconds when clearly so", () => {
    expect(parseOuraTimestamp("1764000000")).toBe(1764000000);
    expect(parseOuraTimestamp("1764000000123")).toBe(1764000000.123);
    expect(parseOuraTimestamp("12abc")).toBeUndefined();
    expect(parseOuraTimestamp("-5")).toBeUndefined();
  });
});
