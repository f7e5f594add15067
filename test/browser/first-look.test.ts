// A newcomer's first look, in headless Chromium (issue 13): no 404 and no console error on any page, a favicon, the
// primary button readable in both colour schemes (contrast computed from the rendered colours), "Sign out" only for a
// browser session, the empty feed's hint naming this server's real address, and the OAuth error page styled like the rest.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { sampleNotification } from "../helpers/notifications.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";

const USER = "USER-FIRST-LOOK";
const OAUTH_ERRORS = ["/auth/callback?error=access_denied", "/auth/callback?code=x&state=wrong"];
const SCHEMES = ["light", "dark"] as const;

const fake = new FakeOura().start();
let browser: Browser;
/** Oura sign-in configured (the fake Oura) and an API token: every page a newcomer can reach. */
let oura: RunningServer;
let base: string;
const contexts: BrowserContext[] = [];
const servers: RunningServer[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  oura = await startTestServer({ ...fake.env(), API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: join(tempDir(), "first-look.db") });
  servers.push(oura);
  base = origin(oura);
}, 300_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  for (const server of servers) await server.stop();
  fake.stop();
});

function origin(server: RunningServer): string {
  return `http://127.0.0.1:${server.server.port}`;
}

async function newContext(options: Parameters<Browser["newContext"]>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  // Every wait well inside a test's 30 s: a test that times out has its browser killed under the next ones.
  context.setDefaultTimeout(8000);
  context.setDefaultNavigationTimeout(8000);
  contexts.push(context);
  return context;
}

/** Everything that went wrong as seen from a page: console errors, uncaught exceptions, failed requests, answers ≥ 400. */
interface Problems {
  list: string[];
  /**
   * Chromium's own console line for a document answered with an error status ("Failed to load resource: the server
   * responded with a status of 400"): kept apart, so a test can tell a page that means its 400 from a real problem.
   */
  documentStatusLines: { url: string; text: string }[];
  /** The status each main-frame navigation was answered with, in order. */
  documents: { url: string; status: number }[];
}

