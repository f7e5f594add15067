// `npm run screenshots`: pictures of the server's pages into test-output/screenshots/ (the tests check the pages; this
// only shows them, so no test pays for a picture). Each scene runs a real server in-process against a fake: the
// built-in fake Oura (no account, no network) or, for the warehouse strip, the tests' fake Databricks.
//   first-look-*            the OAuth error page and the empty dashboard, light and dark, at 375 and 1280 px
//   dashboard-signed-in     a signed-in operator's dashboard with two weeks of sample data, full page, 1280 px
//   dashboard-live-detail   a notification that just arrived live, opened in the detail dialog
//   dashboard-subscriptions the account section after "Subscribe to everything"
//   dashboard-phone         the same dashboard at 375 px, full page; dashboard-phone-detail: an event opened there
//   docs                    /docs (Swagger UI)
//   dashboard-history-import-progress, dashboard-history-import: "Import the last 90 days" under way, then done (full page)
//   warehouse-strip-ok, warehouse-strip-failing(-375): the status strip's warehouse entry, shipping and failing
//   readme-dashboard        `npm run demo` as a newcomer runs it, signed in, 1100 × 1500, light: the README's picture
// Every picture waits for what it shows (a selector, the live socket's state), never for a fixed time.
// `npm run screenshots -- --readme` takes only the README's picture, into docs/dashboard.png.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { FakeOura } from "../src/demo/fake-oura.ts";
import { dayOf, documentsForDay } from "../src/demo/sample-data.ts";
import { silentLogger } from "../src/log.ts";
import { startServer } from "../src/server.ts";
import { FakeDatabricks } from "../test/fake-databricks.ts";
import { launchChromium } from "../test/helpers/chromium.ts";
import { TEST_API_TOKEN, testConfig } from "../test/helpers/config.ts";
import { deliver, sampleNotification } from "../test/helpers/notifications.ts";
import { freePort, waitFor } from "../test/helpers/ports.ts";
import { REPO_ROOT, tempDir } from "../test/helpers/servers.ts";

const OUT = join(import.meta.dir, "..", "test-output", "screenshots");
mkdirSync(OUT, { recursive: true });
const DAY_MS = 86_400_000;

/** A picture of a page (its viewport, or all of it) or of one element. */
async function shot(target: Page | Locator, name: string, fullPage = false): Promise<void> {
  const file = join(OUT, `${name}.png`);
  if ("goto" in target) await target.screenshot({ path: file, fullPage });
  else await target.screenshot({ path: file });
  console.log(file);
}

/**
 * The dashboard has finished loading: the live socket is open, and the fragments it asks for after the page (history,
 * invitations, subscriptions and their summary) have replaced their placeholders.
 */
async function dashboardSettled(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      document.documentElement.dataset.live === "connected" &&
      document.querySelector('[hx-trigger="load"][hx-swap="outerHTML"]:not(#panels-refresh *)') === null &&
      (document.getElementById("subscription-expiry")?.textContent ?? "").trim() !== "…" &&
      !(document.getElementById("subscriptions")?.textContent ?? "").includes("Loading subscriptions"),
    null,
    { timeout: 10_000 },
  );
}

/** The event detail dialog is open and shows its document in words (the JSON is below it, closed). */
async function detailOpen(page: Page): Promise<void> {
  await page.waitForFunction(() => (document.getElementById("detail-dialog") as HTMLDialogElement | null)?.open === true, null, { timeout: 5000 });
  await page.waitForSelector("#detail .human-summary", { timeout: 5000 });
}

/** Signs in through Oura (the fake's authorize page answers at once) as `user`; the server links the account. */
async function signInWithOura(page: Page, fake: FakeOura, base: string, user: string): Promise<void> {
  fake.nextAuthorizeUser = user;
  await page.goto(`${base}/auth/login`);
  await page.waitForURL(`${base}/dashboard`);
}

