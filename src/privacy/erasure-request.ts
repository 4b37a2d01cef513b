/**
 * An erasure request as it is logged: what was selected (never the address or user agent — a
 * visitor request is logged by kind only), its progress and what it removed.
 */

export const ERASURE_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
export type ErasureStatus = (typeof ERASURE_STATUSES)[number];

/** What a request selects, as logged. */
export type LoggedSelector =
  | { readonly kind: 'visitor'; readonly withUserAgent: boolean }
  | { readonly kind: 'link'; readonly linkId: string }
  | { readonly kind: 'time_range'; readonly from: number; readonly until: number };

/** What a request selects, as given: the visitor's address and user agent exist only in memory. */
export type ErasureSelector =
  | { readonly kind: 'visitor'; readonly ip: string; readonly userAgent: string | null }
  | { readonly kind: 'link'; readonly linkId: string }
  | { readonly kind: 'time_range'; readonly from: number; readonly until: number };

export interface ErasureCounts {
  /** Stored clicks deleted. */
  readonly clicksErased: number;
  /** Raw clicks deleted from the click log. */
  readonly rawClicksErased: number;
  /** Events (`click.created`, `click.flagged` …) deleted because they carried an erased click. */
  readonly eventsPurged: number;
  /** Stored delivery bodies (subscribers' answers, test bodies) cleared because they concerned an erased click. */
  readonly deliveryBodiesPurged: number;
  /** Clicks taken out of the rollups. */
  readonly rollupClicksSubtracted: number;
  /** Visitor requests: the days whose salts were still held, each tried. */
  readonly saltDays: number;
}

export const NO_COUNTS: ErasureCounts = {
  clicksErased: 0,
  rawClicksErased: 0,
  eventsPurged: 0,
  deliveryBodiesPurged: 0,
  rollupClicksSubtracted: 0,
  saltDays: 0,
};

export interface ErasureRequest {
  readonly requestId: string;
  readonly workspaceId: string;
  /** Same request ⇒ same fingerprint ⇒ same receipt (see ErasureService.fingerprint). */
  readonly fingerprint: string;
  readonly selector: LoggedSelector;
  readonly status: ErasureStatus;
  /** API key id of the caller. */
  readonly requestedBy: string;
  readonly requestedAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly counts: ErasureCounts;
  readonly error: string | null;
}

export function loggedSelectorOf(selector: ErasureSelector): LoggedSelector {
  if (selector.kind === 'visitor') return { kind: 'visitor', withUserAgent: selector.userAgent !== null };
  return selector;
}

export function addCounts(a: ErasureCounts, b: Partial<ErasureCounts>): ErasureCounts {
  return {
    clicksErased: a.clicksErased + (b.clicksErased ?? 0),
    rawClicksErased: a.rawClicksErased + (b.rawClicksErased ?? 0),
    eventsPurged: a.eventsPurged + (b.eventsPurged ?? 0),
    deliveryBodiesPurged: a.deliveryBodiesPurged + (b.deliveryBodiesPurged ?? 0),
    rollupClicksSubtracted: a.rollupClicksSubtracted + (b.rollupClicksSubtracted ?? 0),
    saltDays: a.saltDays + (b.saltDays ?? 0),
  };
}
