// Text from elsewhere (a warehouse's error message, an Oura error) can quote a credential: anything token-like is
// masked before an operator sees it, and such text never reaches an anonymous caller at all.

const PATTERNS: RegExp[] = [
  // Databricks personal access tokens (dapi + hex, sometimes written dapi-…).
  /\bdapi-?[0-9a-z]{8,}(?:-\d+)?/gi,
  // JWTs (OAuth access tokens of many services).
  /\beyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]*/g,
  // name=value and "name": "value" pairs whose name says secret.
  /\b((?:access_|refresh_|id_)?token|secret|password|passwd|api[_-]?key|authorization|client_secret)(["']?\s*[:=]\s*["']?)(?:(?:Bearer|Basic)\s+)?[^\s"',;&]+/gi,
  // Bearer and Basic credentials.
  /\b(?:Bearer|Basic)\s+[\w.~+/=-]{8,}/gi,
  // Long opaque runs (hex or base64url of 32 characters or more).
  /\b[A-Za-z0-9_-]{32,}\b/g,
];

/** A password in a URL's user info (mqtt://user:password@host): the user stays, the password goes. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]+@/gi;

export function maskSecrets(text: string): string {
  let masked = text.replace(URL_PASSWORD, "$1***@");
  for (const pattern of PATTERNS) {
    masked = masked.replace(pattern, (match, name?: string, separator?: string) => (typeof name === "string" && typeof separator === "string" ? `${name}${separator}***` : "***"));
  }
  return masked;
}
