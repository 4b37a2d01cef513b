/** The two parts of a referrer URL that enrichment keeps. */
export interface ReferrerOrigin {
  /** Lower-case scheme without the colon: `https`, `android-app` … */
  readonly scheme: string;
  /** Lower-case host without port, credentials or trailing dot; IPv6 keeps its brackets. */
  readonly host: string;
}

const SCHEME_AND_AUTHORITY = /^([a-z][a-z0-9+.-]{0,31}):\/\/([^/?#\\]*)/i;
const HOST_NAME = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const IPV6_LITERAL = /^\[[0-9a-f:.]{2,45}\]$/;

/**
 * Scheme and host of a `referer` header value, or `null` when it is not an absolute URL with a
 * readable host. Hand-rolled rather than `new URL()`: it runs for every click, must never throw,
 * and only needs the host (browsers send referrers already serialised, so hosts are ASCII).
 * Paths and queries are never looked at, let alone returned.
 */
export function parseReferrer(referer: string): ReferrerOrigin | null {
  const match = SCHEME_AND_AUTHORITY.exec(referer.trim());
  if (match === null) return null;
  const scheme = (match[1] ?? '').toLowerCase();
  let authority = (match[2] ?? '').toLowerCase();
  const at = authority.lastIndexOf('@');
  if (at !== -1) authority = authority.slice(at + 1);

  let host: string;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    host = close === -1 ? '' : authority.slice(0, close + 1);
    if (!IPV6_LITERAL.test(host)) return null;
  } else {
    const colon = authority.indexOf(':');
    host = colon === -1 ? authority : authority.slice(0, colon);
    if (host.endsWith('.')) host = host.slice(0, -1);
    if (host.length > 253 || !HOST_NAME.test(host)) return null;
  }
  return { scheme, host };
}
