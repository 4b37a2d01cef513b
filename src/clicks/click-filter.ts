import type { TrafficClass } from '../processing/classification/traffic-class.js';
import type { DeviceType, ReferrerCategory } from '../processing/enrichment/enrichment.js';

/** The filters of a click list as a caller gives them; absent means "no condition" or the default. */
export interface ClickFilterInput {
  readonly linkId?: string;
  readonly campaignId?: string;
  /** Clicks on links that carry this tag now. */
  readonly tag?: string;
  /** Inclusive lower bound of `occurred_at`, epoch ms. */
  readonly occurredAfter?: number;
  /** Exclusive upper bound of `occurred_at`, epoch ms. */
  readonly occurredBefore?: number;
  readonly country?: string;
  readonly deviceType?: DeviceType;
  readonly referrerCategory?: ReferrerCategory;
  readonly trafficClass?: TrafficClass;
  readonly isUnique?: boolean;
  readonly isSuspicious?: boolean;
  /** Default `false`: people only (`traffic_class = human`). Ignored when `trafficClass` is given. */
  readonly includeBots?: boolean;
  /** Default `true`. Ignored when `isSuspicious` is given. */
  readonly includeSuspicious?: boolean;
  /** Default `false`: clicks made by `POST /v1/clicks/simulate` are left out. */
  readonly includeSimulated?: boolean;
}

/**
 * The conditions a click store applies, all ANDed; `null` is "no condition". Built only by
 * {@link clickFilterOf}, so equal inputs give equal filters with the same key order (a cursor
 * binds itself to `JSON.stringify` of one).
 */
export interface ClickFilter {
  readonly linkId: string | null;
  readonly campaignId: string | null;
  readonly tag: string | null;
  /** `occurred_at >=` this. */
  readonly occurredFrom: number | null;
  /** `occurred_at <` this. */
  readonly occurredUntil: number | null;
  readonly country: string | null;
  readonly deviceType: DeviceType | null;
  readonly referrerCategory: ReferrerCategory | null;
  readonly trafficClass: TrafficClass | null;
  readonly isUnique: boolean | null;
  readonly isSuspicious: boolean | null;
  readonly simulated: boolean | null;
}

/**
 * Resolves defaults and the `include_*` switches into plain conditions. An explicit value names
 * what the caller wants and wins over a switch: `traffic_class=bot` lists bots whatever
 * `include_bots` says, `is_suspicious=true` lists suspicious clicks whatever `include_suspicious` says.
 */
export function clickFilterOf(input: ClickFilterInput): ClickFilter {
  return {
    linkId: input.linkId ?? null,
    campaignId: input.campaignId ?? null,
    tag: input.tag ?? null,
    occurredFrom: input.occurredAfter ?? null,
    occurredUntil: input.occurredBefore ?? null,
    country: input.country ?? null,
    deviceType: input.deviceType ?? null,
    referrerCategory: input.referrerCategory ?? null,
    trafficClass: input.trafficClass ?? (input.includeBots === true ? null : 'human'),
    isUnique: input.isUnique ?? null,
    isSuspicious: input.isSuspicious ?? (input.includeSuspicious === false ? false : null),
    simulated: input.includeSimulated === true ? null : false,
  };
}
