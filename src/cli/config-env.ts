// Loads the configuration for a command, or explains what is wrong and exits 1.
import { type Config, loadConfig } from "../config.ts";

export function configOrExit(env: Record<string, string | undefined> = process.env): Config {
  const result = loadConfig(env);
  if (result.ok) return result.config;
  console.error(`oura-streaming: invalid configuration\n${result.errors.map((e) => `  ${e}`).join("\n")}`);
  process.exit(1);
}
