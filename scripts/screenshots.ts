// `npm run screenshots`: pictures of the pages a newcomer meets first — the OAuth error page and the empty dashboard,
// light and dark, at 375 and 1280 px — into test-output/screenshots/ (the tests check the pages; this only shows them).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { FakeOura } from "../src/demo/fake-oura.ts";
import { silentLogger } from "../src/log.ts";
import { startServer } from "../src/server.ts";
import { launchChromium } from "../test/helpers/chromium.ts";
import { TEST_API_TOKEN, testConfig } from "../test/helpers/config.ts";

const OUT = join(import.meta.dir, "..", "test-output", "screenshots");
mkdirSync(OUT, { recursive: true });

// The built-in fake Oura stands in for Oura (no account, no network): the pages look as they do with a real one.
const fake = new FakeOura().start();
const server = await startServer(testConfig({ ...fake.env(), API_TOKEN: TEST_API_TOKEN, PORT: "0" }), silentLogger);
const browser = await launchChromium();
try {
  const base = server.url.origin;
  const signIn = await browser.newContext();
  const form = await signIn.newPage();
  await form.goto(`${base}/dashboard`);
  await form.fill("#token", TEST_API_TOKEN);
  await form.click("text=Sign in with token");
  await form.waitForURL(`${base}/dashboard`);
  const cookies = await signIn.cookies();
  await signIn.close();
  for (const width of [375, 1280]) {
    for (const scheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ viewport: { width, height: 800 }, colorScheme: scheme });
      await context.addCookies(cookies);
      const page = await context.newPage();
      for (const [name, path, ready] of [
        ["oauth-error", "/auth/callback?error=access_denied", "p.error"],
        ["empty-dashboard", "/dashboard", "#empty-feed"],
      ] as const) {
        await page.goto(`${base}${path}`);
        await page.waitForSelector(ready);
        const file = join(OUT, `first-look-${name}-${scheme}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.log(file);
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
  fake.stop();
}