/** The OAuth error page and the empty dashboard, light and dark, phone and laptop: what a newcomer meets first. */
async function firstLook(browser: Browser): Promise<void> {
  const fake = new FakeOura().start();
  const server = await startServer(testConfig({ ...fake.env(), API_TOKEN: TEST_API_TOKEN, PORT: "0" }), silentLogger);
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
          await shot(page, `first-look-${name}-${scheme}-${width}`, true);
        }
        await context.close();
      }
    }
  } finally {
    await server.stop();
    fake.stop();
  }
}

/** An operator's dashboard with two weeks of sample data: full page, a live event's detail, subscriptions, phone, /docs. */
async function dashboardWithData(browser: Browser): Promise<void> {
  const user = "USER-SAMPLE";
  const email = "sample@example.com";
  const fake = new FakeOura().start();
  fake.addUser(user, email);
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(
    testConfig({ ...fake.env(), PORT: String(port), PUBLIC_URL: base, API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: join(tempDir("oura-screenshots-"), "dashboard.db"), ALLOWED_EMAILS: "*@example.com", OPERATOR_EMAILS: email }),
    silentLogger,
  );
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const notify = async (dataType: string, objectId: string, eventType: "create" | "update") => {
      const response = await fake.deliver(`${base}/webhooks`, { event_type: eventType, data_type: dataType, object_id: objectId, event_time: new Date().toISOString(), user_id: user });
      if (response.status !== 201) throw new Error(`the server refused a notification: HTTP ${response.status}`);
      return ((await response.json()) as { id: number }).id;
    };
    const fetched = (id: number) =>
      waitFor(
        async () => {
          const event = (await (await fetch(`${base}/events/${id}`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).json()) as { fetch_status: string };
          return event.fetch_status === "fetched" || undefined;
        },
        10_000,
        `event ${id} to be fetched`,
      );

    const page = await context.newPage();
    // Signed in first: the account is linked, so the server can fetch what the notifications name.
    await signInWithOura(page, fake, base, user);
    const ids: number[] = [];
    for (let ago = 13; ago >= 0; ago--) {
      for (const { path, dataType, document } of documentsForDay(dayOf(ago * DAY_MS))) {
        fake.putDocument(user, path, document);
        ids.push(await notify(dataType, document.id, "create"));
      }
    }
    for (const id of ids) await fetched(id);

    await page.goto(`${base}/dashboard`);
    await dashboardSettled(page);
    await page.waitForFunction(() => Number(document.getElementById("chart-sleep")?.getAttribute("data-points")) > 0, null, { timeout: 5000 });
    await shot(page, "dashboard-signed-in", true);

    // Today's readiness is revised (as Oura does during the day): the row arrives live, and its detail opens.
    const revised = documentsForDay(dayOf(0), 1).find((d) => d.path === "daily_readiness")!;
    fake.putDocument(user, revised.path, revised.document);
    const live = await notify(revised.dataType, revised.document.id, "update");
    await page.waitForSelector(`#event-${live}[data-status="fetched"]`, { timeout: 5000 });
    await page.click(`#event-${live} a`);
    await detailOpen(page);
    await shot(page, "dashboard-live-detail");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !(document.getElementById("detail-dialog") as HTMLDialogElement).open, null, { timeout: 5000 });

    await page.click("text=Subscribe to everything");
    await page.waitForSelector("#subscriptions table caption", { timeout: 10_000 });
    await shot(page.locator("section.account"), "dashboard-subscriptions");

    const phoneContext = await browser.newContext({ viewport: { width: 375, height: 800 } });
    try {
      await phoneContext.addCookies(await context.cookies());
      const phone = await phoneContext.newPage();
      await phone.goto(`${base}/dashboard`);
      await dashboardSettled(phone);
      await phone.waitForSelector("#subscriptions table", { timeout: 10_000 });
      await shot(phone, "dashboard-phone", true);
      const row = phone.locator("#feed li a").first();
      await row.scrollIntoViewIfNeeded();
      await row.click();
      await detailOpen(phone);
      await shot(phone, "dashboard-phone-detail");
    } finally {
      await phoneContext.close();
    }

    await page.goto(`${base}/docs`);
    await page.waitForSelector(".opblock", { timeout: 10_000 });
    await shot(page, "docs");
  } finally {
    await context.close();
    await server.stop();
    fake.stop();
  }
}

