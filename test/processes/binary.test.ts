// The single executable: built with bun build --compile, copied alone into an empty directory, run with a minimal
// PATH and no node_modules in sight. Everything it serves must come from inside it. Built once per run, here.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "../helpers/chromium.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { REPO_ROOT, tempDir } from "../helpers/servers.ts";

let dir: string;
let binary: string;

beforeAll(async () => {
  dir = tempDir("oura-binary-");
  binary = join(dir, "oura-streaming");
  const build = Bun.spawn([process.execPath, "build", "--compile", "--minify", "src/main.ts", "--outfile", binary], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  if ((await build.exited) !== 0) throw new Error(`build failed: ${await new Response(build.stderr).text()}`);
}, 300_000);

describe("compiled executable", () => {
  test("alone in an empty directory it serves /health, /openapi.json, /docs, /dashboard and every asset they reference, and creates its database there", async () => {
    expect(readdirSync(dir)).toEqual(["oura-streaming"]);
    const port = freePort();
    const child = Bun.spawn([binary], { cwd: dir, env: { PATH: "/nonexistent", PORT: String(port) }, stdout: "pipe", stderr: "pipe" });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor(async () => (await fetch(`${base}/health`).catch(() => undefined))?.ok || undefined, 10_000, "the binary to listen");
      const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: object };
      expect(openapi.openapi).toBe("3.1.0");
      const pages = await Promise.all(["/docs", "/dashboard"].map(async (path) => {
        const response = await fetch(`${base}${path}`);
        expect(response.status).toBe(200);
        return response.text();
      }));
      const assets = new Set(pages.flatMap((html) => [...html.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!)));
      expect([...assets].sort()).toEqual(
        ["/static/dashboard.css", "/static/dashboard.js", "/static/htmx.min.js", "/static/hx-ws.min.js", "/swagger-ui-dist/swagger-ui-bundle.js", "/swagger-ui-dist/swagger-ui.css"].sort(),
      );
      for (const asset of assets) {
        const response = await fetch(`${base}${asset}`);
        expect(response.status).toBe(200);
        expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
      }
      expect(existsSync(join(dir, "oura_streaming.db"))).toBe(true);
      // /docs renders in a browser from what the binary alone serves.
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.route("**/*", (route) => (new URL(route.request().url()).origin === base ? route.continue() : route.abort()));
        await page.goto(`${base}/docs`);
        await page.waitForSelector(".opblock", { timeout: 10_000 });
        expect(await page.locator(".opblock").count()).toBeGreaterThan(10);
      } finally {
        await browser.close();
      }
      expect((await Bun.spawn([binary, "--version"], { env: { PATH: "/nonexistent" }, stdout: "pipe" }).exited)).toBe(0);
    } finally {
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    }
  }, 30_000);
});
