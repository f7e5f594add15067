// The address of the client behind a request: the peer, or — only when the peer is a proxy the operator trusts
// (TRUST_PROXY) — the nearest untrusted address in X-Forwarded-For. Anyone can write that header; only a trusted
// proxy's word for it counts.

/** An IPv4 address in a CIDR block, or an exact address (IPv4 or IPv6). */
type Matcher = (address: string) => boolean;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4Number(address: string): number | undefined {
  const parts = IPV4.exec(address)?.slice(1).map(Number);
  if (!parts || parts.some((part) => part > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** "::ffff:10.0.0.1" is 10.0.0.1; IPv6 is compared in lower case. */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim().toLowerCase().replace(/^\[|\]$/g, "");
  return trimmed.startsWith("::ffff:") && IPV4.test(trimmed.slice(7)) ? trimmed.slice(7) : trimmed;
}

function matcher(entry: string): Matcher | undefined {
  if (entry === "loopback") return (address) => address === "::1" || address.startsWith("127.");
  const [base = "", bits] = entry.split("/");
  const network = ipv4Number(base);
  if (bits === undefined) {
    const exact = normaliseAddress(base);
    const isAddress = ipv4Number(exact) !== undefined || /^[0-9a-f:]*:[0-9a-f:.]*$/.test(exact);
    return isAddress ? (address) => address === exact : undefined;
  }
  const prefix = Number(bits);
  if (network === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return (address) => {
    const value = ipv4Number(address);
    return value !== undefined && (value & mask) >>> 0 === (network & mask) >>> 0;
  };
}

/** Parses TRUST_PROXY: comma-separated addresses, IPv4 CIDR blocks, or "loopback". Returns the entries it cannot read. */
export function parseTrustedProxies(value: string): { trusts: (address: string) => boolean; invalid: string[] } {
  const matchers: Matcher[] = [];
  const invalid: string[] = [];
  for (const entry of value.split(",").map((part) => part.trim()).filter(Boolean)) {
    const match = matcher(entry);
    if (match) matchers.push(match);
    else invalid.push(entry);
  }
  return { trusts: (address) => matchers.some((match) => match(normaliseAddress(address))), invalid };
}

/**
 * The client's address. X-Forwarded-For lists the client first and each proxy appends the address it heard from, so
 * it is read from the right: skip the proxies we trust, and the first address left is the one our proxies vouch for.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trusts: (address: string) => boolean): string {
  const direct = normaliseAddress(peer ?? "local");
  if (!forwardedFor || !trusts(direct)) return direct;
  const hops = forwardedFor.split(",").map(normaliseAddress).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trusts(hops[i]!)) return hops[i]!;
  }
  return hops[0] ?? direct;
}
