/**
 * A raw click as the edge captured it: everything classification and enrichment will ever need,
 * and nothing that identifies a person directly. The client IP never appears here — only what the
 * edge derived from it in memory (hash, truncated prefix, country, ASN).
 */

/** Outcome of the redirect the edge answered. */
export type RedirectStatus = 'success' | 'blocked' | 'not_found';

/** Why a known link was not followed; `null` when `redirect_status` is not `blocked`. */
export type BlockReason = 'link_disabled' | 'link_expired';

/**
 * Request headers kept on a raw click, lower-case names. Only these are ever stored: they are what
 * bot, prefetch and preview detection and enrichment need. Values are capped at
 * {@link MAX_CAPTURED_HEADER_BYTES}.
 */
export const CAPTURED_HEADERS = [
  'user-agent',
  'referer',
  'accept',
  'accept-language',
  'accept-encoding',
  'sec-fetch-site',
  'sec-fetch-mode',
  'sec-fetch-dest',
  'sec-fetch-user',
  'sec-purpose',
  'purpose',
  'x-purpose',
  'x-moz',
  'sec-ch-ua',
  'sec-ch-ua-mobile',
  'sec-ch-ua-platform',
  'upgrade-insecure-requests',
  'via',
  'forwarded',
  'dnt',
] as const;

export type CapturedHeaderName = (typeof CAPTURED_HEADERS)[number];

/** Longest header value kept; longer values are cut (user agents beyond this are not browsers). */
export const MAX_CAPTURED_HEADER_BYTES = 1024;

export type CapturedHeaders = Partial<Record<CapturedHeaderName, string>>;

export interface RawClick {
  /** `clk_` + ULID, assigned at the edge; the processor stores each id at most once. */
  readonly clickId: string;
  /** When the edge received the request, epoch milliseconds. */
  readonly occurredAt: number;
  readonly workspaceId: string;
  /** `null` for an unknown slug. */
  readonly linkId: string | null;
  /** Branded domain the request came in on; `null` for the default domain. */
  readonly domainId: string | null;
  /** The path segment requested (at most 64 characters are kept). */
  readonly slug: string;
  readonly method: 'GET' | 'HEAD';
  readonly redirectStatus: RedirectStatus;
  readonly blockReason: BlockReason | null;
  readonly headers: CapturedHeaders;
  /**
   * HMAC-SHA256 of the client IP with the workspace's salt of the day, hex, 32 characters;
   * `null` when the workspace's privacy options turn the hash off.
   */
  readonly ipHash: string | null;
  /** Truncated network: IPv4 /24 (`203.0.113.0/24`) or IPv6 /48; `null` when turned off. */
  readonly ipPrefix: string | null;
  /** ISO 3166-1 alpha-2, `null` when the address is not in the bundled database. */
  readonly country: string | null;
  /** Autonomous system number of the client network, `null` when unknown. */
  readonly asn: number | null;
  /** Name of that autonomous system's organisation, `null` when unknown. */
  readonly asnOrg: string | null;
  /**
   * `true` for a click recorded by `POST /v1/clicks/simulate` rather than by a request to the edge:
   * it goes through the whole pipeline and its events, marked `simulated: true`, but is left out
   * of rollups (so of analytics) and of click lists unless asked for. Absent means `false`.
   */
  readonly simulated?: boolean;
  /**
   * Label of the privacy mode the edge applied (`privacyModeLabel`, src/privacy/privacy-settings.ts).
   * Absent on clicks captured before modes existed: those had the default mode.
   */
  readonly privacyMode?: string;
}
