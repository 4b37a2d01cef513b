import type { CapturedHeaders, RawClick } from '../click-log/raw-click.js';
import { newId } from '../kernel/ids.js';
import { DEFAULT_CAPTURE_PRIVACY } from '../privacy/capture-privacy.js';
import type { PrivacyOptions, ReferrerMode } from '../privacy/privacy-settings.js';
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
  const keptReferer = referer === undefined ? undefined : minimisedReferer(referer, options.referrer);
  const dropLanguage = !options.language && headers['accept-language'] !== undefined;
  if (keptReferer === referer && !dropLanguage) return headers;
  const kept: CapturedHeaders = { ...headers };
  if (keptReferer === null) delete kept.referer;
  else if (keptReferer !== undefined) kept.referer = keptReferer;
  if (dropLanguage) delete kept['accept-language'];
  return kept;
}

/**
 * What is kept of a Referer: `scheme://host/`, all enrichment reads of it (so one already in that
 * form is kept as it is), or `null` for nothing. One that cannot be read becomes
 * {@link UNREADABLE_REFERER}, which enrichment still counts as `other` — its text is not kept.
 * Parsed once: this runs for every click.
 */
function minimisedReferer(referer: string, mode: ReferrerMode): string | null {
  if (mode === 'off' || referer.trim() === '') return null;
  const parsed = parseReferrer(referer);
  return parsed === null ? UNREADABLE_REFERER : `${parsed.scheme}://${parsed.host}/`;
}

/** Stands in for a Referer too malformed to reduce: not a URL, so it reads as referrer `other`. */
export const UNREADABLE_REFERER = 'unreadable';
