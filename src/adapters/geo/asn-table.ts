import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { forEachCsvRecord } from './csv.js';
import { createIpWords, type IpWords, isIpv4Mapped, parseIpAddress } from './ip-address.js';
import { isPublicAsn } from './special-purpose.js';

/**
 * IP range → autonomous system table, built from the CSV files of `@ip-location-db/asn`.
 *
 * That package ships CSV only, so the table is built in memory at start-up: ~0.5 M ranges
 * parsed once into sorted typed arrays (IPv4 as `Uint32Array` starts/ends, IPv6 as four 32-bit
 * words per bound) plus a deduplicated organisation-name table (~81 k names, ~5 MB of heap),
 * then answered by binary search. The typed arrays hold ~10 MB outside the JS object graph, which
 * the garbage collector never has to trace, and searching them allocates nothing. Loading takes
 * ~0.8 s on a small VM, so there is deliberately no on-disk cache of the parsed form.
 *
 * IPv6 bounds are kept at full 128-bit precision, not just the top 64 bits: about a hundred
 * rows of the data split inside a /64 (starting or ending mid-prefix), and a 64-bit key would
 * attribute those addresses to the neighbouring network.
 */

/** Package the data comes from; resolved through Node so hoisting and pnpm layouts both work. */
const ASN_PACKAGE = '@ip-location-db/asn';
/** `startNum,endNum,asn,org` — numeric IPv4 bounds, cheaper to parse than dotted text. */
const IPV4_CSV = 'asn-ipv4-num.csv';
/** `startIp,endIp,asn,org` — textual IPv6 bounds (the numeric file needs 128-bit decimal parsing). */
const IPV6_CSV = 'asn-ipv6.csv';

/** Row handle returned by {@link AsnTable.find} when no range covers the address. */
export const NO_ROW = -1;

const MAX_UINT32 = 0xffffffff;
/** ASNs below this (every 16-bit ASN and all 32-bit ones assigned so far) get a direct-index slot while interning. */
const DIRECT_ASN_LIMIT = 1 << 20;
/** Number of IPv4 /16 prefixes. */
const BUCKETS = 0x10000;
/** 32-bit words per bound: IPv4 rows store only the last word of the IPv4-mapped form. */
const IPV4_STRIDE = 1;
const IPV6_STRIDE = 4;

/** Columns of one address family, sorted by start. `starts`/`ends` hold `stride` words per row. */
interface RangeColumns {
  readonly count: number;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  readonly asns: Uint32Array;
  /** Index into the organisation table; 0 is "no name". */
  readonly orgs: Uint32Array;
}

export class AsnTable {
  readonly #v4: RangeColumns;
  /**
   * `#v4Buckets[k]` is the first IPv4 row whose start is ≥ `k << 16`. A lookup binary-searches
   * only its /16's handful of rows instead of all ~400 k, avoiding most of the cache misses that
   * dominate a 19-step search over 3 MB: 256 KB that cut the IPv4 search time by more than half.
   */
  readonly #v4Buckets: Uint32Array;
  readonly #v6: RangeColumns;
  /** Deduplicated organisation names; entry 0 is `null` (unknown). ~80 k names for ~0.5 M rows. */
  readonly #orgNames: readonly (string | null)[];

  private constructor(v4: RangeColumns, v6: RangeColumns, orgNames: readonly (string | null)[]) {
    this.#v4 = v4;
    this.#v4Buckets = bucketIndex(v4);
    this.#v6 = v6;
    this.#orgNames = orgNames;
  }

  /**
   * Loads the table from the installed `@ip-location-db/asn` package. Synchronous (start-up
   * only, ~0.8 s); throws when the package is missing or a file is malformed, so a broken
   * install fails at boot rather than silently reporting no networks.
   */
  static fromPackage(): AsnTable {
    const dir = dirname(createRequire(import.meta.url).resolve(`${ASN_PACKAGE}/package.json`));
    return AsnTable.fromCsv(readFileSync(join(dir, IPV4_CSV)), readFileSync(join(dir, IPV6_CSV)));
  }

