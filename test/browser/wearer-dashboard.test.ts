// A wearer's dashboard in headless Chromium (issue 21), as a wearer in New York sees it on a phone (375 × 812) and a
// laptop (1280 × 800), light and dark: today's scores and their change in the first screen, contributors with their
// values in words, the night's totals and lowest heart rate, every data type rendered from realistic documents (Oura's
// OpenAPI 1.37 shapes, nulls included, imported by the server from the fake Oura), the feed in words, the drawer's
// summary before its JSON, no text under 11 px, and no serious or critical axe-core finding on any page or state.
import { signInWithOura } from "../helpers/sign-in.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { dayOf, documentsForDay } from "../../src/demo/sample-data.ts";
import type { RunningServer } from "../../src/server.ts";
import { FakeOura } from "../fake-oura.ts";
import * as oura from "../fixtures/oura-documents.ts";
import { axeFindings } from "../helpers/axe.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { startTestServer, tempDir } from "../helpers/servers.ts";

const USER = "USER-NEW-YORK";
const DAY_MS = 86_400_000;
const TYPES = "daily_sleep,daily_readiness,daily_activity,sleep,workout,session,daily_stress,daily_resilience,daily_spo2,daily_cardiovascular_age,vo2_max,enhanced_tag,tag";

const dayAgo = (days: number) => dayOf(days * DAY_MS);
/**
 * The New York fixtures are of 2026-01-17 … 2026-01-19; moved so that their last day is today (the main night, of
 * 2026-01-18, is then last night's), every date in them shifted alike, times and offsets kept.
 */
const shift = Math.round((Date.parse(`${dayAgo(0)}T00:00:00Z`) - Date.parse("2026-01-19T00:00:00Z")) / DAY_MS);
const moved = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + shift * DAY_MS).toISOString().slice(0, 10);
function redated<T>(value: T): T {
  if (typeof value === "string") return value.replace(/\d{4}-\d{2}-\d{2}/g, moved) as T;
  if (Array.isArray(value)) return value.map(redated) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redated(v)])) as T;
  return value;
}
const NIGHT_DAY = moved(oura.sleep.day);
const ALCOHOL_DAY = moved(oura.enhancedTagAlcohol.start_day);

/** Oura's bands for a score or contributor: 85–100 optimal, 70–84 good, below 70 pay attention. */
const bandOf = (value: number) => (value >= 85 ? "optimal" : value >= 70 ? "good" : "pay attention");
/** "1 h 20 min", as the night view writes a stage's total. */
const hoursMinutes = (seconds: number) => `${Math.floor(seconds / 3600)} h ${String(Math.round((seconds % 3600) / 60)).padStart(2, "0")} min`;

type Scheme = "light" | "dark";
const SCHEMES: Scheme[] = ["light", "dark"];

/** One page per width (the server's status opens at load on a wide screen only); the scheme is switched in place. */
interface View {
  name: string;
  width: number;
  context: BrowserContext;
  page: Page;
}

const fake = new FakeOura({ pageSize: 100 }).start();
let running: RunningServer;
let base: string;
let browser: Browser;
let sessionCookie: string;
const views: View[] = [];
const view = (width: number) => views.find((v) => v.width === width)!.page;
/** prefers-color-scheme as the wearer's system sets it: the page restyles in place, as it does when the phone turns dark. */
async function useScheme(page: Page, scheme: Scheme) {
  await page.emulateMedia({ colorScheme: scheme });
  expect(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches)).toBe(scheme === "dark");
}

/** The wearer signs in with Oura (the fake), then imports their history as the dashboard's offer does. */
async function signInAndImport(): Promise<string> {
  const { cookie, csrf, role } = await signInWithOura(fake, base, USER);
  expect(role).toBe("wearer");
  const queued = await fetch(`${base}/backfill`, {
    method: "POST",
    headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
    body: JSON.stringify({ start_date: dayAgo(29), end_date: dayAgo(0) }),
  });
  expect(queued.status).toBe(201);
  const { id } = (await queued.json()) as { id: number };
  const done = await waitFor(async () => {
    const progress = (await (await fetch(`${base}/backfill/${id}`, { headers: { cookie } })).json()) as { state: string };
    return progress.state === "running" || progress.state === "queued" ? undefined : progress;
  }, 15_000, "the import to finish");
  expect(done.state).toBe("done");
  return /(?:^|; )oura_session=([^;]+)/.exec(cookie)![1]!;
}

