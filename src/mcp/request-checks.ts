// What /mcp refuses before the SDK reads a request: JSON nested past any tool's need (the SDK's validation recurses
// and would overflow the stack: a 500), and a tools/call whose params are not a tool's name and an arguments object
// (the SDK answers those with an internal error and a raw schema dump; the protocol's answer is invalid params).

/** Tool arguments are flat; a request nested deeper than this is not one an assistant sends. */
export const MOST_NESTING = 32;

/** Whether `value` nests objects or arrays deeper than `most` levels (iterative: the point is not to recurse). */
export function nestedDeeperThan(value: unknown, most: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== "object" || item === null) continue;
    if (depth >= most) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

/** A JSON-RPC error answer for a tools/call message the protocol calls invalid params, or undefined. */
export function invalidToolCall(message: unknown): { jsonrpc: "2.0"; id: string | number; error: { code: number; message: string } } | undefined {
  if (typeof message !== "object" || message === null || Array.isArray(message)) return undefined;
  const { id, method, params } = message as { id?: unknown; method?: unknown; params?: unknown };
  if (method !== "tools/call" || (typeof id !== "string" && typeof id !== "number")) return undefined;
  const p = (typeof params === "object" && params !== null && !Array.isArray(params) ? params : undefined) as { name?: unknown; arguments?: unknown } | undefined;
  const argumentsOk = p?.arguments === undefined || (typeof p.arguments === "object" && p.arguments !== null && !Array.isArray(p.arguments));
  if (p && typeof p.name === "string" && argumentsOk) return undefined;
  return { jsonrpc: "2.0", id, error: { code: -32602, message: 'tools/call needs params.name (a tool\'s name, see tools/list) and params.arguments as an object ({"day": "2026-01-18"})' } };
}

/**
 * The request with every null tool argument left out: some clients send null for an argument they leave out, and the
 * schemas say "optional" rather than "nullable" (a nullable type is not portable to every model's tool dialect).
 */
export function withoutNullArguments(body: unknown): unknown {
  const clean = (message: unknown) => {
    const params = (message as { method?: unknown; params?: { arguments?: unknown } } | null)?.params;
    if ((message as { method?: unknown }).method !== "tools/call" || typeof params?.arguments !== "object" || params.arguments === null || Array.isArray(params.arguments)) return message;
    const args = Object.fromEntries(Object.entries(params.arguments).filter(([, value]) => value !== null));
    return { ...(message as object), params: { ...params, arguments: args } };
  };
  if (Array.isArray(body)) return body.map((m) => (typeof m === "object" && m !== null ? clean(m) : m));
  return typeof body === "object" && body !== null ? clean(body) : body;
}
