/**
 * Counts over a recent window, computed by the stateful part of the processor (which owns the
 * counting) and handed to `classifyClick`. Both counts include the click being classified.
 */
export interface BurstSignals {
  /** Clicks from this visitor (same `ip_hash`) on this link within the window. */
  readonly recentClicksSameVisitorSameLink: number;
  /** Distinct links clicked from this network (same `ip_prefix`) within the window. */
  readonly recentDistinctLinksSameNetwork: number;
  /** How far back the counts reach, in seconds. */
  readonly windowSeconds: number;
}

/**
 * When a count is a burst: at least `minCount`, and at least `perMinute` per minute of window.
 * The rate keeps one rule meaningful whatever window the counter uses (4 in 10 s, 4 in 20 s and
 * 12 in 60 s are bursts; 12 in 10 minutes is not).
 */
export interface BurstRule {
  readonly minCount: number;
  readonly perMinute: number;
}

/** Thresholds for the two burst signals. */
export const BURST_RULES: Readonly<{ sameVisitorSameLink: BurstRule; sameNetworkDistinctLinks: BurstRule }> =
  {
    // A person may double-click or reload; four hits on one link within 20 s is a script or a loop.
    sameVisitorSameLink: { minCount: 4, perMinute: 12 },
    // Mail scanners open every link of a message within seconds; people open one or two.
    sameNetworkDistinctLinks: { minCount: 4, perMinute: 12 },
  };

/**
 * Whether `count` clicks in `windowSeconds` break `rule`. Monotone in `count`. Nonsense input
 * (non-finite numbers, a window ≤ 0) never fires.
 */
export function isBurst(count: number, windowSeconds: number, rule: BurstRule): boolean {
  if (!Number.isFinite(count) || !Number.isFinite(windowSeconds) || windowSeconds <= 0) return false;
  return count >= rule.minCount && count >= (rule.perMinute * windowSeconds) / 60;
}
