import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** What survives of a client address: a truncated network and a keyed hash. The address itself does not. */
export interface AnonymizedAddress {
  /** IPv4 /24 or IPv6 /48 in CIDR notation, e.g. `203.0.113.0/24`, `2001:db8:85a3::/48`. */
  readonly prefix: string;
  /** Canonical textual form (IPv4-mapped IPv6 unwrapped), only for the in-memory lookups that follow. */
  readonly canonical: string;
}

/** Length of the stored `ip_hash` in hex characters (128 bits). */
export const IP_HASH_HEX_LENGTH = 32;

/** Truncates an address; `null` when the text is not an IP address. */
export function anonymizeAddress(ip: string): AnonymizedAddress | null {
  // ipaddr.js also takes legacy forms like "1.2.3"; only canonical socket addresses are meant here.
  const version = isIP(ip);
  if (version === 0) return null;
  // Fast path for the common case, a dotted IPv4 (plain or IPv4-mapped): no parsing needed.
  const v4 = version === 4 ? ip : ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : null;
  if (v4 !== null) return { prefix: `${v4.slice(0, v4.lastIndexOf('.'))}.0/24`, canonical: v4 };
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(ip);
  } catch {
    return null;
  }
  if (parsed.kind() === 'ipv4') {
    const [a, b, c] = (parsed as ipaddr.IPv4).octets;
    return { prefix: `${a}.${b}.${c}.0/24`, canonical: parsed.toString() };
  }
  const parts = (parsed as ipaddr.IPv6).parts;
  const head = parts
    .slice(0, 3)
    .map((part) => part.toString(16))
    .join(':');
  return { prefix: `${head}::/48`, canonical: parsed.toString() };
}

/** HMAC-SHA256 of the canonical address with the day's salt: stable within a day and workspace, unlinkable across them. */
export function hashAddress(canonical: string, salt: Buffer): string {
  return createHmac('sha256', salt).update(canonical).digest('hex').slice(0, IP_HASH_HEX_LENGTH);
}
