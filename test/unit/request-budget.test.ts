// The shared Oura request budget: priorities (fetch before poll before backfill, each with its share of the window),
// no more than the limit in any window, and Oura's own pause signals.
import { expect, test } from "bun:test";
import { RequestBudget } from "../../src/oura/request-budget.ts";

const settledWithin = async (promise: Promise<unknown>, ms: number) => Promise.race([promise.then(() => true), Bun.sleep(ms).then(() => false)]);

test("backfills take at most 70% of a window, polls 90%; a fetch gets through when both wait", async () => {
  const budget = new RequestBudget(10, 400);
  for (let i = 0; i < 7; i++) expect(await settledWithin(budget.acquire("backfill"), 20)).toBe(true);
  const eighthBackfill = budget.acquire("backfill");
  expect(await settledWithin(eighthBackfill, 30)).toBe(false);
  expect(await settledWithin(budget.acquire("poll"), 20)).toBe(true);
  expect(await settledWithin(budget.acquire("poll"), 20)).toBe(true);
  const thirdPoll = budget.acquire("poll");
  expect(await settledWithin(thirdPoll, 30)).toBe(false);
  // 9 of 10 used: the fetch still has its place, and only it.
  expect(await settledWithin(budget.acquire("fetch"), 20)).toBe(true);
  expect(budget.status()).toMatchObject({ used_in_window: 10, waiting: { fetch: 0, poll: 1, backfill: 1 } });
  // When the window moves on, the poll (higher priority) goes before the backfill.
  const order: string[] = [];
  await Promise.all([thirdPoll.then(() => order.push("poll")), eighthBackfill.then(() => order.push("backfill"))]);
  expect(order).toEqual(["poll", "backfill"]);
  budget.close();
});

test("never more than the limit in any window, however many ask at once", async () => {
  const budget = new RequestBudget(5, 300);
  const times: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: 12 }, () => budget.acquire("fetch").then(() => times.push(performance.now() - started))));
  times.sort((a, b) => a - b);
  for (let i = 5; i < times.length; i++) expect(times[i]! - times[i - 5]!).toBeGreaterThanOrEqual(295);
  budget.close();
});

test("Retry-After on a 429, and X-RateLimit-Remaining 0 until X-RateLimit-Reset, pause every priority", async () => {
  const budget = new RequestBudget(100, 60_000);
  budget.observe(new Headers({ "retry-after": "1" }), 429);
  expect(budget.status().paused_until).not.toBeNull();
  const started = performance.now();
  await budget.acquire("fetch");
  expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  budget.observe(new Headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 2) }), 200);
  expect(budget.status().paused_until).not.toBeNull();
  expect(await settledWithin(budget.acquire("fetch"), 50)).toBe(false);
  budget.close();
});

test("a waiting request is given up when its signal aborts (a stopping poller), and close() rejects the rest", async () => {
  const budget = new RequestBudget(1, 60_000);
  await budget.acquire("poll");
  const abort = new AbortController();
  const waiting = budget.acquire("poll", abort.signal);
  abort.abort(new Error("stopping"));
  await expect(waiting).rejects.toThrow("stopping");
  const other = budget.acquire("fetch");
  budget.close();
  await expect(other).rejects.toThrow("closed");
});
