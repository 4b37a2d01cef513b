import net from 'node:net';

/**
 * The SSRF rule: which addresses the dispatcher refuses to connect to (DESIGN §7). It is applied to
 * the address actually connected to, after DNS resolution, so a public-looking hostname that
 * resolves to an internal address is refused too.
 */
export const BLOCKED_ADDRESS_REASONS = [
  'loopback',
  'private',
  'link_local',
  'cgnat',
  'multicast',
  'unspecified',
  'metadata',
  /** Documentation, benchmarking, protocol-assignment and other not-globally-routed space. */
  'reserved',
  /** Not an IP address at all. */
  'invalid',
] as const;
export type BlockedAddressReason = (typeof BLOCKED_ADDRESS_REASONS)[number];

/** A rule: CIDR and why it is refused. Specific ranges come before the ranges that contain them. */
type Rule = readonly [cidr: string, reason: BlockedAddressReason];

const IPV4_RULES: readonly Rule[] = [
  ['0.0.0.0/8', 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'], // also holds Alibaba Cloud's metadata address 100.100.100.200
  ['127.0.0.0/8', 'loopback'],
  ['169.254.169.254/32', 'metadata'], // AWS, GCP, Azure, OpenStack instance metadata
  ['169.254.0.0/16', 'link_local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments (Oracle Cloud metadata is 192.0.0.192)
  ['192.0.2.0/24', 'reserved'], // documentation
  ['192.88.99.0/24', 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['198.51.100.0/24', 'reserved'], // documentation
  ['203.0.113.0/24', 'reserved'], // documentation
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'], // future use, and 255.255.255.255 broadcast
];

/**
 * IPv6 rules. Ranges that embed an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are
 * not listed: the embedded address is judged by the IPv4 rules instead (see `embeddedIpv4`).
 */
const IPV6_RULES: readonly Rule[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fd00:ec2::254/128', 'metadata'], // AWS instance metadata over IPv6
  ['64:ff9b:1::/48', 'private'], // local-use NAT64 (RFC 8215)
  ['100::/64', 'reserved'], // discard-only
  ['2001::/32', 'reserved'], // Teredo: the real endpoint is hidden in the address
  ['2001:db8::/32', 'reserved'], // documentation
  ['3fff::/20', 'reserved'], // documentation
  ['fc00::/7', 'private'], // unique local
  ['fe80::/10', 'link_local'],
  ['fec0::/10', 'private'], // deprecated site-local
  ['ff00::/8', 'multicast'],
];

interface CompiledRule {
  readonly bytes: Uint8Array;
  readonly prefix: number;
  readonly reason: BlockedAddressReason;
}

const COMPILED_V4 = IPV4_RULES.map(compile);
const COMPILED_V6 = IPV6_RULES.map(compile);

/**
 * Why the address must not be connected to, or `null` when it is a globally routable unicast
 * address. IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`)
 * and 6to4 (`2002::/16`) forms are judged by the IPv4 address inside them; any IPv6 address outside
 * global unicast `2000::/3` is refused.
 */
export function blockedAddressReason(address: string): BlockedAddressReason | null {
  const bytes = addressBytes(address);
  if (bytes === null) return 'invalid';
  if (bytes.length === 4) return firstMatch(COMPILED_V4, bytes);
  const reason = firstMatch(COMPILED_V6, bytes);
  if (reason !== null) return reason;
  const v4 = embeddedIpv4(bytes);
  if (v4 !== null) return firstMatch(COMPILED_V4, v4);
  if ((bytes[0]! & 0xe0) !== 0x20) return 'reserved'; // outside 2000::/3
  return null;
}

/** True for an IPv4 or IPv6 literal (`net.isIP`), as opposed to a name that needs resolving. */
export function isIpLiteral(host: string): boolean {
  return net.isIP(stripBrackets(host)) !== 0;
}

/** The IPv4 address an IPv6 address stands for, if it is one of the forms that embed one. */
function embeddedIpv4(b: Uint8Array): Uint8Array | null {
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated but still routed by some stacks)
  if (zeros(0, 10) && ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0)))
    return b.subarray(12, 16);
  // 64:ff9b::a.b.c.d, the well-known NAT64 prefix (RFC 6052)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12))
    return b.subarray(12, 16);
  // 2002:AABB:CCDD::/48, 6to4 (RFC 3056)
  if (b[0] === 0x20 && b[1] === 0x02) return b.subarray(2, 6);
  return null;
}

function firstMatch(rules: readonly CompiledRule[], bytes: Uint8Array): BlockedAddressReason | null {
  for (const rule of rules) if (inPrefix(bytes, rule.bytes, rule.prefix)) return rule.reason;
  return null;
}

function inPrefix(bytes: Uint8Array, network: Uint8Array, prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i]! & mask) !== (network[i]! & mask)) return false;
  }
  return true;
}

function compile([cidr, reason]: Rule): CompiledRule {
  const [address, prefix] = cidr.split('/') as [string, string];
  const bytes = addressBytes(address);
  if (bytes === null) throw new Error(`bad rule ${cidr}`);
  return { bytes, prefix: Number(prefix), reason };
}

/** 4 bytes for IPv4, 16 for IPv6 (zone index dropped), `null` for anything else. */
export function addressBytes(text: string): Uint8Array | null {
  const address = stripBrackets(text).replace(/%.*$/, '');
  const family = net.isIP(address);
  if (family === 4) return Uint8Array.from(address.split('.').map(Number));
  if (family !== 6) return null;
  // The URL parser serialises IPv6 in canonical hex form (a trailing dotted quad becomes two hex
  // groups), which leaves only `::` to expand.
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head, tail] = canonical.includes('::') ? canonical.split('::') : [canonical, null];
  const groups = (part: string | null | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === null ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
