import type { TrafficClass } from '../processing/classification/traffic-class.js';
import type { FailureStreak } from './pause-policy.js';

/** Limits shared by the API schemas and the service's own checks. */
export const SUBSCRIPTION_LIMITS = {
  maxUrlLength: 2048,
  maxDescriptionLength: 500,
  maxEventTypes: 20,
  /** Most values in one filter list (`link_ids`, `tags`, `traffic_classes`). */
  maxFilterValues: 100,
  maxFilterValueLength: 128,
  batchMaxEvents: { min: 1, max: 500 },
  batchMaxWaitMs: { min: 100, max: 5_000 },
  maxAttempts: { min: 1, max: 20 },
  rateLimitPerSecond: { min: 1, max: 10_000 },
  /** Longest overlap of the old and new secret after a rotation. */
  maxGracePeriodSeconds: 7 * 86_400,
  defaultGracePeriodSeconds: 86_400,
  maxStatusReasonLength: 500,
} as const;

/**
 * - `active`: deliveries are sent.
 * - `paused`: nothing is sent, but events keep accumulating as deliveries; resuming catches up,
 *   oldest first. Set by the dispatcher when every attempt has failed for a while, or by the owner.
 * - `disabled`: nothing is sent and nothing accumulates; open deliveries fail. Set when the endpoint
 *   answers 410 Gone, or by the owner.
 */
export const SUBSCRIPTION_STATUSES = ['active', 'paused', 'disabled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** One POST per event, or batches of up to `maxEvents` posted at most `maxWaitMs` after the oldest arrived. */
export type DeliveryMode =
  | { readonly kind: 'immediate' }
  | { readonly kind: 'batch'; readonly maxEvents: number; readonly maxWaitMs: number };

/**
 * Which events a subscription receives, beyond its event types. Each filter is either `null` (no
 * restriction) or a list of accepted values; an event must pass every filter that is set.
 */
export interface SubscriptionFilters {
  /** The event's link is one of these. */
  readonly linkIds: readonly string[] | null;
  /** The event's link carries at least one of these tags. */
  readonly tags: readonly string[] | null;
  /** The event's link belongs to this campaign. */
  readonly campaignId: string | null;
  /** Click events of these classes only; events without a click (`link.*`) are not affected. */
  readonly trafficClasses: readonly TrafficClass[] | null;
}

export const NO_FILTERS: SubscriptionFilters = {
  linkIds: null,
  tags: null,
  campaignId: null,
  trafficClasses: null,
};

/** Signing secrets: during a rotation's grace period the previous one signs too. */
export interface SubscriptionSecrets {
  /** `whsec_` + base64 of 32 random bytes. */
  readonly current: string;
  readonly previous: { readonly secret: string; readonly expiresAt: number } | null;
}

/** A webhook subscription. Times are epoch milliseconds. */
export interface Subscription {
  readonly subscriptionId: string;
  readonly workspaceId: string;
  readonly url: string;
  readonly description: string | null;
  /** Exact event types or a family wildcard such as `click.*`. */
  readonly eventTypes: readonly string[];
  readonly filters: SubscriptionFilters;
  readonly mode: DeliveryMode;
  /** Attempts per delivery before it is `failed` (dead-lettered), first try included. */
  readonly maxAttempts: number;
  /** Most requests started per second, or `null` for no limit beyond the concurrency limit. */
  readonly rateLimitPerSecond: number | null;
  readonly status: SubscriptionStatus;
  /** Why the status was last changed, in words (`null` for a subscription that was never paused or disabled). */
  readonly statusReason: string | null;
  readonly statusChangedAt: number;
  readonly secrets: SubscriptionSecrets;
  /** The current run of failed attempts, which decides an automatic pause. */
  readonly failureStreak: FailureStreak;
  /**
   * Position in the store's event order at creation: earlier events predate the subscription and
   * are never fanned out to it, however far behind the dispatcher was.
   */
  readonly startsAfterEvent: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** The secrets that sign a request sent at `now`, current first. */
export function signingSecrets(secrets: SubscriptionSecrets, now: number): string[] {
  if (secrets.previous !== null && secrets.previous.expiresAt > now)
    return [secrets.current, secrets.previous.secret];
  return [secrets.current];
}