  /**
   * Builds a table from UTF-8 CSV files in the package's two formats. Rows need not be sorted.
   * Rows with a private or reserved ASN are dropped (they name nobody); an organisation name that
   * is empty or just the `AS<number>` placeholder is stored as unknown.
   *
   * The bytes are read as Latin-1 text — one character per byte, so the ASCII structure (digits,
   * commas, quotes, addresses) is intact — and only each distinct organisation name is decoded as
   * UTF-8. Decoding the whole file as UTF-8 instead produces a two-byte string twice the file
   * size (the data has a few non-ASCII names) and makes the load markedly slower.
   *
   * @param ipv4NumCsv `startNum,endNum,asn,org` with unsigned 32-bit integer bounds.
   * @param ipv6Csv `startIp,endIp,asn,org` with textual IPv6 bounds.
   * @throws Error naming the file and record when a row is malformed.
   */
  static fromCsv(ipv4NumCsv: Uint8Array, ipv6Csv: Uint8Array): AsnTable {
    const v4Text = latin1(ipv4NumCsv);
    const v6Text = latin1(ipv6Csv);
    const orgs = new OrgInterner();
    const v4 = new RangeBuilder(IPV4_STRIDE, countLines(v4Text));
    const v6 = new RangeBuilder(IPV6_STRIDE, countLines(v6Text));
    const start = createIpWords();
    const end = createIpWords();

    forEachCsvRecord(v4Text, (fields, record) => {
      const [from, to, asnText, org] = requireFields(fields, IPV4_CSV, record);
      const first = parseUint32(from);
      const last = parseUint32(to);
      const asn = parseUint32(asnText);
      if (first < 0 || last < 0 || asn < 0 || first > last) {
        throw new Error(`${IPV4_CSV} record ${record}: invalid row ${fields.join(',')}`);
      }
      if (!isPublicAsn(asn)) return;
      start[3] = first;
      end[3] = last;
      v4.push(start, end, asn, orgs.intern(org, asn));
    });

    forEachCsvRecord(v6Text, (fields, record) => {
      const [from, to, asnText, org] = requireFields(fields, IPV6_CSV, record);
      const asn = parseUint32(asnText);
      if (
        !parseIpAddress(from, start) ||
        !parseIpAddress(to, end) ||
        asn < 0 ||
        isIpv4Mapped(start) !== isIpv4Mapped(end) ||
        compareWords(start, 0, end, 0, IPV6_STRIDE) > 0
      ) {
        throw new Error(`${IPV6_CSV} record ${record}: invalid row ${fields.join(',')}`);
      }
      if (!isPublicAsn(asn)) return;
      // An IPv4-mapped range belongs with the IPv4 rows, where lookups of such addresses go.
      (isIpv4Mapped(start) ? v4 : v6).push(start, end, asn, orgs.intern(org, asn));
    });

    return new AsnTable(v4.build(), v6.build(), orgs.names);
  }

  /** Number of ranges held (IPv4 + IPv6). */
  get size(): number {
    return this.#v4.count + this.#v6.count;
  }

  /** Number of distinct organisation names held. */
  get organisationCount(): number {
    return this.#orgNames.length - 1;
  }

  /**
   * Finds the range containing `words`.
   *
   * Where ranges overlap (the data has one such pair) the range that starts later — the more
   * specific one — wins.
   *
   * @returns a row handle for {@link asnAt}/{@link orgAt}, or {@link NO_ROW}.
   */
  find(words: IpWords): number {
    if (isIpv4Mapped(words)) return this.#findV4(words[3]!);
    const row = this.#findV6(words[0]!, words[1]!, words[2]!, words[3]!);
    return row === NO_ROW ? NO_ROW : this.#v4.count + row;
  }

  /** Autonomous system number of a row returned by {@link find}. */
  asnAt(row: number): number {
    const v4Count = this.#v4.count;
    return row < v4Count ? this.#v4.asns[row]! : this.#v6.asns[row - v4Count]!;
  }

  /** Organisation name of a row returned by {@link find}; `null` when the data has none. */
  orgAt(row: number): string | null {
    const v4Count = this.#v4.count;
    const index = row < v4Count ? this.#v4.orgs[row]! : this.#v6.orgs[row - v4Count]!;
    return this.#orgNames[index] ?? null;
  }

