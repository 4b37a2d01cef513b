/** Network facts the edge derives from a client IP, in memory, before the IP is dropped. */
export interface NetworkFacts {
  /** ISO 3166-1 alpha-2 country code, upper case; `null` when unknown. */
  readonly country: string | null;
  /** Autonomous system number; `null` when unknown. */
  readonly asn: number | null;
  /** Organisation name of the autonomous system; `null` when unknown. */
  readonly asnOrg: string | null;
}

/**
 * Port: IP → country and network, answered from a database bundled with the install (no network
 * calls at run time). Must never throw: an address it cannot place gives `null` fields.
 */
export interface GeoLookup {
  /** Looks up a textual IPv4 or IPv6 address (IPv4-mapped IPv6 is accepted). Synchronous and fast: it runs on the redirect path. */
  lookup(ip: string): NetworkFacts;
}
