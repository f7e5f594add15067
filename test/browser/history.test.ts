// A new user's first minutes in Chromium: signed in with Oura, the dashboard offers to import the last 90 days; the
// progress bar moves to 100% and the charts fill while the import runs, without a reload.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";

const USER = "USER-HISTORY";
// Oura answers each list request after 200 ms, so the import (18 requests) takes about 4 s and the panel, refreshed
// every second, shows its progress at least twice between 0 and 100 even on a busy machine (at 120 ms it sometimes
// showed it once while the other browser tests ran beside it).
const fake = new FakeOura({ pageSize: 10, documentDelayMs: 200 }).start();
let running: RunningServer;
let base: string;
let browser: Browser;
let page: Page;

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  for (let d = 0; d < 90; d++) {
    fake.putDocument(USER, "daily_sleep", { id: `ds-${d}`, day: day(d), score: 65 + ((d * 7) % 25) });
    fake.putDocument(USER, "daily_readiness", { id: `dr-${d}`, day: day(d), score: 70 + ((d * 5) % 20) });
  }
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  running = await startTestServer({
    ...fake.env(),
    PORT: String(port),
    PUBLIC_URL: base,
    API_TOKEN: TEST_API_TOKEN,
    DATABASE_PATH: join(tempDir(), "history.db"),
    ALLOWED_EMAILS: "*@example.com",
    POLL_DATA_TYPES: "daily_sleep,daily_readiness",
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
  fake.stop();
});

test("after the first sign-in: 'Import the last 90 days', a moving progress bar, charts filling live", async () => {
  fake.nextAuthorizeUser = USER;
  await page.goto(`${base}/auth/login`);
  await page.waitForURL(`${base}/dashboard`);
  const offer = page.getByRole("button", { name: "Import the last 90 days" });
  await offer.waitFor({ timeout: 5000 });
  expect(await page.locator("#chart-sleep").getAttribute("data-points")).toBe("0");
  await page.waitForFunction(() => document.documentElement.dataset.live === "connected", null, { timeout: 5000 });

  await offer.click();
  const bar = page.locator("#history progress");
  await bar.waitFor({ timeout: 5000 });
  // Watch the bar: it must pass through values between 0 and 100, and end at 100.
  const seen = new Set<number>();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const value = Number(await bar.first().getAttribute("value"));
    seen.add(value);
    if (value === 100 && (await page.locator("#history .backfill.done").count()) === 1) break;
    await Bun.sleep(100);
  }
  const values = [...seen].sort((a, b) => a - b);
  expect(values.at(-1)).toBe(100);
  expect(values.filter((v) => v > 0 && v < 100).length).toBeGreaterThanOrEqual(2);
  await expect(page.locator("#history .backfill-numbers").textContent()).resolves.toContain("180 stored");
  // The charts filled while the import ran (live panel refreshes), without a reload.
  await page.waitForFunction(() => document.querySelector("#chart-sleep")?.getAttribute("data-points") === "7", null, { timeout: 5000 });
  await expect(page.locator("#card-readiness .value").textContent()).resolves.toBe(String(70 + 0));
  // 180 rows arrived live: the feed keeps the newest 100.
  expect(await page.locator("#feed > li").count()).toBe(100);
  // Done: no more offer for this user.
  expect(await offer.count()).toBe(0);
}, 60_000);
