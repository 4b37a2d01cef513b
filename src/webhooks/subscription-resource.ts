import type { Subscription, SubscriptionStatus } from './subscription.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A subscription as the API returns it. The signing secret is never part of it. */
export interface SubscriptionResource {
  readonly subscription_id: string;
  readonly workspace_id: string;
  readonly url: string;
  readonly description: string | null;
  readonly event_types: string[];
  readonly filters: {
    readonly link_ids: string[] | null;
    readonly tags: string[] | null;
    readonly campaign_id: string | null;
    readonly traffic_classes: string[] | null;
  };
  readonly mode: 'immediate' | 'batch';
  /** Set for `mode: batch`. */
  readonly batch: { readonly max_events: number; readonly max_wait_ms: number } | null;
  readonly max_attempts: number;
  readonly rate_limit_per_second: number | null;
  readonly status: SubscriptionStatus;
  readonly status_reason: string | null;
  readonly status_changed_at: string;
  /** While a rotated-out secret still signs alongside the new one: until when. */
  readonly previous_secret_expires_at: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export function toSubscriptionResource(subscription: Subscription, now: number): SubscriptionResource {
  const { filters, mode, secrets } = subscription;
  const copy = <T>(values: readonly T[] | null) => (values === null ? null : [...values]);
  return {
    subscription_id: subscription.subscriptionId,
    workspace_id: subscription.workspaceId,
    url: subscription.url,
    description: subscription.description,
    event_types: [...subscription.eventTypes],
    filters: {
      link_ids: copy(filters.linkIds),
      tags: copy(filters.tags),
      campaign_id: filters.campaignId,
      traffic_classes: copy(filters.trafficClasses),
    },
    mode: mode.kind,
    batch: mode.kind === 'batch' ? { max_events: mode.maxEvents, max_wait_ms: mode.maxWaitMs } : null,
    max_attempts: subscription.maxAttempts,
    rate_limit_per_second: subscription.rateLimitPerSecond,
    status: subscription.status,
    status_reason: subscription.statusReason,
    status_changed_at: iso(subscription.statusChangedAt),
    previous_secret_expires_at:
      secrets.previous !== null && secrets.previous.expiresAt > now ? iso(secrets.previous.expiresAt) : null,
    created_at: iso(subscription.createdAt),
    updated_at: iso(subscription.updatedAt),
  };
}
