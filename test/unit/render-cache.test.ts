// The dashboard's render cache: a drawing is reused while what it was drawn from is unchanged, drawn again when it
// changed, and views used lately are redrawn ahead of their next visit.
import { describe, expect, test } from "bun:test";
import { createRenderCache } from "../../src/views/render-cache.ts";
import { movableClock } from "../helpers/clock.ts";

function view(initial = 0) {
  let version = initial;
  let draws = 0;
  return {
    versionOf: () => version,
    draw: async () => `drawn ${++draws} at version ${version}`,
    change: () => void version++,
    draws: () => draws,
  };
}

describe("render cache", () => {
  test("reuses a drawing until its version moves, then draws once more", async () => {
    const cache = createRenderCache(movableClock().now);
    const today = view();
    expect(await cache.get("today user:A", today.versionOf, today.draw)).toBe("drawn 1 at version 0");
    expect(await cache.get("today user:A", today.versionOf, today.draw)).toBe("drawn 1 at version 0");
    today.change();
    expect(await cache.get("today user:A", today.versionOf, today.draw)).toBe("drawn 2 at version 1");
    expect(today.draws()).toBe(2);
  });

  test("keys keep views apart: one user's change redraws only their view", async () => {
    const cache = createRenderCache(movableClock().now);
    const a = view();
    const b = view();
    await cache.get("today user:A", a.versionOf, a.draw);
    await cache.get("today user:B", b.versionOf, b.draw);
    a.change();
    expect(await cache.get("today user:B", b.versionOf, b.draw)).toBe("drawn 1 at version 0");
    expect(await cache.get("today user:A", a.versionOf, a.draw)).toBe("drawn 2 at version 1");
  });

  test("views used in the last day are redrawn ahead when their documents change; older ones wait for a visit", async () => {
    const clock = movableClock();
    const cache = createRenderCache(clock.now);
    const old = view();
    await cache.get("night user:A", old.versionOf, old.draw);
    clock.advance(25 * 3_600_000);
    const recent = view();
    await cache.get("today user:B", recent.versionOf, recent.draw);
    expect(await cache.redrawChanged()).toBe(0);
    old.change();
    recent.change();
    expect(await cache.redrawChanged()).toBe(1);
    expect(recent.draws()).toBe(2);
    expect(old.draws()).toBe(1);
    // The visit finds the view drawn already.
    expect(await cache.get("today user:B", recent.versionOf, recent.draw)).toBe("drawn 2 at version 1");
    expect(recent.draws()).toBe(2);
    expect(await cache.get("night user:A", old.versionOf, old.draw)).toBe("drawn 2 at version 1");
  });

  test("the least recently used drawings go first when room runs out; one too large is not kept", async () => {
    const cache = createRenderCache(movableClock().now, 40);
    const draw = (text: string) => async () => text;
    const fixed = () => 0;
    await cache.get("a", fixed, draw("a".repeat(15)));
    await cache.get("b", fixed, draw("b".repeat(15)));
    await cache.get("a", fixed, draw("not drawn again"));
    await cache.get("c", fixed, draw("c".repeat(15)));
    // "b" was least recently used: it went; "a" stayed.
    expect(await cache.get("a", fixed, draw("a again"))).toBe("a".repeat(15));
    expect(await cache.get("b", fixed, draw("b again"))).toBe("b again");
    let drawn = 0;
    const huge = async () => (drawn++, "x".repeat(41));
    await cache.get("huge", fixed, huge);
    await cache.get("huge", fixed, huge);
    expect(drawn).toBe(2);
  });
});
