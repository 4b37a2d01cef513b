import { type IpWords, isIpv4Mapped } from './ip-address.js';

/**
 * Addresses and AS numbers that IANA sets aside (private, loopback, documentation, multicast…).
 *
 * They are filtered explicitly rather than trusting the databases to have no rows for them: a
 * click from `10.0.0.1` (a misconfigured proxy chain) or from a private ASN leaked into a BGP
 * table must never be attributed to a country or network, whatever a future data release says.
 */

/** `[network, prefix length]` of the IPv4 blocks that are not globally routed (IANA IPv4 Special-Purpose Address Registry). */
const IPV4_SPECIAL_BLOCKS: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local
  ['172.16.0.0', 12], // private (RFC 1918)
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation TEST-NET-1
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast (RFC 7526)
  ['192.168.0.0', 16], // private (RFC 1918)
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation TEST-NET-2
  ['203.0.113.0', 24], // documentation TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including 255.255.255.255 broadcast
];

/** Precomputed `(network, mask)` pairs so the check is a handful of integer comparisons. */
const IPV4_SPECIAL = new Uint32Array(IPV4_SPECIAL_BLOCKS.length * 2);
IPV4_SPECIAL_BLOCKS.forEach(([network, prefix], i) => {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const [a, b, c, d] = network.split('.').map(Number) as [number, number, number, number];
  IPV4_SPECIAL[2 * i] = ((a << 24) | (b << 16) | (c << 8) | d) & mask;
  IPV4_SPECIAL[2 * i + 1] = mask;
});

/** True when the IPv4 address (unsigned 32-bit) is globally routable unicast. */
export function isPublicIpv4(ip: number): boolean {
  for (let i = 0; i < IPV4_SPECIAL.length; i += 2) {
    if ((ip & IPV4_SPECIAL[i + 1]!) >>> 0 === IPV4_SPECIAL[i]) return false;
  }
  return true;
}

/**
 * True when the address is globally routable unicast: public IPv4 (including IPv4-mapped), or
 * IPv6 inside `2000::/3` minus the documentation prefixes. Everything else IPv6 — loopback,
 * link-local, unique-local, multicast, the deprecated IPv4-compatible `::a.b.c.d` — is not a
 * place on the map.
 */
export function isPublicAddress(words: IpWords): boolean {
  const w0 = words[0]!;
  if (isIpv4Mapped(words)) return isPublicIpv4(words[3]!);
  if (w0 >>> 29 !== 1) return false; // outside 2000::/3 global unicast
  if (w0 === 0x20010db8) return false; // 2001:db8::/32 documentation (RFC 3849)
  if (w0 >>> 12 === 0x3fff0) return false; // 3fff::/20 documentation (RFC 9637)
  return true;
}

/**
 * True when `asn` identifies a public network: not AS0, AS_TRANS (23456), documentation,
 * private-use (RFC 6996) or reserved numbers (IANA Special-Purpose AS Numbers registry).
 * RouteViews tables occasionally carry private ASNs that leaked into BGP; they name nobody.
 */
export function isPublicAsn(asn: number): boolean {
  if (asn === 0 || asn === 23456) return false;
  if (asn >= 64496 && asn <= 131071) return false; // documentation, private 16-bit, 65535, reserved
  if (asn >= 4200000000) return false; // private 32-bit and 4294967295
  return true;
}
