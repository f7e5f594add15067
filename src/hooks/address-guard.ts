// Where outgoing webhooks may go: only public unicast addresses unless HOOKS_ALLOW_PRIVATE_ADDRESSES, so an endpoint
// cannot reach the server's own network (SSRF). The check is made on the address actually connected to: the name is
// resolved here, every address it has is judged, and the connection is made to those very addresses (the `lookup`
// handed to node:http/https, which Bun honours for http and https alike; TLS still verifies the name).
import { lookup as dnsLookup } from "node:dns";
import ipaddr from "ipaddr.js";

/** Every address a name has, as the system resolver answers. */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/** A refusal of where a webhook would go; its message says why (shown in the API and the delivery log). */
export class AddressRefused extends Error {
  override name = "AddressRefused";
}

const ALLOWED_HINT = "set HOOKS_ALLOW_PRIVATE_ADDRESSES=true to allow private, loopback and link-local addresses";

/**
 * Why `address` may not be connected to, or undefined when it is a public unicast address. ipaddr.js names every
 * special range (loopback, private, carrier-grade NAT, link-local, unique-local, multicast, 0.0.0.0/8, reserved,
 * NAT64 and 6to4, which embed an IPv4 address…): anything but plain unicast is refused; an IPv4-mapped IPv6 address is
 * judged as the IPv4 address it carries.
 */
export function addressProblem(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  return range === "unicast" ? undefined : `${parsed.toString()}, not a public address (${range})`;
}

/** The host of a URL without IPv6 brackets; the WHATWG parser has already turned 0x7f000001, 2130706433 or 127.1 into 127.0.0.1. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/** Why a string cannot be an endpoint's URL at all (whatever the addresses allowed), or undefined. */
export function urlShapeProblem(value: string): string | undefined {
  if (!URL.canParse(value)) return "expected an absolute http(s) URL";
  const url = new URL(value);
  if (url.protocol !== "http:" && url.protocol !== "https:") return "expected an absolute http(s) URL";
  if (url.username || url.password) return "a URL with credentials in it is refused: the signature authenticates deliveries";
  return undefined;
}

const LOCAL_NAMES = /^(localhost|localhost\.localdomain)$|\.localhost$/i;

/** What registration can tell without resolving anything: a literal address, or a name that is always loopback. */
export function hostProblem(url: URL, allowPrivate: boolean): string | undefined {
  if (allowPrivate) return undefined;
  const host = bareHost(url);
  if (LOCAL_NAMES.test(host)) return `${host} is a loopback name; ${ALLOWED_HINT}`;
  if (!ipaddr.isValid(host)) return undefined;
  const problem = addressProblem(host);
  return problem && `${problem}; ${ALLOWED_HINT}`;
}

type LookupCallback = (error: Error | null, address: string | { address: string; family: number }[], family?: number) => void;

/**
 * A `lookup` for node:http/https: resolves the name, refuses when any of its addresses is not public (a name with one
 * public and one private address could be answered either way), and hands the connection exactly the addresses judged.
 */
export function guardedLookup(resolve: Resolver, allowPrivate: boolean) {
  return function guardedLookup(hostname: string, options: { all?: boolean } | number | undefined, callback: LookupCallback): void {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0) return callback(new AddressRefused(`${hostname} has no address`), "");
        if (!allowPrivate) {
          for (const { address } of addresses) {
            const problem = addressProblem(address);
            if (problem) return callback(new AddressRefused(`refused: ${hostname} resolves to ${problem}; ${ALLOWED_HINT}`), "");
          }
        }
        if (typeof options === "object" && options?.all) return callback(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ""),
    );
  };
}

/** Refuses a literal address the connection would use without any lookup (node:net skips `lookup` for IP literals). */
export function literalAddressProblem(url: URL, allowPrivate: boolean): string | undefined {
  const host = bareHost(url);
  if (allowPrivate || !ipaddr.isValid(host)) return undefined;
  const problem = addressProblem(host);
  return problem && `refused: ${problem}; ${ALLOWED_HINT}`;
}
