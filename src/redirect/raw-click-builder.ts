import type { CapturedHeaders, RawClick } from '../click-log/raw-click.js';
import { newId } from '../kernel/ids.js';
import { DEFAULT_CAPTURE_PRIVACY } from '../privacy/capture-privacy.js';
import type { PrivacyOptions } from '../privacy/privacy-settings.js';
import { parseReferrer } from '../processing/enrichment/referrer-url.js';
import type { CaptureRequest } from './capture-request.js';
import type { GeoLookup } from './geo-lookup.js';
import { anonymizeAddress, hashAddress } from './ip-anonymizer.js';

/**
 * Turns a captured request into the raw click the log keeps: a click id, and network facts derived
 * from the client address — which is not part of the result. `null` when the address is not one.
 *
 * The workspace's privacy options apply here, before anything is written: a switched-off fact is
 * never derived (no hash computed, no lookup made), and the Referer is cut to its origin (or
 * dropped) so no path or query string of the referring page reaches the disk.
 */
export function buildRawClick(request: CaptureRequest, salt: Buffer, geo: GeoLookup): RawClick | null {
  const address = anonymizeAddress(request.clientAddress);
  if (address === null) return null;
  const privacy = request.privacy ?? DEFAULT_CAPTURE_PRIVACY;
  const options = privacy.options;
  const network =
    options.country || options.asn
      ? geo.lookup(address.canonical)
      : { country: null, asn: null, asnOrg: null };
  return {
    clickId: newId('click', request.occurredAt),
    occurredAt: request.occurredAt,
    workspaceId: request.workspaceId,
    linkId: request.linkId,
    domainId: request.domainId,
    slug: request.slug,
    method: request.method,
    redirectStatus: request.redirectStatus,
    blockReason: request.blockReason,
    headers: minimisedHeaders(request.headers, options),
    ipHash: options.ipHash ? hashAddress(address.canonical, salt) : null,
    ipPrefix: options.ipPrefix ? address.prefix : null,
    country: options.country ? network.country : null,
    asn: options.asn ? network.asn : null,
    asnOrg: options.asn ? network.asnOrg : null,
    ...(privacy === DEFAULT_CAPTURE_PRIVACY ? {} : { privacyMode: privacy.modeLabel }),
  };
}

/** The captured headers less what the options switch off; the Referer reduced to its origin. */
export function minimisedHeaders(headers: CapturedHeaders, options: PrivacyOptions): CapturedHeaders {
  const referer = headers.referer;
  const needsChange =
    (referer !== undefined && (options.referrer === 'off' || !isOriginOnly(referer))) ||
    (!options.language && headers['accept-language'] !== undefined);
  if (!needsChange) return headers;
  const kept: CapturedHeaders = { ...headers };
  if (referer !== undefined) {
    const origin = options.referrer === 'off' || referer.trim() === '' ? null : refererOrigin(referer);
    if (origin === null) delete kept.referer;
    else kept.referer = origin;
  }
  if (!options.language) delete kept['accept-language'];
  return kept;
}

/**
 * `scheme://host/` of a Referer: all enrichment reads of it. One that cannot be read becomes
 * {@link UNREADABLE_REFERER}, which enrichment still counts as `other` — its text is not kept.
 */
function refererOrigin(referer: string): string {
  const parsed = parseReferrer(referer);
  return parsed === null ? UNREADABLE_REFERER : `${parsed.scheme}://${parsed.host}/`;
}

/** Stands in for a Referer too malformed to reduce: not a URL, so it reads as referrer `other`. */
export const UNREADABLE_REFERER = 'unreadable';

/** Already `scheme://host/` (lower case, no credentials or port): nothing to cut. */
function isOriginOnly(referer: string): boolean {
  const parsed = parseReferrer(referer);
  return parsed !== null && referer === `${parsed.scheme}://${parsed.host}/`;
}
