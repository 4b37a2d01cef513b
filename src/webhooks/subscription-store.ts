import type { FailureStreak } from './pause-policy.js';
import type { Subscription, SubscriptionSecrets, SubscriptionStatus } from './subscription.js';

export interface SubscriptionPage {
  /** Return subscriptions older than this id (lists run newest first); `null` for the first page. */
  readonly beforeSubscriptionId: string | null;
  readonly limit: number;
}

/** A status change and why. */
export interface StatusChange {
  readonly status: SubscriptionStatus;
  readonly reason: string | null;
  readonly at: number;
  /** Apply only while the status is one of these (e.g. pause only what is still `active`). */
  readonly onlyFrom?: readonly SubscriptionStatus[];
}

/**
 * Port: webhook subscriptions. Every write bumps a version number, which the dispatcher compares
 * to know its copy is stale and which a fan-out is checked against, so no event is matched
 * against a subscription list that changed under it.
 */
export interface SubscriptionStore {
  /**
   * Stores a new subscription. `startsAfterEvent` is ignored: the store sets it to the newest event
   * position inside the same transaction, so the subscription receives exactly the events stored
   * after it.
   */
  insert(subscription: Subscription): Promise<Subscription>;
  /** A live (not deleted) subscription of the workspace, or `null` (also for another workspace's id). */
  get(workspaceId: string, subscriptionId: string): Promise<Subscription | null>;
  /** Live subscriptions of the workspace, newest first. */
  list(workspaceId: string, page: SubscriptionPage): Promise<Subscription[]>;
  /**
   * Replaces the definition: url, description, event types, filters, mode, max attempts, rate
   * limit. Switching a batch subscription to immediate turns the events waiting for a batch into
   * deliveries; switching to batch starts batching with the next event. False when there is no
   * such live subscription.
   */
  update(subscription: Subscription, at: number): Promise<boolean>;
  /**
   * Changes the status. To `active` from `paused`: every open delivery becomes due now (so the
   * backlog goes out oldest first) and the failure streak starts over. To `disabled`: open
   * deliveries fail (`subscription_disabled`) and events waiting for a batch are dropped. False
   * when there is no such live subscription or `onlyFrom` did not hold.
   */
  changeStatus(workspaceId: string, subscriptionId: string, change: StatusChange): Promise<boolean>;
  /** Replaces the signing secrets. False when there is no such live subscription. */
  replaceSecrets(
    workspaceId: string,
    subscriptionId: string,
    secrets: SubscriptionSecrets,
    at: number,
  ): Promise<boolean>;
  /** Soft-deletes: open deliveries fail (`subscription_deleted`); the delivery log stays readable. */
  delete(workspaceId: string, subscriptionId: string, at: number): Promise<boolean>;
  /** Every live subscription of every workspace, with the version they were read at — the dispatcher's view. */
  listLive(): Promise<{ readonly version: number; readonly subscriptions: Subscription[] }>;
  /** The current version (grows with every write above). */
  version(): Promise<number>;
  /** The subscription's failure streak as stored. */
  failureStreak(subscriptionId: string): Promise<FailureStreak | null>;
}