/** A new user's "Import the last 90 days": the progress bar under way, then the import done and the charts filled. */
async function historyImport(browser: Browser): Promise<void> {
  const user = "USER-HISTORY";
  // Pages of ten, each answered after 250 ms: the import takes several seconds, so the bar is caught midway.
  const fake = new FakeOura({ pageSize: 10, documentDelayMs: 250 }).start();
  const types = ["daily_sleep", "daily_readiness", "daily_activity"];
  for (let ago = 89; ago >= 0; ago--) {
    for (const { path, document } of documentsForDay(dayOf(ago * DAY_MS))) if (types.includes(path)) fake.putDocument(user, path, document);
  }
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(
    testConfig({ ...fake.env(), PORT: String(port), PUBLIC_URL: base, API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: join(tempDir("oura-screenshots-"), "history.db"), ALLOWED_EMAILS: "*@example.com", POLL_DATA_TYPES: types.join(",") }),
    silentLogger,
  );
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await signInWithOura(page, fake, base, user);
    const offer = page.getByRole("button", { name: "Import the last 90 days" });
    await offer.waitFor({ timeout: 5000 });
    await page.waitForFunction(() => document.documentElement.dataset.live === "connected", null, { timeout: 5000 });
    await offer.click();
    // The panel refreshes itself every second while the import runs.
    await page.waitForFunction(
      () => {
        const value = Number(document.querySelector("#history progress")?.getAttribute("value"));
        return value > 0 && value < 100;
      },
      null,
      { timeout: 30_000 },
    );
    await shot(page, "dashboard-history-import-progress");
    await page.waitForSelector("#history .backfill.done", { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector("#chart-sleep")?.getAttribute("data-points") === "7", null, { timeout: 10_000 });
    await shot(page, "dashboard-history-import", true);
  } finally {
    await context.close();
    await server.stop();
    fake.stop();
  }
}

/** The status strip's warehouse entry: shipping to (fake) Databricks, then failing while the workspace is unreachable. */
async function warehouseStrip(browser: Browser): Promise<void> {
  const fake = new FakeDatabricks().start();
  // The entry refreshes every 300 ms (5 s in production) and the shipper looks every 100 ms, as in the strip's test.
  const server = await startServer(
    testConfig({ ...fake.env(), APP_SECRET_KEY: "screenshots-app-secret-key-0123456789", API_TOKEN: TEST_API_TOKEN, DATABASE_PATH: join(tempDir("oura-screenshots-"), "warehouse.db") }),
    silentLogger,
    { dashboardRefreshMs: 300, shipper: { intervalMs: 100, retryBaseMs: 100 } },
  );
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const base = server.url.origin;
    await waitFor(() => fake.table("main.oura.events") || undefined, 10_000, "the Delta tables to be made");
    for (let i = 0; i < 5; i++) await deliver(server.url, sampleNotification());
    await waitFor(() => fake.rows("main.oura.events").length === 5 || undefined, 10_000, "5 rows in Delta");

    const page = await context.newPage();
    await page.goto(`${base}/dashboard`);
    await page.fill("#token", TEST_API_TOKEN);
    await Promise.all([page.waitForURL(`${base}/dashboard`, { waitUntil: "load" }), page.click("button:has-text('Sign in with token')")]);
    const entryReads = (accept: string) =>
      page.waitForFunction((text) => (document.getElementById("warehouse-status")?.textContent ?? "").replace(/\s+/g, " ").includes(text), accept, { timeout: 15_000 });
    await entryReads("all shipped, last shipped");
    await shot(page, "warehouse-strip-ok");

    fake.setOff();
    for (let i = 0; i < 12; i++) await deliver(server.url, sampleNotification());
    await page.waitForFunction(() => /^failing, 12 waiting .*cannot reach/.test((document.getElementById("warehouse-status")?.textContent ?? "").replace(/\s+/g, " ").trim()), null, { timeout: 15_000 });
    await shot(page, "warehouse-strip-failing");

    const phone = await context.newPage();
    await phone.setViewportSize({ width: 375, height: 800 });
    await phone.goto(`${base}/dashboard`);
    // On a phone the server's status is one closed line: tapped open, as a person would.
    await phone.click("details#server > summary");
    await phone.waitForSelector("#warehouse-status .state.bad", { timeout: 5000 });
    await phone.locator("#warehouse-status").scrollIntoViewIfNeeded();
    await shot(phone, "warehouse-strip-failing-375");
    // Back on before stopping, so the server's shutdown finds the workspace it ships to.
    fake.setOn();
  } finally {
    await context.close();
    await server.stop();
    fake.stop();
  }
}

