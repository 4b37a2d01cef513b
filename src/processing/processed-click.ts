import type { BlockReason, RedirectStatus } from '../click-log/raw-click.js';
import type { FraudReason } from './classification/fraud-reason.js';
import type { ReasonCode } from './classification/reason-code.js';
import type { TrafficClass } from './classification/traffic-class.js';
import type { DeviceType, ReferrerCategory } from './enrichment/enrichment.js';
import type { UniquenessRule } from './uniqueness/uniqueness-rule.js';

/** Label of the default privacy mode (see src/privacy/privacy-settings.ts); clicks state the mode that applied. */
export { DEFAULT_PRIVACY_MODE_LABEL as PRIVACY_MODE } from '../privacy/privacy-settings.js';

/** The verdict part of a click, which a later burst can revise. */
export interface ClickVerdict {
  readonly trafficClass: TrafficClass;
  readonly isBot: boolean;
  readonly botScore: number;
  readonly isSuspicious: boolean;
  readonly fraudReason: FraudReason | null;
  readonly reasons: readonly ReasonCode[];
}

/** A click after classification, uniqueness and enrichment — one row of the clicks table. */
export interface ProcessedClick extends ClickVerdict {
  readonly clickId: string;
  readonly workspaceId: string;
  readonly linkId: string | null;
  readonly domainId: string | null;
  readonly slug: string;
  /** The link's campaign when the click was processed. */
  readonly campaignId: string | null;
  readonly occurredAt: number;
  /** When the edge received the request (the same instant as `occurredAt` for edge clicks). */
  readonly receivedAt: number;
  readonly processedAt: number;
  readonly method: 'GET' | 'HEAD';
  readonly redirectStatus: RedirectStatus;
  readonly blockReason: BlockReason | null;
  /** `null` when the workspace's privacy options turned the hash off at the edge. */
  readonly ipHash: string | null;
  /** `null` when turned off at the edge. */
  readonly ipPrefix: string | null;
  readonly country: string | null;
  /** Not derived yet (no region database is bundled); always `null` for now. */
  readonly region: string | null;
  readonly asn: number | null;
  readonly deviceType: DeviceType;
  readonly osFamily: string | null;
  readonly browserFamily: string | null;
  readonly referrerCategory: ReferrerCategory;
  readonly referrerHost: string | null;
  readonly language: string | null;
  readonly isUnique: boolean;
  readonly uniquenessRule: UniquenessRule;
  /** Label of the privacy mode the edge applied (see src/privacy/privacy-settings.ts). */
  readonly privacyMode: string;
  readonly simulated: boolean;
}
