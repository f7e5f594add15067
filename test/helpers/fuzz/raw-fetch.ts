// The fetch the fuzz and the kill -9 trial send with: Bun's own, not the contract-checked one.

/**
 * Under `bun test`, test/helpers/contract.ts (a preload) wraps globalThis.fetch to check every JSON answer against
 * /openapi.json and throws on a mismatch. The fuzz and the kill -9 trial judge answers by their own rules, so their
 * requests go through Bun's own fetch, which the preload leaves alone; set-up requests use the checked fetch.
 */
export const rawFetch: typeof fetch = Bun.fetch;
