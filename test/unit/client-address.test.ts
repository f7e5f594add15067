import { describe, expect, test } from "bun:test";
import { clientAddress, parseTrustedProxies } from "../../src/http/client-address.ts";

/** Whether TRUST_PROXY=`entries` trusts each address, as a list of [address, trusted] pairs. */
function verdicts(entries: string, addresses: string[]): [string, boolean][] {
  const { trusts, invalid } = parseTrustedProxies(entries);
  expect(invalid).toEqual([]);
  return addresses.map((address) => [address, trusts(address)]);
}

describe("TRUST_PROXY: IPv6 CIDR blocks", () => {
  test("fd00::/8 (unique local): every fdxx address, nothing next to it", () => {
    expect(verdicts("fd00::/8", ["fd00::1", "fd12:3456:789a::1", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fc00::1", "fe00::", "fe80::1", "::1", "10.0.0.1"])).toEqual([
      ["fd00::1", true],
      ["fd12:3456:789a::1", true],
      ["fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true],
      ["fc00::1", false],
      ["fe00::", false],
      ["fe80::1", false],
      ["::1", false],
      ["10.0.0.1", false],
    ]);
  });

  test("2001:db8::/32: written in any case, compressed or not, in brackets", () => {
    expect(verdicts("2001:DB8::/32", ["2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:DB8:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "[2001:db8::7]", "2001:db9::1", "2001:db7:ffff::1"])).toEqual([
      ["2001:db8::1", true],
      ["2001:0db8:0000:0000:0000:0000:0000:0001", true],
      ["2001:DB8:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", true],
      ["[2001:db8::7]", true],
      ["2001:db9::1", false],
      ["2001:db7:ffff::1", false],
    ]);
  });

  test("/64: the last 64 bits are free, the first 64 are not", () => {
    expect(verdicts("2001:db8:1:2::/64", ["2001:db8:1:2::", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:3::", "2001:db8:1:1:ffff:ffff:ffff:ffff"])).toEqual([
      ["2001:db8:1:2::", true],
      ["2001:db8:1:2:ffff:ffff:ffff:ffff", true],
      ["2001:db8:1:3::", false],
      ["2001:db8:1:1:ffff:ffff:ffff:ffff", false],
    ]);
  });

  test("/128 and a bare address are one host, however either is written", () => {
    expect(verdicts("::1/128", ["::1", "0:0:0:0:0:0:0:1", "::", "::2"])).toEqual([
      ["::1", true],
      ["0:0:0:0:0:0:0:1", true],
      ["::", false],
      ["::2", false],
    ]);
    expect(verdicts("2001:0db8:0000:0000:0000:0000:0000:0001", ["2001:db8::1", "2001:db8::2"])).toEqual([
      ["2001:db8::1", true],
      ["2001:db8::2", false],
    ]);
    expect(verdicts("2001:db8:0:0:1::", ["2001:db8::1:0:0:0", "2001:db8:0:0:1:0:0:1"])).toEqual([
      ["2001:db8::1:0:0:0", true],
      ["2001:db8:0:0:1:0:0:1", false],
    ]);
  });

  test("/0: ::/0 is every address (IPv4 ones are IPv4-mapped IPv6); 0.0.0.0/0 every IPv4 address only", () => {
    expect(verdicts("::/0", ["::", "2001:db8::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "203.0.113.9"])).toEqual([
      ["::", true],
      ["2001:db8::1", true],
      ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true],
      ["203.0.113.9", true],
    ]);
    expect(verdicts("0.0.0.0/0", ["203.0.113.9", "::ffff:203.0.113.9", "2001:db8::1", "::1"])).toEqual([
      ["203.0.113.9", true],
      ["::ffff:203.0.113.9", true],
      ["2001:db8::1", false],
      ["::1", false],
    ]);
  });

  test("an embedded IPv4 tail is read as its two groups", () => {
    expect(verdicts("64:ff9b::/96", ["64:ff9b::192.0.2.33", "64:ff9b::c000:221", "64:ff9c::1"])).toEqual([
      ["64:ff9b::192.0.2.33", true],
      ["64:ff9b::c000:221", true],
      ["64:ff9c::1", false],
    ]);
  });
});

describe("TRUST_PROXY: IPv4 blocks hold IPv4-mapped IPv6 peers", () => {
  test("::ffff:10.0.0.1, in dotted or hex form, is in 10.0.0.0/8", () => {
    expect(verdicts("10.0.0.0/8", ["10.0.0.1", "::ffff:10.0.0.1", "::FFFF:10.255.255.255", "::ffff:a00:1", "::ffff:11.0.0.1", "11.0.0.1", "::a00:1"])).toEqual([
      ["10.0.0.1", true],
      ["::ffff:10.0.0.1", true],
      ["::FFFF:10.255.255.255", true],
      ["::ffff:a00:1", true],
      ["::ffff:11.0.0.1", false],
      ["11.0.0.1", false],
      ["::a00:1", false],
    ]);
  });

  test("/32, /0 and the same block written as IPv4-mapped IPv6", () => {
    expect(verdicts("192.168.1.1/32", ["192.168.1.1", "::ffff:192.168.1.1", "192.168.1.2"])).toEqual([
      ["192.168.1.1", true],
      ["::ffff:192.168.1.1", true],
      ["192.168.1.2", false],
    ]);
    expect(verdicts("::ffff:10.0.0.0/104", ["10.1.2.3", "::ffff:10.1.2.3", "11.1.2.3"])).toEqual([
      ["10.1.2.3", true],
      ["::ffff:10.1.2.3", true],
      ["11.1.2.3", false],
    ]);
  });

  test("loopback is 127.0.0.0/8 and ::1, mapped or not", () => {
    expect(verdicts("loopback", ["127.0.0.1", "127.255.255.254", "::ffff:127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "::2", "128.0.0.1", "::ffff:128.0.0.1"])).toEqual([
      ["127.0.0.1", true],
      ["127.255.255.254", true],
      ["::ffff:127.0.0.1", true],
      ["::1", true],
      ["0:0:0:0:0:0:0:1", true],
      ["::2", false],
      ["128.0.0.1", false],
      ["::ffff:128.0.0.1", false],
    ]);
  });
});

describe("TRUST_PROXY: what is not an address or a block is refused, and never trusted", () => {
  test.each([
    ["a prefix longer than the address", "fd00::/129"],
    ["an IPv4 prefix over 32", "10.0.0.0/33"],
    ["an empty prefix (it once read as /0: every address)", "10.0.0.0/"],
    ["an empty IPv6 prefix", "fd00::/"],
    ["two prefixes", "10.0.0.0/8/8"],
    ["a negative prefix", "::1/-1"],
    ["a fractional prefix", "::1/1.5"],
    ["a prefix with a sign", "10.0.0.0/+8"],
    ["two '::'", "1::2::3"],
    ["a stray colon", ":::1"],
    ["a leading single colon", ":1:2:3:4:5:6:7"],
    ["five hex digits in a group", "12345::"],
    ["a letter past f", "g::1"],
    ["nine groups", "1:2:3:4:5:6:7:8:9"],
    ["seven groups and no '::'", "1:2:3:4:5:6:7"],
    ["eight groups and a '::'", "1:2:3:4:5:6:7:8::"],
    ["an IPv4 part not at the end", "1.2.3.4::"],
    ["an IPv4 octet over 255", "256.0.0.1"],
    ["an IPv4 octet with a leading zero (octal to some readers)", "010.0.0.1"],
    ["three IPv4 octets", "10.0.0"],
    ["a zone index", "fe80::1%eth0"],
    ["a short embedded IPv4 tail", "::ffff:1.2.3"],
    ["a host name", "proxy.example"],
    ["a prefix alone", "/8"],
  ])("%s: %s", (_, entry) => {
    const { invalid, trusts } = parseTrustedProxies(`10.0.0.0/8, ${entry}, ::1`);
    expect(invalid).toEqual([entry]);
    // The other entries still hold, and nothing else slipped in.
    expect([trusts("10.1.1.1"), trusts("::1"), trusts("203.0.113.9"), trusts("2001:db8::1")]).toEqual([true, true, false, false]);
  });

  test("edge forms that are addresses are accepted", () => {
    expect(parseTrustedProxies("::, ::/0, 1:2:3:4:5:6:7::, ::2:3:4:5:6:7:8, [2001:db8::1], 0.0.0.0/0, 255.255.255.255/32").invalid).toEqual([]);
  });

  test("a peer that is not an address is never trusted", () => {
    const { trusts } = parseTrustedProxies("::/0, 0.0.0.0/0");
    expect(["local", "", "unix:/run/sock", "fe80::1%eth0", "1::2::3"].map(trusts)).toEqual([false, false, false, false, false]);
  });
});

describe("client address behind an IPv6 proxy", () => {
  const { trusts } = parseTrustedProxies("fd00::/8, 10.0.0.0/8");
  test.each([
    ["a trusted IPv6 peer: the rightmost untrusted hop", "fd00::5", "2001:db8::9, fd00::7", "2001:db8::9"],
    ["trusted hops of both families are skipped", "fd00::5", "198.51.100.5, 10.0.0.2, fd12::1", "198.51.100.5"],
    ["an untrusted IPv6 peer's header is ignored", "2001:db8::66", "198.51.100.5", "2001:db8::66"],
    ["an IPv4-mapped peer in an IPv4 block", "::ffff:10.0.0.1", "2001:db8::9", "2001:db8::9"],
  ])("%s", (_, peer, header, expected) => {
    expect(clientAddress(peer, header, trusts)).toBe(expected);
  });
});
