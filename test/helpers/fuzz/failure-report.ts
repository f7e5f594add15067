// Status counts and failing causes as text, one cause a group.
import type { Failure } from "./run-cases.ts";

export function statusSummary(counts: Map<number, number>): string {
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}×${n}`)
    .join(", ");
}

/** Groups failures by route, method and answer, so one cause shows once, with the kinds of request that hit it and an example. */
export function groupFailures(failures: Failure[]): { key: string; count: number; kinds: string[]; example: Failure }[] {
  const groups = new Map<string, { key: string; count: number; kinds: string[]; example: Failure }>();
  for (const f of failures) {
    const routePath = f.route.slice(f.route.indexOf(" ") + 1);
    const wrong = f.method !== f.route.split(" ")[0] ? ` (route is ${f.route.split(" ")[0]})` : "";
    // Beyond Bun's own limits the answer does not depend on the route: one group per answer.
    const key = f.group === "transport" ? `[transport, any route] ${f.status} → ${f.reason}` : `${f.method} ${routePath}${wrong} → ${f.reason}`;
    const kind = f.mutation.replace(/^method:\S+ /, "").split(/[ =]/)[0]!;
    const group = groups.get(key);
    if (group) {
      group.count++;
      if (!group.kinds.includes(kind)) group.kinds.push(kind);
    } else groups.set(key, { key, count: 1, kinds: [kind], example: f });
  }
  return [...groups.values()].sort((a, b) => a.key.localeCompare(b.key));
}

export function describeFailures(failures: Failure[]): string {
  return groupFailures(failures)
    .map(({ key, count, kinds, example: e }) =>
      [
        `${count}× ${key}`,
        `    requests: ${kinds.sort().join(", ")}`,
        `    e.g. #${e.index} ${e.method} ${e.url}`,
        `    auth=${e.auth}${e.hx ? " hx" : ""} mutation=${e.mutation}`,
        `    headers: ${e.headers || "(none)"}`,
        `    body: ${e.body}`,
        `    → ${e.status ?? "no answer"} ${e.responseType ?? ""} ${e.response}`,
      ].join("\n"),
    )
    .join("\n");
}