async function openView(width: number): Promise<View> {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 812 : 800 }, colorScheme: "light", timezoneId: "America/New_York" });
  context.setDefaultTimeout(8000);
  await context.addCookies([{ name: "oura_session", value: sessionCookie, url: base }]);
  const page = await context.newPage();
  // Anything the Content-Security-Policy refuses (a style attribute, say) is recorded by the page itself.
  await page.addInitScript(() => {
    const refused: string[] = ((window as unknown as { refused: string[] }).refused = []);
    document.addEventListener("securitypolicyviolation", (event) => refused.push(`${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`));
  });
  await page.goto(`${base}/dashboard`);
  await page.waitForFunction(() => document.documentElement.dataset.live === "connected" && document.getElementById("tz-note")?.textContent?.includes("New_York"));
  return { name: `${width} px`, width, context, page };
}

beforeAll(async () => {
  // 27 days of the demo's person, then the New York wearer's last three days (2026-01-17 … 19, moved to end today).
  fake.addUser(USER, "wearer@example.com");
  for (let ago = 29; ago >= 3; ago--) for (const { path, document } of documentsForDay(dayAgo(ago))) fake.putDocument(USER, path, document);
  for (const { path, document } of oura.ouraDocuments) if (typeof document.id === "string") fake.putDocument(USER, path, redated(document) as typeof document & { id: string });
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  running = await startTestServer({ ...fake.env(), PORT: String(port), PUBLIC_URL: base, DATABASE_PATH: join(tempDir(), "wearer.db"), ALLOWED_EMAILS: "*@example.com", POLL_DATA_TYPES: TYPES });
  [browser, sessionCookie] = await Promise.all([launchChromium(), signInAndImport()]);
  views.push(...(await Promise.all([openView(375), openView(1280)])));
}, 60_000);

afterAll(async () => {
  for (const { context } of views) await context.close().catch(() => {});
  await browser?.close();
  await running?.stop();
  fake.stop();
});

/** Shows only the feed's rows of `type` ("" for all) through its filter, and waits for the list to change. */
async function filterFeed(page: Page, type: string) {
  await page.selectOption("#feed-filter", type);
  await page.waitForFunction((t) => Array.from(document.querySelectorAll("#feed li")).every((li) => li.getAttribute("data-type") === t), type);
}

/** Opens a night's detail (the drawer's largest: facts, heart-rate and HRV series) from its feed row, as a tap does. */
async function openDrawer(page: Page) {
  await filterFeed(page, "sleep");
  await page.locator("#feed li a", { hasText: "Slept" }).first().click();
  await page.waitForSelector("#detail-dialog[open] #detail .human-summary");
}

async function closeDrawer(page: Page) {
  await page.click("#detail-close");
  await page.waitForFunction(() => !(document.getElementById("detail-dialog") as HTMLDialogElement).open);
  await page.selectOption("#feed-filter", "");
  await page.waitForSelector("#feed li[data-type=tag]", { state: "attached" });
}

/** axe's rules whose outcome depends on colours: all a change of colour scheme can change (the DOM stays the same). */
const COLOUR_RULES = ["color-contrast", "link-in-text-block"];

/**
 * The smallest rendered font size of any painted text under `root`: an HTML element's computed
 * size, an SVG text's computed size times its coordinate system's smaller scale on screen (a viewBox scales text).
 */
