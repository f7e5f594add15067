// The dashboard's status strip in warehouse mode, in headless Chromium: the "Warehouse" entry says all is shipped,
// turns to "failing, N waiting" with the reason while the workspace is unreachable (refreshed periodically without a
// reload), and back to "all shipped" once it answers again, with every event in Delta. With sqlite there is no entry.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { FakeDatabricks } from "../fake-databricks.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { deliver, sampleNotification } from "../helpers/notifications.ts";
import { waitFor } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";

const APP_SECRET_KEY = "warehouse-strip-app-secret-key-0123456789";
const EVENTS = "main.oura.events";

let browser: Browser;
let cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** What went wrong on a page, as seen from the page: console errors, uncaught exceptions, failed and refused requests. */
interface PageProblems {
  console: string[];
  failedRequests: string[];
}

/** A page at `width` px, watched for console errors and failed (or 4xx/5xx) requests, its problems reported in `problems`. */
async function openPage(width: number, problems: PageProblems): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  cleanups.push(() => closePage(page));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    // Chromium asks for /favicon.ico on its own (the page links none, and the server has none): not the page's request.
    if (new URL(message.location().url || page.url()).pathname === "/favicon.ico") return;
    problems.console.push(`${message.location().url || page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.console.push(`${page.url()}: uncaught ${error.message}`));
  page.on("requestfailed", (request) => {
    // Closing the page aborts what is still in flight: that is the test's doing, not the page's.
    if (!closing.has(page) && !page.isClosed()) problems.failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.failedRequests.push(`${response.request().method()} ${response.url()}: HTTP ${response.status()}`);
  });
  return page;
}

const closing = new WeakSet<Page>();

/** Closes a page; requests it had in flight are aborted by this, and are not counted as failures. */
async function closePage(page: Page): Promise<void> {
  closing.add(page);
  await page.close();
}

/** Signs in through the dashboard's own form with the API token, as a person would. */
async function signIn(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/dashboard`);
  await page.fill("#token", TEST_API_TOKEN);
  await Promise.all([page.waitForURL(`${base}/dashboard`, { waitUntil: "load" }), page.click("button:has-text('Sign in with token')")]);
  await page.waitForSelector("details#server dl", { state: "attached", timeout: 5000 });
}

const entryText = (page: Page) => page.locator("#warehouse-status").evaluate((element) => (element.textContent ?? "").replace(/\s+/g, " ").trim());

/** Waits until the warehouse entry's text passes `accept`; on a timeout, says what it read last. */
async function untilEntry(page: Page, accept: (text: string) => boolean, timeoutMs: number, what: string): Promise<string> {
  let last = "";
  try {
    return await waitFor(async () => {
      last = await entryText(page);
      return accept(last) ? last : undefined;
    }, timeoutMs, what);
  } catch (error) {
    throw new Error(`${(error as Error).message}; the entry read: ${JSON.stringify(last)}`);
  }
}

