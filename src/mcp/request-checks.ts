// What /mcp refuses before the SDK reads a request: JSON nested past any tool's need (the SDK's validation recurses
// and would overflow the stack: a 500), and a call whose params are not what its method takes (the SDK answers those
// with an internal error and a raw schema dump; the protocol's answer is invalid params).

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

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** What a method's params must be, said as the refusal says it; undefined when they are that. */
const PARAMS_PROBLEMS: Record<string, (params: Record<string, unknown> | undefined) => string | undefined> = {
  "tools/call": (p) =>
    p && typeof p.name === "string" && (p.arguments === undefined || isObject(p.arguments))
      ? undefined
      : 'tools/call needs params.name (a tool\'s name, see tools/list) and params.arguments as an object ({"day": "2026-01-18"})',
  "prompts/get": (p) =>
    p && typeof p.name === "string" && (p.arguments === undefined || (isObject(p.arguments) && Object.values(p.arguments).every((v) => typeof v === "string")))
      ? undefined
      : 'prompts/get needs params.name (see prompts/list) and params.arguments as an object of text values ({"end_date": "2026-01-18"})',
  "resources/read": (p) => (p && typeof p.uri === "string" ? undefined : "resources/read needs params.uri as text (see resources/list), e.g. oura://today"),
};

/**
 * A JSON-RPC invalid-params answer for a tools/call, prompts/get or resources/read whose params are not what the
 * protocol says (the SDK answers those with an internal error and a raw schema dump), or undefined.
 */
export function invalidParams(message: unknown): { jsonrpc: "2.0"; id: string | number; error: { code: number; message: string } } | undefined {
  if (!isObject(message)) return undefined;
  const { id, method, params } = message;
  if (typeof id !== "string" && typeof id !== "number") return undefined;
  const problem = typeof method === "string" ? PARAMS_PROBLEMS[method]?.(isObject(params) ? params : undefined) : undefined;
  return problem === undefined ? undefined : { jsonrpc: "2.0", id, error: { code: -32602, message: problem } };
}

/**
 * The request with every null argument of a tool call or prompt left out: some clients send null for an argument they
 * leave out, and the schemas say "optional" rather than "nullable" (a nullable type is not portable to every model's
 * tool dialect).
 */
export function withoutNullArguments(body: unknown): unknown {
  const clean = (message: unknown) => {
    if (!isObject(message) || (message.method !== "tools/call" && message.method !== "prompts/get") || !isObject(message.params) || !isObject(message.params.arguments)) return message;
    const args = Object.fromEntries(Object.entries(message.params.arguments).filter(([, value]) => value !== null));
    return { ...message, params: { ...message.params, arguments: args } };
  };
  return Array.isArray(body) ? body.map(clean) : clean(body);
}
