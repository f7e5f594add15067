// The operator's "Retry failed fetches" button in Chromium: the click goes through htmx with the session's CSRF token,
// the note says how many fetches were queued again, and the failed document is then fetched.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { TEST_API_TOKEN } from "../helpers/config.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { startTestServer } from "../helpers/servers.ts";

const USER = "USER-RETRY";
const fake = new FakeOura().start();
const bearer = { authorization: `Bearer ${TEST_API_TOKEN}` };
let running: RunningServer;
let base: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  running = await startTestServer({ ...fake.env(), PORT: String(port), PUBLIC_URL: base, API_TOKEN: TEST_API_TOKEN, ALLOWED_EMAILS: "*@example.com", OPERATOR_EMAILS: "user-retry@example.com" });
  browser = await launchChromium();
  page = await browser.newPage();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
  fake.stop();
});

const fetchStatus = async (id: number) => ((await (await fetch(`${base}/events/${id}`, { headers: bearer })).json()) as { fetch_status: string }).fetch_status;

test("an operator's click queues the failed fetch again, says so, and the document is fetched", async () => {
  fake.nextAuthorizeUser = USER;
  await page.goto(`${base}/auth/login`);
  await page.waitForURL(`${base}/dashboard`);
  fake.putDocument(USER, "daily_sleep", { id: "retry-1", day: "2026-12-01", score: 77 });
  fake.forcedResponses.push({ status: 403 });
  const response = await fake.deliver(`${base}/webhooks`, { event_type: "create", data_type: "daily_sleep", object_id: "retry-1", event_time: new Date().toISOString(), user_id: USER });
  const id = ((await response.json()) as { id: number }).id;
  await waitFor(async () => (await fetchStatus(id)) === "failed" || undefined, 5_000, "the refused fetch");

  await page.reload();
  await page.click("#retry-failed");
  await page.waitForFunction(() => document.getElementById("retry-failed-note")?.textContent === "1 fetch queued again", null, { timeout: 5_000 });
  await waitFor(async () => (await fetchStatus(id)) === "fetched" || undefined, 5_000, "the retried fetch");
  await page.click("#retry-failed");
  await page.waitForFunction(() => document.getElementById("retry-failed-note")?.textContent === "no failed fetch to retry", null, { timeout: 5_000 });
  expect(await page.locator("#retry-failed-note").textContent()).toBe("no failed fetch to retry");
}, 60_000);
