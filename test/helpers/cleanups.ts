// What a test started (servers, fakes), stopped after it in reverse order, even when it fails.
import { afterEach } from "bun:test";

export const WAREHOUSE_APP_SECRET_KEY = "warehouse-test-app-secret-key-0123456789";

/** Registers an afterEach that runs what was added, last first; `pop()` drops the last (already stopped by the test). */
export function cleanupsAfterEach() {
  let pending: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of pending.reverse()) await cleanup();
    pending = [];
  });
  return {
    push: (...cleanups: (() => unknown)[]) => void pending.push(...cleanups),
    pop: () => void pending.pop(),
  };
}
