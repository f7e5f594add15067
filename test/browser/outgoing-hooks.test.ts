// "Outgoing webhooks" on the dashboard in Chromium, as a wearer uses it: the add form through htmx (several data
// types chosen, the session's CSRF token), the secret shown once, a delivery in the log, "send again", delete; and no
// serious or critical axe-core finding in the panel.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { axeFindings } from "../helpers/axe.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { startTestServer } from "../helpers/servers.ts";

const USER = "USER-HOOKS-BROWSER";
const fake = new FakeOura().start();
const received: { headers: Record<string, string>; body: string }[] = [];
const receiver = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async (request) => (received.push({ headers: request.headers.toJSON(), body: await request.text() }), new Response("ok")) });
let running: RunningServer;
let base: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  running = await startTestServer(
    { ...fake.env(), PORT: String(port), PUBLIC_URL: base, API_TOKEN: TEST_API_TOKEN, ALLOWED_EMAILS: "*@example.com", HOOKS_ALLOW_PRIVATE_ADDRESSES: "true" },
    { hooks: { intervalMs: 50 } },
  );
  browser = await launchChromium();
  page = await browser.newPage();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
  receiver.stop(true);
  fake.stop();
});

test("a wearer adds an endpoint, keeps its secret, sees the delivery, sends it again and deletes the endpoint", async () => {
  fake.nextAuthorizeUser = USER;
  await page.goto(`${base}/auth/login`);
  await page.waitForURL(`${base}/dashboard`);
  await page.click("#hooks-box > summary");
  await page.waitForSelector("#hook-url");
  await page.fill("#hook-url", `http://127.0.0.1:${receiver.port}/hook`);
  await page.selectOption("#hook-data-types", ["daily_sleep", "workout"]);
  await page.fill("#hook-description", "my phone");
  await page.click(".hook-form button[type=submit]");
  const secret = (await (await page.waitForSelector("#hook-secret", { timeout: 5000 })).textContent())!;
  expect(secret).toMatch(/^whsec_/);
  expect(await page.locator(".hook-list li").first().textContent()).toContain("workout, daily_sleep");

  fake.putDocument(USER, "daily_sleep", { id: "browser-1", day: "2026-12-01", score: 80 });
  await fake.deliver(`${base}/webhooks`, { event_type: "create", data_type: "daily_sleep", object_id: "browser-1", event_time: new Date().toISOString(), user_id: USER });
  await waitFor(() => received.length === 1 || undefined, 5000, "the delivery");
  expect(new Webhook(secret).verify(received[0]!.body, received[0]!.headers)).toMatchObject({ type: "daily_sleep.create", data: { user_id: USER } });

  await page.click("text=Delivery log");
  await page.waitForSelector(".delivery-log", { timeout: 5000 });
  await waitFor(async () => ((await page.locator(".delivery-log tbody tr").first().textContent()) ?? "").includes("delivered") || (await page.click("text=Delivery log"), undefined), 5000, "delivered in the log");
  // The panel with its form, the secret, the list and an open delivery log: no serious or critical axe-core finding.
  expect((await axeFindings(page, "#hooks")).join("\n")).toBe("");
  await page.click("text=Send again");
  await page.waitForSelector("text=will be sent again", { timeout: 5000 });
  await waitFor(() => received.length === 2 || undefined, 5000, "the delivery sent again");
  expect(received[1]!.headers["webhook-id"]).toBe(received[0]!.headers["webhook-id"]);

  page.once("dialog", (dialog) => void dialog.accept());
  await page.click(".hook-list button:has-text('Delete')");
  await page.waitForSelector("text=No endpoint yet.", { timeout: 5000 });
}, 60_000);