  #findV4(ip: number): number {
    const { starts, ends } = this.#v4;
    const bucket = ip >>> 16;
    let lo = this.#v4Buckets[bucket]!;
    let hi = this.#v4Buckets[bucket + 1]! - 1;
    // The row before the bucket starts below it and is the answer unless a row inside starts ≤ ip.
    let found = lo - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= ip) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found !== NO_ROW && ip <= ends[found]! ? found : NO_ROW;
  }

  #findV6(w0: number, w1: number, w2: number, w3: number): number {
    const { count, starts, ends } = this.#v6;
    let lo = 0;
    let hi = count - 1;
    let found = NO_ROW;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compare128(starts, mid * IPV6_STRIDE, w0, w1, w2, w3) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found !== NO_ROW && compare128(ends, found * IPV6_STRIDE, w0, w1, w2, w3) >= 0 ? found : NO_ROW;
  }
}

/** Builds the /16 bucket index described at {@link AsnTable}'s `#v4Buckets`. */
function bucketIndex(v4: RangeColumns): Uint32Array {
  const buckets = new Uint32Array(BUCKETS + 1);
  let row = 0;
  for (let k = 0; k <= BUCKETS; k++) {
    while (row < v4.count && v4.starts[row]! >>> 16 < k) row++;
    buckets[k] = row;
  }
  return buckets;
}

/** Compares the 128-bit value at `array[base..base+4)` with `(w0,w1,w2,w3)`: negative, 0 or positive. */
function compare128(
  array: Uint32Array,
  base: number,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): number {
  const a0 = array[base]!;
  if (a0 !== w0) return a0 - w0;
  const a1 = array[base + 1]!;
  if (a1 !== w1) return a1 - w1;
  const a2 = array[base + 2]!;
  if (a2 !== w2) return a2 - w2;
  return array[base + 3]! - w3;
}

