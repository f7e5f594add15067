// Hostile query strings and path parameter values.
import type { Rng } from "./rng.ts";
import type { RouteInfo } from "./routes.ts";

const QUERY_NAMES = ["limit", "cursor", "days", "data_type", "event_type", "user_id", "object_id", "since", "until", "purge", "format", "what", "state", "code", "error", "verification_token", "challenge", "start_day", "end_day"];

const QUERY_VALUES: readonly string[] = [
  "",
  "%",
  "%zz",
  "%ff%fe",
  "%00",
  "%C0%80",
  "%ED%A0%80",
  "-1",
  "0",
  "1",
  "1.5",
  "1e309",
  "-1e309",
  "NaN",
  "Infinity",
  "0x10",
  "abc",
  "99999999999999999999",
  "9007199254740993",
  "%F0%9F%98%80%C3%A9%E4%B8%AD",
  "%E2%80%AE",
  "true",
  "[]",
  "{}",
  "a,b",
  "2026-13-45",
  "+275760-09-13T00:00:00.001Z",
  "2026-11-24T08:00:00+99:99",
  "daily_sleep",
  "create",
  "events",
  "csv",
  "html",
  "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
  "'%20OR%201%3D1%20--",
];

export const PATH_VALUES: readonly string[] = [
  "%00",
  "99999999999999999999",
  "9007199254740993",
  "-1",
  "0",
  "1",
  "1.5",
  "1e3",
  "0x10",
  "abc",
  "%zz",
  "%ff",
  "%C0%80",
  "%ED%A0%80",
  "%F0%9F%98%80",
  "%E2%80%AE",
  "%2F",
  "..%2F..%2Fetc%2Fpasswd",
  "%20",
  "null",
  "__proto__",
  "constructor",
  "'%20OR%201%3D1--",
  "%3Cscript%3E",
  "x".repeat(300),
  "9".repeat(400),
  "{{EVENT_ID}}",
];

export const QUERY_SHAPES = [
  "value",
  "duplicate",
  "array",
  "bare-percent",
  "bad-percent-key",
  "no-equals",
  "empty-key",
  "ampersands",
  "long",
  "unicode-raw",
  "many-params",
  "semicolon",
  "plus-space",
  "transport-long",
] as const;
export type QueryShape = (typeof QUERY_SHAPES)[number];
export type QueryMutation = { query: string; mutation: string; transport: boolean };

export function fuzzQuery(rng: Rng, route: RouteInfo, forced?: { shape?: QueryShape; name?: string; value?: string }): QueryMutation {
  const names = route.query.length > 0 && rng.chance(0.7) ? route.query : QUERY_NAMES;
  const name = forced?.name ?? rng.pick(names);
  const value = forced?.value ?? rng.pick(QUERY_VALUES);
  const shape =
    forced?.shape ??
    rng.weighted<QueryShape>([
      [10, "value"],
      [3, "duplicate"],
      [2, "array"],
      [2, "bare-percent"],
      [1, "bad-percent-key"],
      [1, "no-equals"],
      [1, "empty-key"],
      [1, "ampersands"],
      [2, "long"],
      [1, "unicode-raw"],
      [1, "many-params"],
      [1, "semicolon"],
      [1, "plus-space"],
      [1, "transport-long"],
    ]);
  switch (shape) {
    case "value":
      return { query: `${name}=${value}`, mutation: `query:${name}=${value.slice(0, 24)}`, transport: false };
    case "duplicate":
      return { query: `${name}=1&${name}=${value}`, mutation: `query:duplicate-${name}`, transport: false };
    case "array":
      return { query: `${name}[]=${value}&${name}[0]=x`, mutation: `query:array-${name}`, transport: false };
    case "bare-percent":
      return { query: "%", mutation: "query:%", transport: false };
    case "bad-percent-key":
      return { query: `%zz=${value}&${name}%=1`, mutation: "query:bad-percent-key", transport: false };
    case "no-equals":
      return { query: name, mutation: "query:no-equals", transport: false };
    case "empty-key":
      return { query: `=${value}`, mutation: "query:empty-key", transport: false };
    case "ampersands":
      return { query: "&&&&=&", mutation: "query:ampersands", transport: false };
    case "long":
      return { query: `${name}=${"x".repeat(rng.pick([2_000, 8_000]))}`, mutation: `query:long-${name}`, transport: false };
    case "unicode-raw":
      return { query: `${name}=😀é中`, mutation: `query:unicode-${name}`, transport: false };
    case "many-params":
      return { query: Array.from({ length: 300 }, (_, i) => `${rng.pick(QUERY_NAMES)}${i % 3 ? "" : i}=${i}`).join("&"), mutation: "query:many-params", transport: false };
    case "semicolon":
      return { query: `${name}=1;${name}=2`, mutation: "query:semicolon", transport: false };
    case "plus-space":
      return { query: `${name}=+1+`, mutation: `query:plus-${name}`, transport: false };
    case "transport-long":
      return { query: `${name}=${"x".repeat(20_000)}`, mutation: "transport:url-over-16k", transport: true };
  }
}

export function fillPath(rng: Rng, route: RouteInfo, fuzz: boolean, forced?: string): { path: string; mutation?: string } {
  let mutation: string | undefined;
  const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    if (!fuzz || (forced !== undefined && mutation !== undefined)) return name === "data_type" ? "daily_sleep" : name === "id" ? "{{EVENT_ID}}" : "x";
    const value = forced ?? (rng.chance(0.05) ? "x".repeat(5_000) : rng.pick(PATH_VALUES));
    mutation ??= `path:${name}=${value.slice(0, 24)}`;
    return value;
  });
  return { path, mutation };
}
