import type { RawClick } from '../click-log/raw-click.js';
import { newId } from '../kernel/ids.js';
import type { CaptureRequest } from './capture-request.js';
import type { GeoLookup } from './geo-lookup.js';
import { anonymizeAddress, hashAddress } from './ip-anonymizer.js';

/**
 * Turns a captured request into the raw click the log keeps: a click id, and network facts derived
 * from the client address — which is not part of the result. `null` when the address is not one.
 */
export function buildRawClick(request: CaptureRequest, salt: Buffer, geo: GeoLookup): RawClick | null {
  const address = anonymizeAddress(request.clientAddress);
  if (address === null) return null;
  const network = geo.lookup(address.canonical);
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
    headers: request.headers,
    ipHash: hashAddress(address.canonical, salt),
    ipPrefix: address.prefix,
    country: network.country,
    asn: network.asn,
    asnOrg: network.asnOrg,
  };
}
