import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { EnvSchema } from "../../src/config.ts";
import { CONFIG_TABLE_END, CONFIG_TABLE_START, configTable } from "../../src/config-table.ts";

const root = join(import.meta.dir, "..", "..");

describe("documentation of the configuration", () => {
  test("the README's configuration table is the one generated from the schema (npm run docs:config)", async () => {
    const readme = await Bun.file(join(root, "README.md")).text();
    const table = readme.slice(readme.indexOf(CONFIG_TABLE_START) + CONFIG_TABLE_START.length, readme.indexOf(CONFIG_TABLE_END)).trim();
    expect(table).toBe(configTable());
  });

  test(".env.example lists every variable", async () => {
    const example = await Bun.file(join(root, ".env.example")).text();
    for (const name of Object.keys(EnvSchema.shape)) expect(example).toMatch(new RegExp(`^#? ?${name}=`, "m"));
  });
});
