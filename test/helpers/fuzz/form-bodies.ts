// Malformed forms: urlencoded and multipart, and the sign-in form with its real CSRF field.
import { bytesOf } from "./bytes.ts";
import type { BodySpec } from "./case-types.ts";
import type { Rng } from "./rng.ts";

/** [mutation label, body, content-type] */
type FormBody = [string, BodySpec, string];

const URLENCODED = "application/x-www-form-urlencoded";
const MULTIPART = "multipart/form-data; boundary=zz";

const textForm = (mutation: string, text: string, contentType: string): FormBody => [mutation, { kind: "text", text }, contentType];

/** Malformed forms. */
export function formBodies(rng: Rng): FormBody[] {
  const long = "x".repeat(rng.pick([1_000, 30_000]));
  return [
    textForm("form:multipart-broken", "--zz\r\nbroken", MULTIPART),
    textForm("form:multipart-no-boundary", "--zz\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nx\r\n--zz--\r\n", "multipart/form-data"),
    textForm("form:multipart-empty-boundary", "--\r\n\r\n--", "multipart/form-data; boundary="),
    textForm("form:multipart-unterminated", '--zz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n{{CSRF}}', MULTIPART),
    textForm("form:multipart-no-disposition", "--zz\r\nContent-Type: text/plain\r\n\r\nx\r\n--zz--\r\n", MULTIPART),
    textForm("form:multipart-valid", '--zz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n{{CSRF}}\r\n--zz\r\nContent-Disposition: form-data; name="token"\r\n\r\nnope\r\n--zz--\r\n', MULTIPART),
    textForm("form:multipart-file", '--zz\r\nContent-Disposition: form-data; name="_csrf"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nabc\r\n--zz--\r\n', MULTIPART),
    ["form:multipart-invalid-utf8", { kind: "bytes", bytes: bytesOf('--zz\r\nContent-Disposition: form-data; name="', [0xff, 0xfe], '"\r\n\r\n', [0xc0, 0x80], "\r\n--zz--\r\n") }, MULTIPART],
    textForm("form:urlencoded-bad-percent", "token=%zz&_csrf=%", URLENCODED),
    textForm("form:urlencoded-bad-utf8", "token=%ff%fe&_csrf=%C0%80", URLENCODED),
    ["form:urlencoded-raw-invalid-utf8", { kind: "bytes", bytes: bytesOf("token=", [0xff, 0xfe, 0xc0, 0x80], "&_csrf=", [0xed, 0xa0, 0x80]) }, URLENCODED],
    textForm("form:urlencoded-duplicate", "_csrf={{CSRF}}&_csrf=other&token=a&token=b", URLENCODED),
    textForm("form:urlencoded-arrays", "_csrf[]={{CSRF}}&token[]=a&token[0]=b&a[b][c]=d", URLENCODED),
    textForm("form:urlencoded-csrf", "_csrf={{CSRF}}", URLENCODED),
    textForm("form:urlencoded-proto", "__proto__=x&constructor=y&_csrf=z", URLENCODED),
    textForm("form:urlencoded-no-equals", "&&&=&token&=x", URLENCODED),
    textForm("form:urlencoded-long", `token=${long}&_csrf=${long}`, URLENCODED),
    textForm("form:urlencoded-as-json", '{"_csrf":"x"}', URLENCODED),
    textForm("form:json-as-form", "_csrf=x&token=y", "application/json"),
  ];
}

/** Sign-in form fuzz: with the real sign-in CSRF cookie and field, and without. */
export function signInBodies(): FormBody[] {
  return [
    textForm("signin:valid-csrf-wrong-token", "_csrf={{SIGNIN_CSRF}}&token=not-the-token", URLENCODED),
    textForm("signin:valid-csrf-token-array", "_csrf={{SIGNIN_CSRF}}&token[]=x", URLENCODED),
    textForm("signin:valid-csrf-bad-percent", "_csrf={{SIGNIN_CSRF}}&token=%zz", URLENCODED),
    textForm("signin:csrf-twice", "_csrf={{SIGNIN_CSRF}}&_csrf={{SIGNIN_CSRF}}&token=x", URLENCODED),
    textForm("signin:multipart-valid-csrf", '--zz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n{{SIGNIN_CSRF}}\r\n--zz\r\nContent-Disposition: form-data; name="token"; filename="t"\r\n\r\nx\r\n--zz--\r\n', MULTIPART),
  ];
}
