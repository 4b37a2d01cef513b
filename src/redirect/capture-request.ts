import type { BlockReason, CapturedHeaders, RedirectStatus } from '../click-log/raw-click.js';
import type { CapturePrivacy } from '../privacy/capture-privacy.js';

/**
 * What the request thread hands to click capture: the facts of one edge request as it answered
 * it, plus the client address — which capture reduces to a hash, a prefix, a country and an ASN
 * and then drops. Plain data, so it can cross to a capture thread.
 */
export interface CaptureRequest {
  readonly occurredAt: number;
  readonly workspaceId: string;
  readonly linkId: string | null;
  readonly domainId: string | null;
  readonly slug: string;
  readonly method: 'GET' | 'HEAD';
  readonly redirectStatus: RedirectStatus;
  readonly blockReason: BlockReason | null;
  readonly headers: CapturedHeaders;
  /** A canonical IP address (checked with `net.isIP` by the request thread). Never stored. */
  readonly clientAddress: string;
  /** The workspace's privacy options (cached with the route): what is derived at all. Absent: defaults. */
  readonly privacy?: CapturePrivacy;
}
