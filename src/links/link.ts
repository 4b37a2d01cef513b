/** Redirect statuses a link may answer with. 302 is the default: it keeps every click reaching us. */
export const REDIRECT_TYPES = [301, 302, 307, 308] as const;
export type RedirectType = (typeof REDIRECT_TYPES)[number];

/** A tracking link. Times are epoch milliseconds. */
export interface Link {
  readonly linkId: string;
  readonly workspaceId: string;
  /** Branded domain the alias lives on; `null` for the default domain that answers any other host. */
  readonly domainId: string | null;
  readonly alias: string;
  readonly destinationUrl: string;
  readonly redirectType: RedirectType;
  readonly campaignId: string | null;
  readonly channel: string | null;
  readonly tags: readonly string[];
  readonly expiresAt: number | null;
  readonly disabled: boolean;
  /** Append the click's query string to the destination. */
  readonly forwardQuery: boolean;
  /** Where a disabled or expired link sends people instead of answering 410. */
  readonly fallbackUrl: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Why a known link does not redirect to its destination right now, or `null` when it does. */
export function linkBlockReason(link: Link, now: number): 'link_disabled' | 'link_expired' | null {
  if (link.disabled) return 'link_disabled';
  if (link.expiresAt !== null && link.expiresAt <= now) return 'link_expired';
  return null;
}
