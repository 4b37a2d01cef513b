/**
 * Textual IP address ⇄ 128-bit words, without allocating.
 *
 * Every address is represented the same way: four big-endian 32-bit words in a caller-owned
 * `Uint32Array(4)`. IPv4 is stored in its IPv4-mapped IPv6 form (`::ffff:a.b.c.d`, RFC 4291
 * §2.5.5.2), so `1.2.3.4`, `::ffff:1.2.3.4` and `::ffff:102:304` all produce identical words and
 * every later stage (reserved-range check, country, ASN) has one code path per address family.
 *
 * The parser is hand-written rather than `ipaddr.js` or `net.isIP` because it runs on every
 * redirect: it reads the string with `charCodeAt` and writes into the caller's array, so a lookup
 * creates no garbage before it reaches the databases.
 */

/** Number of 32-bit words in {@link IpWords}. */
export const IP_WORDS_LENGTH = 4;

/** A 128-bit address as four big-endian 32-bit words (IPv4 in IPv4-mapped form). Length 4. */
export type IpWords = Uint32Array;

/** Allocates a scratch array suitable for {@link parseIpAddress}. */
export function createIpWords(): IpWords {
  return new Uint32Array(IP_WORDS_LENGTH);
}

/** Top 32 bits of the IPv4-mapped prefix `::ffff:0:0/96` live in word 2. */
const IPV4_MAPPED_WORD2 = 0xffff;

const COLON = 0x3a;
const DOT = 0x2e;
const PERCENT = '%';

/**
 * Scratch for the eight 16-bit groups of an IPv6 address. Module-level because parsing is
 * synchronous and never re-entered, and a fresh array per call is exactly the garbage we avoid.
 */
const groups = new Uint16Array(8);

/** True when `words` holds an IPv4 address (i.e. lies in `::ffff:0:0/96`). */
export function isIpv4Mapped(words: IpWords): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === IPV4_MAPPED_WORD2;
}

/**
 * Parses `text` as an IPv4 (strict dotted decimal, as `net.isIPv4` accepts it: no leading zeros,
 * no shorthand) or IPv6 address (RFC 4291 text forms, embedded dotted IPv4 tail, optional
 * `%zone` suffix which is ignored) into `out`. Accepts exactly what Node's `net.isIP` accepts.
 *
 * @returns `false` (leaving `out` in an unspecified state) when `text` is not an address. Never
 *   throws: callers hand it untrusted input straight from the socket or a proxy header.
 */
export function parseIpAddress(text: string, out: IpWords): boolean {
  if (typeof text !== 'string' || text.length === 0) return false;
  if (text.indexOf(':') < 0) {
    const v4 = parseIpv4(text, 0, text.length);
    if (v4 < 0) return false;
    out[0] = 0;
    out[1] = 0;
    out[2] = IPV4_MAPPED_WORD2;
    out[3] = v4;
    return true;
  }
  return parseIpv6(text, out);
}

/**
 * Formats words back to text: dotted decimal for IPv4-mapped addresses, otherwise eight
 * uncompressed hex groups. Not for display (no RFC 5952 compression); used where a library API
 * insists on a string, off the hot path.
 */
export function formatIpAddress(words: IpWords): string {
  const w3 = words[3]!;
  if (isIpv4Mapped(words)) {
    return `${w3 >>> 24}.${(w3 >>> 16) & 0xff}.${(w3 >>> 8) & 0xff}.${w3 & 0xff}`;
  }
  const parts: string[] = [];
  for (let i = 0; i < IP_WORDS_LENGTH; i++) {
    const w = words[i]!;
    parts.push((w >>> 16).toString(16), (w & 0xffff).toString(16));
  }
  return parts.join(':');
}

/**
 * Parses `text[start, end)` as dotted-decimal IPv4.
 *
 * @returns the address as an unsigned 32-bit value, or `-1` when invalid.
 */
function parseIpv4(text: string, start: number, end: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      dots++;
      part = 0;
      digits = 0;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9) return -1;
    // A leading zero is rejected, as Node does: `010` means 8 to inet_aton and 10 to others.
    if (digits > 0 && part === 0) return -1;
    part = part * 10 + d;
    if (part > 255) return -1;
    digits++;
  }
  if (digits === 0 || dots !== 3) return -1;
  // Multiplication rather than shifts keeps the value positive for addresses ≥ 128.0.0.0.
  return value * 256 + part;
}

/** True when `text[start..]` is a non-empty zone id of `[0-9A-Za-z.:-]`, the set `net.isIPv6` accepts. */
function isZoneId(text: string, start: number): boolean {
  if (start >= text.length) return false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const lower = c | 0x20;
    const ok = (c >= 0x30 && c <= 0x3a) || (lower >= 0x61 && lower <= 0x7a) || c === 0x2d || c === DOT;
    if (!ok) return false;
  }
  return true;
}

/** Value of one hex digit, or `-1`. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x57;
  return -1;
}

function parseIpv6(text: string, out: IpWords): boolean {
  const zone = text.indexOf(PERCENT);
  // A zone id only qualifies link-local scope and is ignored, but must look like one.
  if (zone >= 0 && !isZoneId(text, zone + 1)) return false;
  const end = zone < 0 ? text.length : zone;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    const groupStart = i;
    let value = 0;
    let digits = 0;
    while (i < end) {
      const h = hexDigit(text.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      digits++;
      i++;
    }
    if (i < end && text.charCodeAt(i) === DOT) {
      // Embedded IPv4 (`::ffff:1.2.3.4`): must be the last 32 bits.
      if (count > 6) return false;
      const v4 = parseIpv4(text, groupStart, end);
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    groups[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (i === end) return false;
    if (text.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    }
  }
  if (gap < 0) {
    if (count !== 8) return false;
  } else {
    // `::` stands for at least one zero group.
    if (count > 7) return false;
    const tail = count - gap;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k]!;
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  for (let w = 0; w < IP_WORDS_LENGTH; w++) {
    out[w] = groups[2 * w]! * 0x10000 + groups[2 * w + 1]!;
  }
  return true;
}
