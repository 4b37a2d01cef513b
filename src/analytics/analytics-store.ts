import type { TrafficClass } from '../processing/classification/traffic-class.js';

/**
 * Which rollup cells a question covers: one workspace, whole UTC hours, and optionally only some
 * links. The link conditions are ANDed; all `null` means every link of the workspace.
 */
export interface RollupScope {
  readonly workspaceId: string;
  /** Start of the first hour counted, epoch ms, hour-aligned. */
  readonly from: number;
  /** End of the last hour counted (exclusive), epoch ms, hour-aligned. */
  readonly to: number;
  readonly linkId: string | null;
  /** Links whose campaign is this one now (rollups do not record the campaign a click had). */
  readonly campaignId: string | null;
  /** Links that carry this tag now. */
  readonly tag: string | null;
}

/** Which clicks a count counts. */
export interface CountRule {
  /** Only `traffic_class = human`; otherwise every class. */
  readonly humansOnly: boolean;
  /** Only clicks that were unique. */
  readonly uniqueOnly: boolean;
}

export interface Counts {
  readonly clicks: number;
  /** Of `clicks`, those that were unique. */
  readonly uniqueClicks: number;
}

/** Counts per traffic class; classes without clicks may be absent. */
export type CountsByClass = Readonly<Partial<Record<TrafficClass, Counts>>>;

export interface KeyedCounts extends Counts {
  /** The value of the dimension; `null` where the click had none (e.g. no country). */
  readonly key: string | null;
}

/** What a rollup can be broken down by. */
export const BREAKDOWN_DIMENSIONS = ['country', 'device_type', 'referrer_category', 'link_id'] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

/**
 * Port: click counts for the analytics routes, answered from rollups only — never by reading the
 * clicks table, so the cost of a question follows the number of hours and cells it covers, not
 * the number of clicks. Clicks on unknown slugs and simulated clicks are never counted.
 */
export interface AnalyticsStore {
  /**
   * Counts per bucket of time: bucket `i` covers the hours from `boundaries[i]` up to (not
   * including) `boundaries[i + 1]`, so there is one answer fewer than boundaries, zeros included.
   * Boundaries are hour-aligned, ascending, and span the scope's range; a day in any time zone
   * is a bucket, as is an hour. The store sums per bucket, so a 90-day series comes back as 90 rows.
   */
  countsByBucket(scope: RollupScope, rule: CountRule, boundaries: readonly number[]): Promise<Counts[]>;
  /** Counts per traffic class over the whole scope; classes without clicks may be absent. */
  countsByClass(scope: RollupScope): Promise<CountsByClass>;
  /** Counts per value of `dimension`, most clicks first (ties by value), at most `limit`, zero counts left out. */
  countsBy(
    scope: RollupScope,
    rule: CountRule,
    dimension: BreakdownDimension,
    limit: number,
  ): Promise<KeyedCounts[]>;
  /** When the consumer (the processor) last committed a batch, epoch ms; `null` if it never has. */
  processedAsOf(consumer: string): Promise<number | null>;
}