function smallestText(page: Page, root: string) {
  return page.evaluate((selector) => {
    let smallest = { size: Infinity, element: "", text: "" };
    const walker = document.createTreeWalker(document.querySelector(selector)!, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim() ?? "";
      const element = node.parentElement;
      if (!text || !element) continue;
      // Painted: not under display:none, visibility:hidden, opacity 0 or a closed <details> (content-visibility), and with a box.
      if (!element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      range.selectNodeContents(node);
      if (!Array.from(range.getClientRects()).some((r) => r.width > 0 && r.height > 0)) continue;
      const style = getComputedStyle(element);
      let size = Number.parseFloat(style.fontSize);
      if (element instanceof SVGGraphicsElement) {
        const ctm = element.getScreenCTM();
        if (ctm) size *= Math.min(Math.hypot(ctm.a, ctm.b), Math.hypot(ctm.c, ctm.d));
      }
      if (size < smallest.size) {
        const name = `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ""}${element.getAttribute("class") ? `.${element.getAttribute("class")!.trim().split(/\s+/).join(".")}` : ""}`;
        const within = element.closest("[id]");
        smallest = { size: Math.round(size * 100) / 100, element: within && within !== element ? `${name} in #${within.id}` : name, text: text.slice(0, 40) };
      }
    }
    return smallest;
  }, root);
}

describe("a wearer's dashboard, New York, phone and laptop, light and dark", () => {
  test("at 375 px the three scores and their change against the usual are in the first screen, without scrolling", async () => {
    const page = view(375);
    for (const scheme of SCHEMES) {
      await useScheme(page, scheme);
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      const height = await page.evaluate(() => window.innerHeight);
      for (const kind of ["readiness", "sleep", "activity"]) {
        for (const part of [".value", ".change"]) {
          const box = await page.locator(`#card-${kind} ${part}`).boundingBox();
          expect(box, `${scheme} #card-${kind} ${part}`).not.toBeNull();
          expect(box!.y, `${scheme} #card-${kind} ${part}`).toBeGreaterThanOrEqual(0);
          expect(box!.y + box!.height, `${scheme} #card-${kind} ${part}`).toBeLessThanOrEqual(height);
        }
        expect(await page.locator(`#card-${kind} .change`).textContent()).toMatch(/^[+−±]\d+(\.\d)? vs usual$/);
      }
      // Last night's documents: readiness 78, sleep 76, activity 79.
      expect(await page.locator("#card-readiness .value").textContent()).toBe(String(oura.dailyReadiness.score));
      expect(await page.locator("#card-sleep .value").textContent()).toBe(String(oura.dailySleep.score));
      expect(await page.locator("#card-activity .value").textContent()).toBe(String(oura.dailyActivity.score));
    }
    await useScheme(page, "light");
  }, 15_000);

  test("readiness and sleep contributors say their value and Oura's band in words, beside bars of that length", async () => {
    const page = view(375);
    for (const [kind, contributors] of [["readiness", oura.dailyReadiness.contributors], ["sleep", oura.dailySleep.contributors]] as const) {
      const rows = page.locator(`#contributors-${kind} li[data-contributor]`);
      const shown = await rows.evaluateAll((items) =>
        items.map((li) => {
          const bar = li.querySelector(".bar")!.getBoundingClientRect();
          const fill = li.querySelector(".fill")!.getBoundingClientRect();
          return { key: li.getAttribute("data-contributor")!, text: (li as HTMLElement).innerText.replace(/\s+/g, " ").trim(), fill: fill.width / bar.width };
        }),
      );
      expect(shown.map((c) => c.key).sort()).toEqual(Object.keys(contributors).sort());
      for (const { key, text, fill } of shown) {
        const value = contributors[key as keyof typeof contributors];
        expect(text, key).toEndWith(`${value} · ${bandOf(value)}`);
        expect(fill, key).toBeCloseTo(value / 100, 2);
      }
    }
    // Every band occurs: "pay attention" (recovery index 52), "good" (HRV balance 71), "optimal" (body temperature 96).
    expect(await page.locator("#contributors-readiness").innerText()).toContain("52 · pay attention");
  }, 15_000);

  test("the night: stage totals beside the hypnogram, the lowest heart rate marked where it was, a text alternative with every total", async () => {
    const night = oura.sleep;
    for (const { page, name } of views) {
      expect(await page.locator("#night").getAttribute("data-day")).toBe(NIGHT_DAY);
      for (const [phase, seconds] of [["deep", night.deep_sleep_duration], ["light", night.light_sleep_duration], ["rem", night.rem_sleep_duration], ["awake", night.awake_time]] as const) {
        const total = page.locator(`.lanes li[data-phase="${phase}"] .lane-total`);
        expect(await total.isVisible(), `${name} ${phase}`).toBe(true);
        expect(await total.textContent()).toBe(hoursMinutes(seconds));
      }
      const summary = (await page.locator("#night figcaption.night-summary").textContent())!;
      expect(summary).toContain(`deep ${hoursMinutes(night.deep_sleep_duration)}, light ${hoursMinutes(night.light_sleep_duration)}, REM ${hoursMinutes(night.rem_sleep_duration)}, awake ${hoursMinutes(night.awake_time)}`);
      // The lowest reading (57 bpm) is marked at its time along the curve (the series starts at bedtime).
      const lowest = Math.min(...night.heart_rate.items.filter((v): v is number => v !== null));
      const at = night.heart_rate.items.indexOf(lowest) * 300_000;
      const span = Math.max(Date.parse(night.bedtime_end) - Date.parse(night.bedtime_start), night.sleep_phase_5_min.length * 300_000);
      const clock = new Date(Date.parse(night.bedtime_start) + at - 5 * 3_600_000).toISOString().slice(11, 16);
      expect(await page.locator("#night-heart-rate-lowest").textContent()).toBe(` · lowest ${lowest} bpm at ${clock}`);
      const mark = page.locator("#night-heart-rate .lowest-mark");
      expect(await mark.isVisible(), name).toBe(true);
      const markBox = (await mark.boundingBox())!;
      const curveBox = (await page.locator("#night-heart-rate svg[role=img]").boundingBox())!;
      expect(markBox.width).toBeGreaterThanOrEqual(8);
      expect((markBox.x + markBox.width / 2 - curveBox.x) / curveBox.width).toBeCloseTo(at / span, 1);
      // The hours below each plot are spread along it, not piled up at its start.
      const hours = await page.locator("#night-heart-rate svg.hours text").evaluateAll((texts) => texts.map((t) => t.getBoundingClientRect().x));
      expect(hours.length).toBeGreaterThanOrEqual(3);
      expect(hours.every((x, i) => i === 0 || x > hours[i - 1]! + 20)).toBe(true);
    }
  }, 15_000);

  test("every data type has a place: stress, resilience, SpO2, VO2 max, cardiovascular age charts, workouts, sessions, tags on the charts", async () => {
    const page = view(1280);
    for (const metric of ["stress_high", "recovery_high", "resilience", "spo2", "breathing_disturbance", "vo2_max", "cardiovascular_age"]) {
      expect(Number(await page.locator(`#chart-${metric}`).getAttribute("data-points")), metric).toBeGreaterThan(0);
    }
    // The New York wearer's own values, on their days.
    const point = (metric: string, day: string) => page.locator(`#chart-${metric} .pt[data-day="${day}"]`);
    expect(await point("vo2_max", moved(oura.vo2Max.day)).getAttribute("data-value")).toBe(String(oura.vo2Max.vo2_max));
    expect(await point("cardiovascular_age", moved(oura.dailyCardiovascularAge.day)).getAttribute("data-value")).toBe(String(oura.dailyCardiovascularAge.vascular_age));
    expect(Number(await point("spo2", moved(oura.dailySpo2.day)).getAttribute("data-value"))).toBeCloseTo(oura.dailySpo2.spo2_percentage.average, 2);
    expect(await point("stress_high", moved(oura.dailyStress.day)).getAttribute("data-value")).toBe(String(oura.dailyStress.stress_high));
    expect(await point("resilience", moved(oura.dailyResilience.day)).getAttribute("aria-label")).toMatch(new RegExp(`: ${oura.dailyResilience.level}( \\(.+\\))?$`));
    // Today's documents without values (stress, SpO2: nulls) draw no point.
    expect(await point("spo2", dayAgo(0)).count()).toBe(0);

    // Workouts: activity, duration and calories on every row.
    const workouts = await page.locator("#workouts li").allInnerTexts();
    expect(workouts.length).toBeGreaterThan(0);
    for (const row of workouts) expect(row).toMatch(/ · (\d+ h )?\d+ min · \d+ kcal/);
    expect(workouts.join("\n")).toContain("Walking · 52 min · 187 kcal · moderate");
    expect(workouts.join("\n")).toContain("Park loop · 43 min · 512 kcal · 8.0 km · hard");
    // Sessions (Oura gives them no calories): type and duration on every row.
    const sessions = await page.locator("#sessions li").allInnerTexts();
    expect(sessions.length).toBeGreaterThan(0);
    for (const row of sessions) expect(row).toMatch(/ · (\d+ h )?\d+ min/);
    expect(sessions.join("\n")).toContain("Meditation · 12 min");
    expect(sessions.join("\n")).toContain("Breathing · 5 min");

    // The evening's drink is marked on the trend charts' day, and listed.
    const marks = page.locator(`path.tag-mark[data-day="${ALCOHOL_DAY}"]`);
    expect(await marks.count()).toBeGreaterThan(0);
    expect(await marks.first().getAttribute("data-tags")).toContain("alcohol");
    expect(await page.locator(`#tags li[data-day="${ALCOHOL_DAY}"]`).allInnerTexts()).toContainEqual(expect.stringContaining("alcohol"));
  }, 15_000);

  test("feed rows are in words, with where each came from; the raw types stay in the detail", async () => {
    const page = view(375);
    const rowsOf = () =>
      page.locator("#feed li:not([hidden])").evaluateAll((items) => items.map((li) => ({ words: li.querySelector(".words")?.textContent ?? "", origin: li.querySelector(".origin")?.textContent ?? "", type: li.getAttribute("data-type") })));
    const rows = await rowsOf();
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) {
      expect(row.words, row.type ?? "").toMatch(/^[A-Z]/);
      expect(row.words, row.type ?? "").not.toMatch(/[a-z0-9]_[a-z0-9]/);
      expect(row.origin).toBe("import");
    }
    // The feed's filter, type by type: a score with its change against the usual ("Readiness 78 (+2)"), a night, a workout.
    const wordsOf = async (type: string) => {
      await filterFeed(page, type);
      return (await rowsOf()).map((r) => r.words);
    };
    expect(await wordsOf("daily_readiness")).toContainEqual(expect.stringMatching(new RegExp(`^Readiness ${oura.dailyReadiness.score} \\([+−±]\\d+(\\.\\d)?\\)$`)));
    expect(await wordsOf("sleep")).toContain(`Slept ${hoursMinutes(oura.sleep.total_sleep_duration)}`);
    expect(await wordsOf("workout")).toContain("Park loop · 43 min · 512 kcal · hard");
    // Back to every type: the newest rows (the tags, imported last) again.
    await page.selectOption("#feed-filter", "");
    await page.waitForSelector("#feed li[data-type=tag]", { state: "attached" });
  }, 15_000);

  test("a night's detail opens with the summary in words; the JSON below it is closed", async () => {
    const page = view(375);
    await openDrawer(page);
    const order = await page.evaluate(() => {
      const summary = document.querySelector("#detail .human-summary")!;
      const json = document.querySelector<HTMLDetailsElement>("#detail details.raw-json")!;
      return { summaryFirst: Boolean(summary.compareDocumentPosition(json) & Node.DOCUMENT_POSITION_FOLLOWING), jsonOpen: json.open };
    });
    expect(order).toEqual({ summaryFirst: true, jsonOpen: false });
    expect(await page.locator("#detail .human-summary").isVisible()).toBe(true);
    expect(await page.locator("#detail .human-summary .detail-words").textContent()).toStartWith(`Slept ${hoursMinutes(oura.sleep.total_sleep_duration)} · Sleep period of ${NIGHT_DAY}`);
    // Its long series are summarised in a line each, not listed value by value.
    expect(await page.locator("#detail .series-summary").innerText()).toContain(`heart_rate.items: ${oura.sleep.heart_rate.items.length} values`);
    expect(await page.locator("#detail details.raw-json pre").first().isVisible()).toBe(false);
    await closeDrawer(page);
  }, 15_000);

  test("at 375 px no text is smaller than 11 px, on the page or in the open drawer (SVG text at its rendered size)", async () => {
    const page = view(375);
    const onPage = await smallestText(page, "body");
    await openDrawer(page);
    const inDrawer = await smallestText(page, "#detail-dialog");
    await closeDrawer(page);
    console.log(`smallest text at 375 px: page ${onPage.size} px (${onPage.element}: "${onPage.text}"), drawer open ${inDrawer.size} px (${inDrawer.element}: "${inDrawer.text}")`);
    expect(onPage.size, `${onPage.element}: "${onPage.text}"`).toBeGreaterThanOrEqual(11);
    expect(inDrawer.size, `${inDrawer.element}: "${inDrawer.text}"`).toBeGreaterThanOrEqual(11);
  }, 15_000);

  test("axe-core finds nothing serious or critical, at both widths and in both schemes, with the drawer closed and open", async () => {
    const findings = await Promise.all(
      views.map(async ({ page, name }) => {
        const found: string[] = [];
        // Every rule in the light scheme; in the dark one the same DOM in other colours, so the colour rules.
        const scan = async (state: string, within: string) => {
          for (const scheme of SCHEMES) {
            await useScheme(page, scheme);
            found.push(...(await axeFindings(page, within, scheme === "dark" ? COLOUR_RULES : undefined)).map((f) => `${name} ${scheme}, ${state}: ${f}`));
          }
        };
        await scan("page", "html");
        // While the drawer is open (a modal dialog) the page beneath is inert: the dialog is what there is to check.
        await openDrawer(page);
        await scan("drawer open", "#detail-dialog");
        await closeDrawer(page);
        await useScheme(page, "light");
        return found;
      }),
    );
    expect(findings.flat().join("\n")).toBe("");
  }, 30_000);

  test("the Content-Security-Policy refused nothing on any of these pages", async () => {
    for (const { page, name } of views) expect(await page.evaluate(() => (window as unknown as { refused: string[] }).refused), name).toEqual([]);
  }, 15_000);
});
