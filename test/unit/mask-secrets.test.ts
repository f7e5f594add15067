// Text from elsewhere that reaches operators or the log: anything token-like is masked, the rest kept readable.
import { describe, expect, test } from "bun:test";
import { maskSecrets } from "../../src/auth/mask-secrets.ts";
import { createLogger } from "../../src/log.ts";

describe("maskSecrets", () => {
  test.each([
    ["a Databricks token in a name=value pair", "failed: token=dapi-0123456789abcdef0123 at host", "failed: token=*** at host"],
    ["a bare Databricks token", "Invalid access token dapi1234567890abcdef1234567890abcd", "Invalid access token ***"],
    ["a Bearer header", "Authorization: Bearer abc.def.ghi123456", "Authorization: ***"],
    ["a Basic header", "Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: ***"],
    ["Basic credentials on their own", "sent Basic dXNlcjpwYXNzd29yZA== upstream", "sent *** upstream"],
    ["a JWT in JSON", '{"access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"}', '{"access_token": "***"}'],
    ["a refresh token", "refresh_token=rt-abc123def456", "refresh_token=***"],
    ["a password in a broker's URL", "cannot connect to mqtt://ha:s3cret@homeassistant.local:1883", "cannot connect to mqtt://ha:***@homeassistant.local:1883"],
  ])("%s", (_, input, masked) => {
    expect(maskSecrets(input)).toBe(masked);
  });

  test("ordinary error text stays readable", () => {
    for (const text of ["[INSUFFICIENT_PERMISSIONS] User does not have USE SCHEMA on main.oura", "Oura answered 503: Service Unavailable", "statement 01ef-1234 timed out after 300 s"]) {
      expect(maskSecrets(text)).toBe(text);
    }
  });

  test("the log masks the free-text fields (error, reason, …) and leaves the others as they are", () => {
    const lines: string[] = [];
    const logger = createLogger("info", { write: (line) => void lines.push(line), drain: async () => {} });
    logger.warn("warehouse.ship_failed", { error: "FAILED: token=dapi0123456789abcdef0123456789abcd", table: "main.oura.events" });
    expect(lines[0]).toContain('error="FAILED: token=***"');
    expect(lines[0]).toContain("table=main.oura.events");
    expect(lines[0]).not.toContain("dapi0123");
  });
});
