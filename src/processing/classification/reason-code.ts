/**
 * Reason codes: every signal the classifier can see on a click, as stable snake_case strings.
 * They are part of the event contract (`click.reasons`), so codes are only ever added, never
 * renamed. A click's `reasons` list follows the order of {@link REASON_CODES}.
 */
export const REASON_CODES = [
  /** The user agent names a chat or social link-preview fetcher (Slackbot, WhatsApp, iMessage …). */
  'ua_link_preview',
  /** The user agent names an email or web security scanner (Barracuda, Proofpoint, Mimecast …). */
  'ua_security_scanner',
  /** The user agent matches the `isbot` crawler and HTTP-client patterns. */
  'ua_known_bot',
  /** The user agent names a headless or automated browser (HeadlessChrome, PhantomJS, Selenium …). */
  'ua_headless_browser',
  /** No user agent, or only whitespace. Every browser sends one. */
  'ua_missing',
  /** A user agent that neither looks like a browser (`Mozilla/…`, `Opera/…`) nor names a known bot. */
  'ua_not_browser_like',
  /** `sec-purpose`, `purpose`, `x-purpose` or `x-moz` announce a prefetch, prerender or preview. */
  'prefetch_header',
  /** The request was a HEAD: a link check, not a visit. */
  'head_request',
  /** `sec-fetch-mode` is present and is not a navigation (the link was loaded as an image, by fetch() …). */
  'non_navigation_request',
  /** No `accept` header, which every browser navigation carries. */
  'missing_accept',
  /** No `accept-language` header, which every browser navigation carries. */
  'missing_accept_language',
  /** The user agent claims a browser version that always sends `sec-fetch-*`, but none arrived. */
  'missing_fetch_metadata',
  /** The client network is a hosting or cloud provider, not an access network. */
  'datacenter_network',
  /** This visitor clicked this link too many times too fast (see `BurstSignals`). */
  'burst_same_visitor_link',
  /** This network clicked many distinct links seconds apart (the pattern of a mail scanner). */
  'burst_network_distinct_links',
] as const;

/** One classification signal; see {@link REASON_CODES} for the meaning of each. */
export type ReasonCode = (typeof REASON_CODES)[number];

/** Position of each code in {@link REASON_CODES}, for putting a reason list in its stable order. */
export const REASON_CODE_ORDER: ReadonlyMap<ReasonCode, number> = new Map(
  REASON_CODES.map((code, index) => [code, index]),
);
