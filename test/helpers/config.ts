// Test configuration built through the real config schema, so tests exercise the same defaults users get.
import { type Config, loadConfig } from "../../src/config.ts";

export const TEST_SECRET = "test-client-secret-0123456789";
export const TEST_API_TOKEN = "test-api-token-0123456789abcdef";
export const TEST_VERIFICATION_TOKEN = "test-verification-token";

export function testConfig(env: Record<string, string | undefined> = {}): Config {
  const result = loadConfig({
    PORT: "0",
    DATABASE_PATH: ":memory:",
    OURA_CLIENT_SECRET: TEST_SECRET,
    OURA_VERIFICATION_TOKEN: TEST_VERIFICATION_TOKEN,
    LOG_LEVEL: "silent",
    ...env,
  });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config;
}
