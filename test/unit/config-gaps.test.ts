// check-config's "will not work" lines: settings the server accepts, but with which part of it cannot work.
import { describe, expect, test } from "bun:test";
import { configurationGaps } from "../../src/cli/config-gaps.ts";
import { TEST_API_TOKEN, testConfig } from "../helpers/config.ts";

const gaps = (env: Record<string, string | undefined>) => configurationGaps(testConfig({ API_TOKEN: TEST_API_TOKEN, ...env }));

describe("what will not work", () => {
  test("nothing, for webhooks signed with the client secret, sign-in, and a public https address", () => {
    expect(gaps({ OURA_CLIENT_ID: "id", PUBLIC_URL: "https://oura.example.org" })).toEqual([]);
  });

  test("no secret: every webhook is refused", () => {
    const found = gaps({ OURA_CLIENT_SECRET: undefined });
    expect(found).toHaveLength(1);
    expect(found[0]).toStartWith("webhooks will be refused (503)");
  });

  test("half of the Oura application's credentials: sign-in is off, said which half is missing", () => {
    expect(gaps({ OURA_CLIENT_ID: "id", OURA_CLIENT_SECRET: undefined }).join("\n")).toContain("OURA_CLIENT_ID is set without OURA_CLIENT_SECRET");
    expect(gaps({}).join("\n")).toContain("OURA_CLIENT_SECRET is set without OURA_CLIENT_ID");
  });

  test("webhooks Oura cannot deliver (no PUBLIC_URL, or a private one) point to polling; polling needs none", () => {
    const unset = gaps({ OURA_CLIENT_ID: "id" });
    expect(unset).toEqual([expect.stringContaining("Oura cannot send webhooks to http://127.0.0.1:0/webhooks (PUBLIC_URL is unset): set POLLING_ENABLED=true")]);
    for (const url of ["http://localhost:8000", "http://192.168.1.20:8000", "http://10.0.0.5", "http://172.20.1.1", "http://[::1]:8000"]) {
      expect(gaps({ OURA_CLIENT_ID: "id", PUBLIC_URL: url }).join("\n")).toContain("a private address");
    }
    // An IPv6 HOST is no URL host as it is: said all the same, with the address bracketed.
    expect(gaps({ OURA_CLIENT_ID: "id", HOST: "::" }).join("\n")).toContain("http://[::]:0/webhooks (PUBLIC_URL is unset)");
    expect(gaps({ OURA_CLIENT_ID: "id", POLLING_ENABLED: "true" })).toEqual([]);
    expect(gaps({ OURA_CLIENT_ID: "id", PUBLIC_URL: "https://172.32.0.1" })).toEqual([]);
  });
});