function watch(page: Page): Problems {
  const problems: Problems = { list: [], documentStatusLines: [], documents: [] };
  countRequests(page);
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const source = message.location().url;
    if (source === page.url() && /^Failed to load resource: the server responded with a status of \d+/.test(message.text())) {
      problems.documentStatusLines.push({ url: source, text: message.text() });
      return;
    }
    problems.list.push(`console error on ${page.url()}: ${message.text()} (${source})`);
  });
  page.on("pageerror", (error) => problems.list.push(`uncaught on ${page.url()}: ${error.message}`));
  page.on("requestfailed", (request) => {
    if (!page.isClosed()) problems.list.push(`failed ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on("response", (response) => {
    const request = response.request();
    // A page's own document is checked against the status it should have (the OAuth error page is a 400 by design).
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      problems.documents.push({ url: response.url(), status: response.status() });
      return;
    }
    if (response.status() >= 400) problems.list.push(`${request.method()} ${response.url()}: HTTP ${response.status()}`);
  });
  return problems;
}

/** Requests a page has sent and not yet seen answered or failed (its WebSocket is not one: see settle). */
const inFlight = new WeakMap<Page, number>();

function countRequests(page: Page): void {
  inFlight.set(page, 0);
  const change = (by: number) => () => inFlight.set(page, (inFlight.get(page) ?? 0) + by);
  page.on("request", change(1));
  page.on("requestfinished", change(-1));
  page.on("requestfailed", change(-1));
}

/**
 * Waits until the page has loaded everything it asks for by itself: loaded, its live socket connected (a dashboard),
 * and no request of its own still open — twice in a row 50 ms apart, as an htmx fragment that arrives can ask for
 * another. Explicit conditions, not networkidle's half second of silence.
 */
async function settle(page: Page) {
  await page.waitForLoadState("load");
  if ((await page.locator("[hx-ws\\:connect]").count()) > 0) await page.waitForFunction(() => document.documentElement.dataset.live === "connected");
  for (let quiet = 0; quiet < 2; ) {
    await Bun.sleep(50);
    quiet = inFlight.get(page) === 0 ? quiet + 1 : 0;
  }
}

/** Signs in through the dashboard's API-token form, as a person would, and waits for the dashboard. */
async function signInWithToken(page: Page, at: string) {
  await page.goto(`${at}/dashboard`);
  await page.fill("#token", TEST_API_TOKEN);
  await Promise.all([page.waitForURL(`${at}/dashboard`), page.click("text=Sign in with token")]);
  await page.waitForSelector("#feed", { state: "attached", timeout: 5000 });
}

/**
 * The page's favicon: a `<link rel="icon">` in the head, answering 200 with an image that decodes. `linkOptional`: for
 * /docs (Swagger UI's own page, not our Layout), which names no icon, the browser's /favicon.ico must answer instead.
 */
async function expectIcon(page: Page, linkOptional = false) {
  const links = page.locator('head link[rel~="icon"]');
  const count = await links.count();
  if (!linkOptional) expect(count, `no <link rel="icon"> in the head of ${page.url()}`).toBeGreaterThan(0);
  const href = count > 0 ? await links.first().getAttribute("href") : "/favicon.ico";
  expect(href, `an empty icon link on ${page.url()}`).toBeTruthy();
  const iconUrl = new URL(href!, page.url()).href;
  const answer = await page.request.get(iconUrl);
  expect(answer.status(), iconUrl).toBe(200);
  expect(answer.headers()["content-type"] ?? "", iconUrl).toMatch(/^image\//);
  // Decodes as an image in the page itself (under the page's Content-Security-Policy).
  const width = await page.evaluate(async (src) => {
    const image = new Image();
    image.src = src;
    await image.decode();
    return image.naturalWidth;
  }, iconUrl);
  expect(width).toBeGreaterThan(0);
}

type Rgba = [number, number, number, number];

function parseColor(css: string): Rgba {
  const match = css.match(/^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/);
  if (!match) throw new Error(`not an rgb() colour: ${css}`);
  const alpha = match[4] === undefined ? 1 : match[4].endsWith("%") ? Number(match[4].slice(0, -1)) / 100 : Number(match[4]);
  return [Number(match[1]), Number(match[2]), Number(match[3]), alpha];
}

/** `top` painted over an opaque `bottom`. */
function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i]! * a + bottom[i]! * (1 - a)).concat(1) as Rgba;
}

/** WCAG 2 relative luminance of an opaque sRGB colour. */
function luminance([r, g, b]: Rgba): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

function contrast(a: Rgba, b: Rgba): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The rendered text and background colours of the first element matching `selector`, and the body's background. */
async function colorsOf(page: Page, selector: string) {
  await page.waitForSelector(selector);
  return page.locator(selector).first().evaluate((el) => {
    const style = getComputedStyle(el);
    return { color: style.color, background: style.backgroundColor, page: getComputedStyle(document.body).backgroundColor, html: getComputedStyle(document.documentElement).backgroundColor };
  });
}

/** Text-on-button contrast as painted: the button's background over the page's, the text over that. */
function buttonContrast(colors: { color: string; background: string; page: string; html: string }) {
  const html = parseColor(colors.html);
  const canvas = html[3] === 0 ? parseColor("rgb(255, 255, 255)") : over(html, parseColor("rgb(255, 255, 255)"));
  const pageBackground = over(parseColor(colors.page), canvas);
  const background = over(parseColor(colors.background), pageBackground);
  const text = over(parseColor(colors.color), background);
  return contrast(text, background);
}

describe("a newcomer's first look", () => {
  test("no 404 and no console error on any page, and every page names a favicon that answers", async () => {
    // One signed notification, so there is an event page to open.
    fake.putDocument(USER, "daily_sleep", { id: "first-look-sleep", day: new Date().toISOString().slice(0, 10), score: 80 });
    const delivered = await fake.deliver(`${base}/webhooks`, sampleNotification({ user_id: USER, object_id: "first-look-sleep" }));
    expect(delivered.status).toBeLessThan(300);
    const { id } = (await delivered.json()) as { id: number };
    expect(id).toBeGreaterThan(0);

    const context = await newContext();
    const page = await context.newPage();
    const problems = watch(page);
    const visited: string[] = [];
    const visit = async (path: string, expectedStatus: number, ready?: string, iconLinkOptional = false) => {
      const response = await page.goto(`${base}${path}`);
      expect(response?.status(), path).toBe(expectedStatus);
      if (ready) await page.waitForSelector(ready, { state: "attached", timeout: 10_000 });
      await settle(page);
      await expectIcon(page, iconLinkOptional);
      visited.push(path);
    };

    await visit("/dashboard", 200, "main.sign-in");
    for (const path of OAUTH_ERRORS) await visit(path, 400, "main .button.primary");
    await signInWithToken(page, base);
    await settle(page);
    await expectIcon(page);
    visited.push("/dashboard (signed in)");
    await visit(`/dashboard/events/${id}`, 200, "main.detail-panel");
    await visit("/docs", 200, ".opblock", true);

    // The browser's own favicon request, whether or not this Chromium makes it itself.
    const ico = await page.request.get(`${base}/favicon.ico`);
    expect(ico.status()).toBe(200);
    expect(ico.headers()["content-type"] ?? "").toMatch(/^image\//);

    expect(visited).toHaveLength(6);
    // Every navigation answered as the page meant to: nothing but the OAuth error pages is a 4xx.
    expect(problems.documents.filter((d) => d.status >= 400).map((d) => new URL(d.url).pathname + new URL(d.url).search)).toEqual(OAUTH_ERRORS);
    // The OAuth error pages' 400 is their contract (test/helpers/fuzz/checks.ts); Chromium reports it as a console error about
    // the document itself, and that is the only console error allowed: exactly one per OAuth error page, nothing else.
    expect(problems.documentStatusLines.map((l) => [new URL(l.url).pathname + new URL(l.url).search, l.text.match(/status of (\d+)/)?.[1]])).toEqual(
      OAUTH_ERRORS.map((path) => [path, "400"]),
    );
    expect(problems.list).toEqual([]);
  }, 30_000);

  test("the primary button's text has at least 4.5:1 contrast in both colour schemes", async () => {
    const context = await newContext();
    const page = await context.newPage();
    const measured: Record<string, number> = {};
    const backgrounds: Record<string, string> = {};
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, path] of [["sign-in", "/dashboard"], ["oauth-error", OAUTH_ERRORS[0]!]] as const) {
        await page.goto(`${base}${path}`);
        expect(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches)).toBe(scheme === "dark");
        const colors = await colorsOf(page, ".button.primary");
        measured[`${name} ${scheme}`] = buttonContrast(colors);
        backgrounds[`${name} ${scheme}`] = colors.background;
      }
    }
    // The schemes really differ (otherwise "dark" measured the light button twice).
    expect(backgrounds["sign-in dark"]).not.toBe(backgrounds["sign-in light"]);
    for (const [where, ratio] of Object.entries(measured)) expect(ratio, `${where}: ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(4.5);
  }, 30_000);

  test("'Sign out' is shown only to a browser session", async () => {
    // No credentials at all: open access on loopback, nobody to sign out.
    const open = await startTestServer({});
    servers.push(open);
    const openPage = await (await newContext()).newPage();
    await openPage.goto(`${origin(open)}/dashboard`);
    await openPage.waitForSelector("#feed", { state: "attached", timeout: 5000 });
    expect(await openPage.locator("main.sign-in").count()).toBe(0);
    expect(await openPage.locator("#sign-out").count()).toBe(0);
    expect(await openPage.getByText("Sign out").count()).toBe(0);

    // The API token in an Authorization header: a request's credential, not a session.
    const bearer = await newContext();
    await bearer.setExtraHTTPHeaders({ authorization: `Bearer ${TEST_API_TOKEN}` });
    const bearerPage = await bearer.newPage();
    await bearerPage.goto(`${base}/dashboard`);
    await bearerPage.waitForSelector("#feed", { state: "attached", timeout: 5000 });
    expect(await bearerPage.locator("#sign-out").count()).toBe(0);
    expect(await bearerPage.getByText("Sign out").count()).toBe(0);

    // Signed in through the API-token form: a session, which "Sign out" ends.
    const sessionPage = await (await newContext()).newPage();
    await signInWithToken(sessionPage, base);
    expect(await sessionPage.locator("#sign-out").count()).toBe(1);
    await expect(sessionPage.locator("#sign-out button").isVisible()).resolves.toBe(true);
  }, 30_000);

  test("the empty feed's hint names this server's real address and port, and suggests send-test first", async () => {
    const fresh = await startTestServer({ API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: join(tempDir(), "empty.db") });
    servers.push(fresh);
    const port = fresh.server.port;
    expect(port).not.toBe(8000);
    const page = await (await newContext()).newPage();
    await signInWithToken(page, origin(fresh));
    const hint = page.locator("#empty-feed");
    await expect(hint.isVisible()).resolves.toBe(true);
    const text = (await hint.textContent()) ?? "";
    const command = `npx bun src/main.ts send-test --url http://127.0.0.1:${port}/webhooks`;
    expect(text).toContain(command);
    expect(text).toContain(`oura-streaming send-test --url http://127.0.0.1:${port}/webhooks`);
    expect(text).not.toContain(":8000");
    // send-test comes before the by-hand openssl recipe.
    const byHand = text.indexOf("openssl");
    expect(byHand === -1 || text.indexOf(command) < byHand).toBe(true);
  }, 30_000);

  test("the OAuth error page is styled like the dashboard", async () => {
    const page = await (await newContext()).newPage();
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${base}/dashboard`);
      const signInButton = await colorsOf(page, ".button.primary");
      const dashboardFont = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
      const dashboardBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);

      for (const path of OAUTH_ERRORS) {
        await page.goto(`${base}${path}`);
        expect(await page.locator('head link[rel="stylesheet"][href="/static/dashboard.css"]').count(), path).toBe(1);
        // The stylesheet actually applied (it loaded, and the page is not the browser's default white on black).
        expect(await page.evaluate(() => Array.from(document.styleSheets).some((s) => s.href?.endsWith("/static/dashboard.css") && s.cssRules.length > 0))).toBe(true);
        const button = await colorsOf(page, ".button.primary");
        expect(parseColor(button.background)[3], `${path} ${scheme}: ${button.background}`).toBe(1);
        expect(button.background, `${path} ${scheme}`).toBe(signInButton.background);
        expect(button.color, `${path} ${scheme}`).toBe(signInButton.color);
        expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily), `${path} ${scheme}`).toBe(dashboardFont);
        expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), `${path} ${scheme}`).toBe(dashboardBackground);
      }
    }
    // And the signed-in dashboard uses that same font.
    const signedIn = await (await newContext()).newPage();
    await signInWithToken(signedIn, base);
    await signedIn.goto(`${base}${OAUTH_ERRORS[0]}`);
    const errorFont = await signedIn.evaluate(() => getComputedStyle(document.body).fontFamily);
    await signedIn.goto(`${base}/dashboard`);
    expect(await signedIn.evaluate(() => getComputedStyle(document.body).fontFamily)).toBe(errorFont);
  }, 30_000);

  test("the OAuth error page and the empty dashboard fit the screen, light and dark, at 375 and 1280 px", async () => {
    // (The README's screenshots come from `npm run screenshots`, not from this test.)
    const fresh = await startTestServer({ ...fake.env(), API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: join(tempDir(), "shots.db") });
    servers.push(fresh);
    const at = origin(fresh);
    const session = await newContext();
    await signInWithToken(await session.newPage(), at);
    const cookies = await session.cookies();
    for (const width of [375, 1280]) {
      for (const scheme of SCHEMES) {
        const context = await newContext({ viewport: { width, height: 800 }, colorScheme: scheme });
        await context.addCookies(cookies);
        const page = await context.newPage();
        for (const [name, path] of [["oauth-error", OAUTH_ERRORS[0]!], ["empty-dashboard", "/dashboard"]] as const) {
          await page.goto(`${at}${path}`);
          // The page's own last piece, not a quiet network: the feed's hint (dashboard) or the error note.
          await page.waitForSelector(name === "empty-dashboard" ? "#empty-feed" : "p.error");
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow, `${name} ${scheme} ${width}px`).toBeLessThanOrEqual(0);
        }
        await context.close();
      }
    }
  }, 30_000);
});