/** Lexicographic comparison of two `stride`-word bounds. */
function compareWords(a: Uint32Array, aBase: number, b: Uint32Array, bBase: number, stride: number): number {
  for (let k = 0; k < stride; k++) {
    const d = a[aBase + k]! - b[bBase + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Upper bound on the number of records, used to size the builders' arrays in one go. */
function countLines(text: string): number {
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/** Parses a decimal unsigned 32-bit integer; `-1` when the text is anything else. */
function parseUint32(text: string): number {
  if (text.length === 0 || text.length > 10) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value <= MAX_UINT32 ? value : -1;
}

function requireFields(
  fields: readonly string[],
  file: string,
  record: number,
): readonly [string, string, string, string] {
  if (fields.length !== 4) {
    throw new Error(`${file} record ${record}: expected 4 fields, got ${fields.length}`);
  }
  return fields as readonly [string, string, string, string];
}

/** Deduplicates organisation names so each appears once however many ranges share it. */
class OrgInterner {
  readonly names: (string | null)[] = [null];
  readonly #byName = new Map<string, number>();
  /**
   * Last name index seen per ASN (-1: none yet). An ASN nearly always carries one name, and an
   * array read plus one short string comparison is much cheaper than hashing every name string.
   * Indexed directly below {@link DIRECT_ASN_LIMIT} (4 MB, dropped after loading): a `Map` keyed
   * by numbers this large was the single biggest cost of the load.
   */
  readonly #byAsn = new Int32Array(DIRECT_ASN_LIMIT).fill(-1);
  readonly #byLargeAsn = new Map<number, number>();

  /**
   * Index of `name` in {@link names}, adding it if new; 0 for an empty or `AS<asn>` placeholder
   * name. `name` is Latin-1 text of UTF-8 bytes (see {@link AsnTable.fromCsv}); it is stored decoded.
   */
  intern(name: string, asn: number): number {
    const previous = asn < DIRECT_ASN_LIMIT ? this.#byAsn[asn]! : (this.#byLargeAsn.get(asn) ?? -1);
    if (previous >= 0 && this.names[previous] === name) return previous;
    let index: number | undefined;
    if (name.length === 0 || (name.charCodeAt(0) === 0x41 && name === `AS${asn}`)) {
      index = 0;
    } else {
      index = this.#byName.get(name);
      if (index === undefined) {
        index = this.names.length;
        this.#byName.set(name, index);
        this.names.push(decodeUtf8(name));
      }
    }
    if (previous === index) return index;
    if (asn < DIRECT_ASN_LIMIT) this.#byAsn[asn] = index;
    else this.#byLargeAsn.set(asn, index);
    return index;
  }
}

/** Views bytes as Latin-1 text: one character per byte, no decoding work, one-byte string. */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/**
 * Decodes Latin-1 text holding UTF-8 bytes. The result is also a fresh flat string, which
 * matters: field strings are V8 slices of the whole file text, and keeping one would keep the
 * entire 20 MB text alive for the life of the process.
 */
function decodeUtf8(latin1Text: string): string {
  return Buffer.from(latin1Text, 'latin1').toString('utf8');
}

/** Accumulates rows of one address family into preallocated columns, then sorts and trims them. */
class RangeBuilder {
  readonly #stride: number;
  #starts: Uint32Array;
  #ends: Uint32Array;
  #asns: Uint32Array;
  #orgs: Uint32Array;
  #count = 0;

  constructor(stride: number, capacity: number) {
    this.#stride = stride;
    this.#starts = new Uint32Array(capacity * stride);
    this.#ends = new Uint32Array(capacity * stride);
    this.#asns = new Uint32Array(capacity);
    this.#orgs = new Uint32Array(capacity);
  }

  /** Appends a row; `start`/`end` are full 128-bit words, of which the last `stride` are kept. */
  push(start: IpWords, end: IpWords, asn: number, org: number): void {
    const stride = this.#stride;
    if (this.#count === this.#asns.length) this.#grow();
    const base = this.#count * stride;
    const skip = 4 - stride;
    for (let k = 0; k < stride; k++) {
      this.#starts[base + k] = start[skip + k]!;
      this.#ends[base + k] = end[skip + k]!;
    }
    this.#asns[this.#count] = asn;
    this.#orgs[this.#count] = org;
    this.#count++;
  }

  /** Columns trimmed to size and sorted by start (already the case for the published files). */
  build(): RangeColumns {
    const count = this.#count;
    const stride = this.#stride;
    const starts = this.#starts.slice(0, count * stride);
    const ends = this.#ends.slice(0, count * stride);
    const asns = this.#asns.slice(0, count);
    const orgs = this.#orgs.slice(0, count);
    let sorted = true;
    for (let i = 1; i < count && sorted; i++) {
      sorted = compareWords(starts, (i - 1) * stride, starts, i * stride, stride) <= 0;
    }
    if (sorted) return { count, starts, ends, asns, orgs };

    const order = Array.from({ length: count }, (_, i) => i);
    order.sort((a, b) => compareWords(starts, a * stride, starts, b * stride, stride) || a - b);
    const permuted = {
      count,
      starts: new Uint32Array(count * stride),
      ends: new Uint32Array(count * stride),
      asns: new Uint32Array(count),
      orgs: new Uint32Array(count),
    };
    order.forEach((from, to) => {
      permuted.starts.set(starts.subarray(from * stride, (from + 1) * stride), to * stride);
      permuted.ends.set(ends.subarray(from * stride, (from + 1) * stride), to * stride);
      permuted.asns[to] = asns[from]!;
      permuted.orgs[to] = orgs[from]!;
    });
    return permuted;
  }

  /** Only reached when rows outnumber lines (an IPv4-mapped row in the IPv6 file). */
  #grow(): void {
    const rows = Math.max(16, this.#count * 2);
    const grow = (array: Uint32Array, width: number): Uint32Array => {
      const bigger = new Uint32Array(rows * width);
      bigger.set(array);
      return bigger;
    };
    this.#starts = grow(this.#starts, this.#stride);
    this.#ends = grow(this.#ends, this.#stride);
    this.#asns = grow(this.#asns, 1);
    this.#orgs = grow(this.#orgs, 1);
  }
}