/**
 * The README's picture: `bun src/main.ts demo` in a child process, as a newcomer runs it (30 days of the sample person
 * arrive as signed notifications, then one a few seconds), "Sign in with Oura" pressed, the page loaded again once
 * today's documents are in: the first 1500 px of the dashboard at 1100 px, light.
 */
async function readmeDashboard(browser: Browser, file: string): Promise<void> {
  const port = freePort();
  const demo = Bun.spawn([process.execPath, "src/main.ts", "demo", "--rate", "0.2", "--port", String(port), "--database", join(tempDir("oura-screenshots-"), "demo.db")], {
    cwd: REPO_ROOT,
    // The demo's own settings only: a DATABASE_PATH or OPERATOR_EMAILS of this shell must not shape the picture.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" },
    stdout: "pipe",
    stderr: "inherit",
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 1500 }, colorScheme: "light" });
  try {
    const reader = demo.stdout.getReader();
    let printed = "";
    while (!printed.includes("/dashboard")) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`the demo stopped before printing its address: ${printed}`);
      printed += new TextDecoder().decode(value);
    }
    const base = `http://127.0.0.1:${port}`;
    const page = await context.newPage();
    await page.goto(`${base}/dashboard`);
    await page.click("text=Sign in with Oura");
    await page.waitForSelector("#today", { timeout: 10_000 });
    // History arrives oldest first: once today's night and scores are drawn, the days before them are in too. (The
    // night is drawn with the page, so the page is loaded again until it shows today's.)
    const today = dayOf(0);
    await waitFor(
      async () => {
        await page.goto(`${base}/dashboard`);
        return page.evaluate(
          (day) => (document.getElementById("night")?.dataset.day === day && document.getElementById("chart-sleep")?.getAttribute("data-points") === "7" && document.querySelectorAll(".contributor-list").length === 3) || undefined,
          today,
        );
      },
      60_000,
      "today's night and scores from the demo",
    );
    await dashboardSettled(page);
    await shot(page, "readme-dashboard");
    if (file !== join(OUT, "readme-dashboard.png")) {
      copyFileSync(join(OUT, "readme-dashboard.png"), file);
      console.log(file);
    }
  } finally {
    await context.close();
    demo.kill("SIGTERM");
    await demo.exited;
  }
}

const browser = await launchChromium();
try {
  if (process.argv.includes("--readme")) {
    await readmeDashboard(browser, join(REPO_ROOT, "docs", "dashboard.png"));
  } else {
    await firstLook(browser);
    await dashboardWithData(browser);
    await historyImport(browser);
    await warehouseStrip(browser);
    await readmeDashboard(browser, join(OUT, "readme-dashboard.png"));
  }
} finally {
  await browser.close();
}