describe("the warehouse entry of the dashboard's status strip", () => {
  test("all shipped → failing with 12 waiting and the reason while the workspace is unreachable → all shipped, 12 rows in Delta", async () => {
    const fake = new FakeDatabricks().start();
    cleanups.push(() => fake.stop());
    // The entry refreshes itself every 300 ms here (5 s in production), and the shipper looks every 100 ms: the same
    // page and the same changes, without waiting out three production refreshes.
    const server = await startTestServer(
      { ...fake.env(), APP_SECRET_KEY, API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: join(tempDir(), "strip.db") },
      { dashboardRefreshMs: 300, shipper: { intervalMs: 100, retryBaseMs: 100 } },
    );
    cleanups.push(() => server.stop());
    const base = server.url.origin;
    // The tables are made at start (the token rows are read back from Delta): from here the entry says "ok, all shipped".
    await waitFor(() => fake.table(EVENTS) || undefined, 10_000, "the Delta tables to be made");

    const problems: PageProblems = { console: [], failedRequests: [] };
    const page = await openPage(1280, problems);
    await signIn(page, base);
    const entry = page.locator("details#server dl #warehouse-status");
    expect(await entry.count()).toBe(1);
    expect(await page.locator("details#server dt:has-text('Warehouse') + #warehouse-status").count()).toBe(1);
    expect(await entry.getAttribute("hx-get")).toBe("/dashboard/warehouse");
    expect(await entry.getAttribute("hx-trigger")).toBe("every 300ms");
    const healthy = await untilEntry(page, (t) => t.includes("all shipped"), 7_000, "'all shipped'");
    expect(healthy).toMatch(/^ok, all shipped$/);
    expect(await entry.locator(".state.ok").count()).toBe(1);
    expect(await entry.locator(".state.bad, .warehouse-error").count()).toBe(0);

    // The workspace goes away; 12 notifications are still acknowledged and wait in the outbox.
    const marker = await page.evaluate(() => ((window as unknown as { marker: number }).marker = Math.random()));
    fake.setOff();
    const sent = Array.from({ length: 12 }, () => sampleNotification());
    for (const notification of sent) expect((await deliver(server.url, notification)).status).toBe(201);
    const failing = await untilEntry(page, (t) => t.startsWith("failing") && t.includes("12 waiting"), 12_000, "'failing, 12 waiting'");
    expect(failing).toMatch(/^failing, 12 waiting since \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC(, last shipped .+ UTC)?: cannot reach http:\/\/127\.0\.0\.1:\d+ \(\w+\)$/);
    expect(failing).not.toContain("all shipped");
    // The reason is in its own, red, span; the state word is marked bad, not ok.
    expect(await entry.locator(".warehouse-error").textContent()).toMatch(/^: cannot reach http:\/\/127\.0\.0\.1:\d+ \(\w+\)$/);
    expect(await entry.locator(".state.bad").textContent()).toBe("failing");
    expect(await entry.locator(".state.ok").count()).toBe(0);
    // The entry changed in place (htmx's periodic refresh), not by a reload.
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(marker);
    const wide = await entry.boundingBox();
    expect(wide && wide.width > 0 && wide.height > 0).toBe(true);

    // At phone width: the entry is there, in the viewport, and does not make the page scroll sideways.
    const phone = await openPage(375, problems);
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${base}/dashboard`);
    const phoneEntry = phone.locator("#warehouse-status");
    await phoneEntry.waitFor({ state: "attached", timeout: 5000 });
    // On a phone the server's status is one closed line (today's scores come first); a tap opens it.
    expect(await phone.locator("details#server").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await phoneEntry.isVisible()).toBe(false);
    await phone.click("details#server > summary");
    expect(await entryText(phone)).toMatch(/^failing, 12 waiting since .+: cannot reach http:\/\/127\.0\.0\.1:\d+ \(\w+\)$/);
    await phoneEntry.scrollIntoViewIfNeeded();
    const box = await phoneEntry.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.width).toBeGreaterThan(0);
    expect(box!.height).toBeGreaterThan(0);
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    expect(await phoneEntry.isVisible()).toBe(true);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await closePage(phone);

    // The workspace is back: the outbox drains and the entry says so, still without a reload.
    fake.setOn();
    const recovered = await untilEntry(page, (t) => t.includes("all shipped"), 16_000, "'all shipped' again");
    expect(recovered).toMatch(/^ok, all shipped, last shipped \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(recovered).not.toContain("cannot reach");
    // A new success, not the old text come back: before the outage nothing had been shipped yet.
    expect(healthy).not.toContain("last shipped");
    expect(await entry.locator(".warehouse-error").count()).toBe(0);
    expect(fake.rows(EVENTS).length).toBe(12);
    expect(fake.rows(EVENTS).map((row) => row.object_id)).toEqual(sent.map((n) => n.object_id));
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(marker);

    expect(problems.console).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
  }, 40_000);

  test("with sqlite storage the strip has no warehouse entry", async () => {
    const server = await startTestServer({ STORAGE_BACKEND: "sqlite", API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: join(tempDir(), "sqlite.db") });
    cleanups.push(() => server.stop());
    const problems: PageProblems = { console: [], failedRequests: [] };
    const page = await openPage(1280, problems);
    await signIn(page, server.url.origin);
    // The same strip rendered (so the absence below is not a page that failed to load)…
    expect(await page.locator("details#server dt").allTextContents()).toContain("Storage");
    // …without a warehouse entry.
    expect(await page.locator("#warehouse-status").count()).toBe(0);
    expect(await page.locator("details#server dt").allTextContents()).not.toContain("Warehouse");
    expect(await page.locator("[hx-get='/dashboard/warehouse']").count()).toBe(0);
    expect(problems.console).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
  }, 20_000);
});
