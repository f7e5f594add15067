// The address of the client behind a request: the peer, or — only when the peer is a proxy the operator trusts
// (TRUST_PROXY) — the nearest untrusted address in X-Forwarded-For. Anyone can write that header; only a trusted
// proxy's word for it counts.

/** A CIDR block in the 128-bit space of `parseAddress`. */
interface Block {
  network: bigint;
  mask: bigint;
}

const ALL_BITS = (1n << 128n) - 1n;
/** IPv4 addresses live at ::ffff:0:0/96 (RFC 4291 §2.5.5.2), so "::ffff:10.0.0.1" and "10.0.0.1" are one address. */
const IPV4_MAPPED = 0xffffn << 32n;

const DOTTED = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

function ipv4Bits(text: string): bigint | undefined {
  const parts = DOTTED.exec(text)?.slice(1).map(Number);
  if (!parts || parts.some((part) => part > 255)) return undefined;
  return parts.reduce((bits, part) => (bits << 8n) | BigInt(part), 0n);
}

/** Colon-separated 16-bit groups; with `last`, the final one may be a dotted IPv4 address (two groups). */
function hexGroups(text: string, last: boolean): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    const dotted = last && i === parts.length - 1 ? ipv4Bits(part) : undefined;
    if (dotted !== undefined) groups.push(Number(dotted >> 16n), Number(dotted & 0xffffn));
    else if (/^[0-9a-f]{1,4}$/i.test(part)) groups.push(parseInt(part, 16));
    else return undefined;
  }
  return groups;
}

/** RFC 4291 §2.2 text: eight groups, or fewer around one "::" that stands for the zero groups left out. */
function ipv6Bits(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = hexGroups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? hexGroups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const zeros = 8 - head.length - tail.length;
  if (halves.length === 1 ? zeros !== 0 : zeros < 1) return undefined;
  return [...head, ...new Array<number>(zeros).fill(0), ...tail].reduce((bits, group) => (bits << 16n) | BigInt(group), 0n);
}

/** An IPv4 or IPv6 address as 128 bits (IPv4 mapped), with its own width; undefined when it is neither. */
function parseAddress(text: string): { bits: bigint; width: 32 | 128 } | undefined {
  const bare = text.trim().replace(/^\[(.*)\]$/, "$1");
  const ipv4 = ipv4Bits(bare);
  if (ipv4 !== undefined) return { bits: IPV4_MAPPED | ipv4, width: 32 };
  const ipv6 = ipv6Bits(bare);
  return ipv6 === undefined ? undefined : { bits: ipv6, width: 128 };
}

function block(bits: bigint, prefix: number): Block {
  const mask = ALL_BITS ^ ((1n << BigInt(128 - prefix)) - 1n);
  return { network: bits & mask, mask };
}

/** "::ffff:10.0.0.1" is 10.0.0.1; IPv6 is compared in lower case. */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim().toLowerCase().replace(/^\[|\]$/g, "");
  return trimmed.startsWith("::ffff:") && DOTTED.test(trimmed.slice(7)) ? trimmed.slice(7) : trimmed;
}

/** An entry's blocks: an address (one host), an address/prefix (IPv4 0–32, IPv6 0–128), or "loopback". */
function blocksOf(entry: string): Block[] | undefined {
  if (entry === "loopback") return [block(IPV4_MAPPED | (127n << 24n), 104), block(1n, 128)];
  const [base = "", prefix, extra] = entry.split("/");
  const address = parseAddress(base);
  if (!address || extra !== undefined || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) return undefined;
  const bits = prefix === undefined ? address.width : Number(prefix);
  // An IPv4 prefix counts from the start of the IPv4 part, 96 bits into the mapped address.
  return bits > address.width ? undefined : [block(address.bits, bits + 128 - address.width)];
}

/**
 * Parses TRUST_PROXY: comma-separated addresses, CIDR blocks (IPv4 or IPv6), or "loopback". Returns the entries it
 * cannot read. IPv4 blocks also hold IPv4-mapped IPv6 peers (::ffff:10.0.0.1), and IPv6 blocks that cover
 * ::ffff:0:0/96 (such as ::/0) hold IPv4 peers.
 */
export function parseTrustedProxies(value: string): { trusts: (address: string) => boolean; invalid: string[] } {
  const blocks: Block[] = [];
  const invalid: string[] = [];
  for (const entry of value.split(",").map((part) => part.trim()).filter(Boolean)) {
    const parsed = blocksOf(entry);
    if (parsed) blocks.push(...parsed);
    else invalid.push(entry);
  }
  return {
    trusts: (address) => {
      const bits = parseAddress(address)?.bits;
      return bits !== undefined && blocks.some(({ network, mask }) => (bits & mask) === network);
    },
    invalid,
  };
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
