// The dashboard in headless Chromium against a real server and the fake Oura: sign-in, live rows, detail, charts,
// and /docs rendering with every request outside this server blocked.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";

const USER = "USER-BROWSER";
const fake = new FakeOura().start();
let running: RunningServer;
let base: string;
let browser: Browser;
let page: Page;
const offServer: string[] = [];
/** Anything the Content-Security-Policy refused, on any page these tests open (console and violation events). */
const policyViolations: string[] = [];

/** Records CSP refusals on a page: the browser's console message, and the DOM's securitypolicyviolation event. */
async function watchPolicy(target: Page) {
  target.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) policyViolations.push(`${target.url()}: ${message.text()}`);
  });
  await target.exposeFunction("reportPolicyViolation", (text: string) => void policyViolations.push(text));
  await target.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { reportPolicyViolation: (text: string) => void }).reportPolicyViolation(`${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
}

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

async function notify(dataType: string, objectId: string) {
  const response = await fake.deliver(`${base}/webhooks`, { event_type: "create", data_type: dataType, object_id: objectId, event_time: new Date().toISOString(), user_id: USER });
  return ((await response.json()) as { id: number }).id;
}

async function fetched(id: number) {
  await waitFor(async () => {
    const event = (await (await fetch(`${base}/events/${id}`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).json()) as { fetch_status: string };
    return event.fetch_status === "fetched" || undefined;
  });
}

beforeAll(async () => {
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  running = await startTestServer({ ...fake.env(), PORT: String(port), PUBLIC_URL: base, API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: join(tempDir(), "browser.db"), ALLOWED_EMAILS: "*@example.com", OPERATOR_EMAILS: "user-browser@example.com" });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await watchPolicy(page);
  // The dashboard must work with the network cut off: everything but this server and the fake Oura is refused.
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === base || url.origin === fake.url) return route.continue();
    offServer.push(url.href);
    return route.abort();
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
  fake.stop();
});

/** The detail dialog is open, inside the viewport, names the event, has the URL /dashboard?event=<id> and the focus. */
async function expectDetailInView(target: Page, id: number) {
  await target.waitForFunction(() => (document.getElementById("detail-dialog") as HTMLDialogElement | null)?.open === true, null, { timeout: 2000 });
  const viewport = target.viewportSize()!;
  const box = (await target.locator("#detail-dialog").boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y).toBeLessThan(viewport.height / 2);
  expect(box.x + box.width).toBeLessThanOrEqual(viewport.width + 1);
  expect(await target.locator("#detail-title").textContent()).toContain(`Event ${id}:`);
  expect(new URL(target.url()).searchParams.get("event")).toBe(String(id));
  expect(await target.evaluate(() => document.activeElement?.closest("dialog")?.id)).toBe("detail-dialog");
}

describe("dashboard in Chromium", () => {
  test("signing in with Oura lands on the dashboard", async () => {
    fake.nextAuthorizeUser = USER;
    // Seed four nights (the third-last missing) before the first page load, so the charts have points to draw.
    await page.goto(`${base}/auth/login`);
    await page.waitForURL(`${base}/dashboard`);
    for (const [ago, score] of [[4, 65], [2, 71], [1, 84], [0, 79]] as const) {
      fake.putDocument(USER, "daily_sleep", { id: `ds-${ago}`, day: day(ago), score });
      await fetched(await notify("daily_sleep", `ds-${ago}`));
    }
    await page.reload();
    await expect(page.locator(".viewer").textContent()).resolves.toContain("Signed in as user-browser@example.com (operator)");
  }, 30_000);

  test("the sleep chart and card show the seeded nights: dates below, the value on hover and keyboard focus, the usual level, a gap for the missing night", async () => {
    const chart = page.locator("#chart-sleep");
    await expect(chart.getAttribute("data-points")).resolves.toBe("4");
    const values = await page.locator("#chart-sleep .pt").evaluateAll((points) => points.map((p) => Number(p.getAttribute("data-value"))));
    expect(values).toEqual([65, 71, 84, 79]);
    await expect(page.locator("#card-sleep .value").textContent()).resolves.toBe("79");
    // Dates on the axis (first, middle, last day of the range), as the wearer's days.
    const dates = await page.locator("#chart-sleep text.date").allTextContents();
    expect(dates).toHaveLength(3);
    const monthDay = (d: string) => `${["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][Number(d.slice(5, 7)) - 1]} ${Number(d.slice(8, 10))}`;
    expect(dates[2]).toBe(monthDay(day(0)));
    // Hover shows a point's value; so does keyboard focus (Tab reaches the points).
    const points = page.locator("#chart-sleep .pt");
    expect(await points.nth(1).locator(".tip").isVisible()).toBe(false);
    await points.nth(1).hover();
    expect(await points.nth(1).locator(".tip").isVisible()).toBe(true);
    expect(await points.nth(1).locator(".tip").textContent()).toBe(`${monthDay(day(2))}: 71`);
    await points.nth(3).focus();
    expect(await points.nth(3).locator(".tip").isVisible()).toBe(true);
    expect(await points.nth(3).getAttribute("aria-label")).toBe(`${monthDay(day(0))}: 79`);
    // The usual level: the 30-day median (of 65, 71, 84, 79: 75) drawn faintly.
    expect(await page.locator("#chart-sleep line.baseline title").textContent()).toBe("Your 30-day median: 75");
    // No line across the missing night: the path starts twice.
    expect((await page.locator("#chart-sleep path.line").getAttribute("d"))!.match(/M/g)).toHaveLength(2);
    await page.mouse.move(0, 0);
  });

  test("a delivered notification appears without reload within 1 s, then shows its fetched document", async () => {
    // The live socket is open once hx-ws has connected.
    await page.waitForFunction(() => document.documentElement.dataset.live === "connected", null, { timeout: 5000 });
    fake.putDocument(USER, "daily_readiness", { id: "dr-live", day: day(0), score: 88, contributors: { hrv_balance: 90 } });
    const marker = await page.evaluate(() => ((window as unknown as { marker: number }).marker = Math.random()));
    const started = performance.now();
    const id = await notify("daily_readiness", "dr-live");
    await page.waitForSelector(`#event-${id}`, { timeout: 1000 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1000);
    // Same page, no reload.
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(marker);
    await page.waitForSelector(`#event-${id}[data-status="fetched"]`, { timeout: 5000 });
    await page.click(`#event-${id} a`);
    // The detail opens in words; the JSON is below it, closed, and holds the fetched document.
    await page.waitForSelector("#detail .human-summary");
    expect(await page.locator("#detail .human-summary .detail-words").textContent()).toContain("Readiness 88");
    expect(await page.locator("#detail details.raw-json").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await page.locator("#detail .document").isVisible()).toBe(false);
    await page.click("#detail details.raw-json > summary");
    expect(await page.locator("#detail .document").textContent()).toContain('"score": 88');
    // The detail opens where the eye is: a dialog in the viewport, with its own URL and the focus inside it.
    await expectDetailInView(page, id);
    // Escape closes it, the URL loses the event, and the focus is back on the row that opened it.
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !(document.getElementById("detail-dialog") as HTMLDialogElement).open, null, { timeout: 2000 });
    // The dialog's close event (which restores the URL and the focus) follows its closing.
    await page.waitForFunction(() => !new URL(location.href).searchParams.has("event"), null, { timeout: 2000 });
    expect(await page.evaluate(() => document.activeElement?.closest("li")?.id)).toBe(`event-${id}`);
    // A readiness document arrived: the readiness card was refreshed in place.
    await page.waitForFunction(() => document.querySelector("#card-readiness .value")?.textContent === "88", null, { timeout: 5000 });
  }, 20_000);

  test("a night that arrives while the page is open is drawn in place (the latest night only)", async () => {
    expect(await page.locator("#night-title").textContent()).toBe("Last night");
    const start = new Date(Date.now() - 8 * 3_600_000);
    fake.putDocument(USER, "sleep", {
      id: "s-live",
      day: day(0),
      type: "long_sleep",
      bedtime_start: start.toISOString(),
      bedtime_end: new Date(start.getTime() + 7 * 3_600_000).toISOString(),
      total_sleep_duration: 6 * 3600,
      lowest_heart_rate: 49,
      sleep_phase_5_min: "4".repeat(6) + "2".repeat(30) + "1".repeat(24) + "3".repeat(24),
      heart_rate: { interval: 300, items: [55, 52, 49, 51, 53], timestamp: start.toISOString() },
    });
    await notify("sleep", "s-live");
    await page.waitForFunction(() => document.querySelector("#night-title")?.textContent?.startsWith("Last night ("), null, { timeout: 5000 });
    expect(await page.locator("#night-lowest").textContent()).toBe("49 bpm");
    expect(await page.locator("#night-heart-rate-lowest").textContent()).toContain("lowest 49 bpm");
  }, 15_000);

  test("a tab that was hidden catches up on what arrived meanwhile", async () => {
    const setHidden = (hidden: boolean) =>
      page.evaluate((value) => {
        Object.defineProperty(document, "hidden", { value, configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
      }, hidden);
    // hx-ws closes the socket while the tab is hidden.
    await setHidden(true);
    await page.waitForFunction(() => document.documentElement.dataset.live === "disconnected", null, { timeout: 2000 });
    // Arrives while no socket is open: never published to this page.
    fake.putDocument(USER, "workout", { id: "w-missed", day: day(0), activity: "walking" });
    const missed = await notify("workout", "w-missed");
    await Bun.sleep(300);
    expect(await page.locator(`#event-${missed}`).count()).toBe(0);
    await setHidden(false);
    await page.waitForSelector(`#event-${missed}`, { timeout: 5_000 });
  }, 20_000);

  test("while scrolled below the top of the feed, new rows are counted in an 'N new' button", async () => {
    // A short window, so the page can scroll past the top of the feed whatever its length.
    const size = page.viewportSize()!;
    await page.setViewportSize({ width: size.width, height: 300 });
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForFunction(() => (document.getElementById("feed")?.getBoundingClientRect().top ?? 0) < 0, null, { timeout: 2000 });
    fake.putDocument(USER, "tag", { id: "t-scroll", day: day(0) });
    await notify("tag", "t-scroll");
    await page.waitForSelector("#new-count:not([hidden])", { timeout: 2000 });
    expect(await page.locator("#new-count").textContent()).toBe("1 new");
    // Clicked where it is (Playwright's own scrolling would itself bring the feed back into view and reset it).
    await page.evaluate(() => document.getElementById("new-count")!.click());
    await page.waitForSelector("#new-count[hidden]", { state: "attached", timeout: 2000 });
    await page.setViewportSize(size);
  }, 20_000);

  test("'Subscribe to everything' creates every subscription at Oura and lists them", async () => {
    await page.click("text=Subscribe to everything");
    await page.waitForSelector("#subscriptions table caption", { timeout: 10_000 });
    expect(await page.locator("#subscriptions caption").textContent()).toBe("51 subscriptions at Oura");
    expect(await page.locator("#subscriptions [role=status]").textContent()).toContain("Created 51");
    // Delete one (after the confirmation dialog), from the same table.
    page.once("dialog", (dialog) => void dialog.accept());
    await page.locator("#subscriptions tbody tr").first().locator("text=Delete").click();
    await page.waitForFunction(() => document.querySelector("#subscriptions caption")?.textContent === "50 subscriptions at Oura", null, { timeout: 5000 });
    expect(fake.subscriptions.size).toBe(50);
  }, 20_000);

  test("no request left the machine", () => {
    expect(offServer).toEqual([]);
  });

  test("at phone width the detail fills the screen where the row was tapped, and its URL opens it again after a reload", async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 700 } });
    await watchPolicy(phone);
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${base}/dashboard`);
    const row = phone.locator("#feed li a").first();
    const id = Number(await row.getAttribute("data-event-id"));
    await row.scrollIntoViewIfNeeded();
    await row.click();
    await phone.waitForSelector("#detail .detail");
    await expectDetailInView(phone, id);
    const box = await phone.locator("#detail-dialog").boundingBox();
    expect(box!.width).toBeGreaterThanOrEqual(370);
    // The Close button, too, returns the focus to the row.
    await phone.click("#detail-close");
    expect(await phone.evaluate(() => (document.getElementById("detail-dialog") as HTMLDialogElement).open)).toBe(false);
    await phone.waitForFunction(() => !new URL(location.href).searchParams.has("event"), null, { timeout: 2000 });
    expect(await phone.evaluate(() => document.activeElement?.getAttribute("data-event-id"))).toBe(String(id));
    // Shared or reloaded, the URL opens the same detail.
    await phone.goto(`${base}/dashboard?event=${id}`);
    await expectDetailInView(phone, id);
    await phone.close();
  }, 20_000);

  test("in a browser in New York, times are New York's and say so; Oura's days stay as they are", async () => {
    const context = await browser.newContext({ timezoneId: "America/New_York", viewport: { width: 1280, height: 900 } });
    await context.addCookies(await page.context().cookies());
    const ny = await context.newPage();
    await watchPolicy(ny);
    await ny.goto(`${base}/dashboard`);
    await ny.waitForFunction(() => document.getElementById("tz-note")?.textContent?.includes("America/New_York"), null, { timeout: 3000 });
    expect(await ny.locator("#tz-note").textContent()).toMatch(/^Times in your time zone: America\/New_York \((EST|EDT)\)$/);
    const row = ny.locator("#feed li time").first();
    const iso = (await row.getAttribute("datetime"))!;
    const expected = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(new Date(iso));
    expect(await row.textContent()).toBe(expected);
    expect(await row.getAttribute("title")).toBe(`${new Date(iso).toISOString().replace("T", " ").slice(0, 19)} UTC`);
    const last = (await ny.locator("#last-event time").textContent())!;
    expect(last).toMatch(/ (EST|EDT)$/);
    // The chart's last date is today's Oura day, as on a UTC server: days are not shifted by the viewer's zone.
    const dates = await ny.locator("#chart-sleep text.date").allTextContents();
    expect(dates[2]).toBe((await page.locator("#chart-sleep text.date").nth(2).textContent()) ?? "");
    await context.close();
  }, 20_000);

  test("at phone width the page has no horizontal scroll", async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await watchPolicy(phone);
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${base}/dashboard`);
    // Measure once the fragments that load after the page (subscriptions table, summary) are in.
    await phone.waitForSelector("#subscriptions table", { timeout: 10_000 });
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.close();
  });

  test("/docs renders its operations with the network blocked to everything but this server", async () => {
    const docs = await browser.newPage();
    await watchPolicy(docs);
    const blocked: string[] = [];
    await docs.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.origin === base) return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
    await docs.goto(`${base}/docs`);
    await docs.waitForSelector(".opblock", { timeout: 10_000 });
    const operations = await docs.locator(".opblock").count();
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, object> };
    const declared = Object.values(spec.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    expect(operations).toBe(declared);
    expect(blocked).toEqual([]);
    await docs.close();
  }, 20_000);

  test("'Sign out' ends the session and goes back to the sign-in page (no inline handler)", async () => {
    expect(await page.locator("#sign-out").getAttribute("hx-on:htmx:after:request")).toBeNull();
    await page.click("text=Sign out");
    await page.waitForSelector("main.sign-in", { timeout: 5000 });
    expect(page.url()).toBe(`${base}/dashboard`);
    expect(await page.locator("#feed").count()).toBe(0);
  }, 20_000);

  test("the Content-Security-Policy was in force and refused nothing the dashboard, htmx or Swagger UI needed", async () => {
    const response = await fetch(`${base}/dashboard`);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(policyViolations).toEqual([]);
  });
});
