// Wrong methods, odd headers, Content-Type values and the credentials a generated request carries.
import type { AuthKind } from "./case-types.ts";
import type { Rng } from "./rng.ts";
import type { RouteInfo } from "./routes.ts";

export const CONTENT_TYPES: readonly (string | null)[] = [
  null,
  "application/json",
  "application/json; charset=utf-16",
  "application/json; boundary=zz",
  "text/plain",
  "text/html",
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=bogus",
  "multipart/form-data; boundary=zz",
  "multipart/form-data",
  "multipart/form-data; boundary=",
  "multipart/mixed; boundary=zz",
  "application/octet-stream",
  "*/*",
  "",
  ";;;",
  "application/json, text/plain",
  "application/xml",
  "multipart/form-data; boundary=zz; note=application/x-www-form-urlencoded",
  "multipart/form-data, application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded, multipart/form-data; boundary=zz",
  "Application/X-WWW-Form-Urlencoded",
  "MULTIPART/FORM-DATA; BOUNDARY=zz",
];

export const OTHER_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

export const ODD_HEADERS: readonly [string, string][] = [
  ["accept", "text/html"],
  ["accept", "application/xml"],
  ["hx-request", "false"],
  ["hx-target", "#x"],
  ["x-csrf-token", ""],
  ["x-csrf-token", "x".repeat(3000)],
  ["x-forwarded-proto", "https"],
  ["x-forwarded-for", "1.2.3.4, ::1, garbage"],
  ["upgrade", "websocket"],
  ["connection", "upgrade"],
  ["content-type", "multipart/form-data; boundary=zz"],
  ["range", "bytes=99999-"],
  ["if-none-match", "*"],
  ["authorization", "Bearer"],
  ["authorization", "Basic Zm9vOmJhcg=="],
  ["authorization", `Bearer ${"x".repeat(5000)}`],
  ["cookie", "oura_session=%zz; oura_session=%; ; =;"],
];

export function authFor(rng: Rng, route: RouteInfo): AuthKind {
  if (route.path === "/webhooks") return rng.weighted<AuthKind>([[8, "none"], [1, "bearer"], [1, "garbage-cookie"]]);
  return rng.weighted<AuthKind>([
    [3, "none"],
    [1, "wrong-bearer"],
    [4, "bearer"],
    [2, "session"],
    [4, "session+csrf"],
    [1, "garbage-cookie"],
  ]);
}
