import type { EventEnvelope } from '../events/event-envelope.js';
import type { Clock } from '../kernel/clock.js';
import { ClickwireError, fieldError } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import { BATCH_PAYLOAD_BUDGET } from './batch-chunks.js';
import type { DeliveryStatus, ErrorCategory } from './delivery.js';
import { DeliveryAttempt } from './delivery-attempt.js';
import type { DeliveryLog } from './delivery-log.js';
import {
  type DeliveryDetailResource,
  type DeliveryResource,
  type ReplayResource,
  toDeliveryDetailResource,
  toDeliveryResource,
  toReplayResource,
} from './delivery-resource.js';
import type { DeliveryStore, ReplaySelection } from './delivery-store.js';
import { NO_FAILURES } from './pause-policy.js';
import { defaultMaxAttempts } from './retry-policy.js';
import type { Subscription, SubscriptionSecrets } from './subscription.js';
import {
  checkedDefinition,
  checkedGracePeriod,
  checkedStatusReason,
  type NewSubscriptionInput,
  type SubscriptionDefinition,
  type SubscriptionPatch,
} from './subscription-input.js';
import { type SubscriptionResource, toSubscriptionResource } from './subscription-resource.js';
import type { SubscriptionStore } from './subscription-store.js';
import { testEvent, testEventType } from './test-event.js';
import { generateSecret } from './webhook-secret.js';
import type { WebhookTransport } from './webhook-transport.js';

export interface WebhookServiceDeps {
  readonly subscriptions: SubscriptionStore;
  readonly deliveries: DeliveryStore;
  readonly log: DeliveryLog;
  /** Used by the test endpoint only: every other request is the dispatcher's. */
  readonly transport: WebhookTransport;
  readonly clock: Clock;
  readonly random?: () => number;
}

export interface WebhookServiceOptions {
  readonly retryScheduleMs: readonly number[];
  readonly timeoutMs: number;
  readonly allowPrivateAddresses: boolean;
}

/** Most events one replay request may send again; ask again (a later range) for more. */
export const MAX_REPLAY_EVENTS = 10_000;

/** Health of a subscription: `GET /v1/webhook-subscriptions/{id}/health`. */
export interface SubscriptionHealthResource {
  readonly subscription_id: string;
  readonly status: Subscription['status'];
  readonly status_reason: string | null;
  readonly last_hour: WindowFigures;
  readonly last_day: WindowFigures;
  /** Attempt durations over the last day, ms; `null` without attempts. */
  readonly latency_ms: { readonly p50: number | null; readonly p95: number | null };
  /** Failed attempts of the last day by category, most frequent first. */
  readonly failure_reasons: { readonly error_category: ErrorCategory; readonly count: number }[];
  readonly consecutive_failures: number;
  readonly failing_since: string | null;
  /** Age of the oldest event not yet delivered (open delivery or waiting for a batch), seconds; `null` when none. */
  readonly oldest_pending_age_seconds: number | null;
}

interface WindowFigures {
  readonly attempts: number;
  readonly succeeded: number;
  readonly partial: number;
  readonly failed: number;
  /** (succeeded + partial) / attempts; `null` without attempts. */
  readonly success_rate: number | null;
}

/** A page of a list, the API's `{ data, has_more }` before cursors are encoded. */
export interface Page<T> {
  readonly items: T[];
  readonly hasMore: boolean;
}

/**
 * Use cases of the webhook API: subscriptions, secrets, tests, resume, the delivery log, replays
 * and health. Every method is scoped by workspace: another workspace's id answers "not found".
 */
export class WebhookService {
  private readonly attempt: DeliveryAttempt;

  constructor(
    private readonly deps: WebhookServiceDeps,
    private readonly options: WebhookServiceOptions,
  ) {
    this.attempt = new DeliveryAttempt(
      { transport: deps.transport, clock: deps.clock, random: deps.random ?? Math.random },
      options,
    );
  }

  /** Creates a subscription; the signing secret is returned here and by `rotateSecret` only. */
  async createSubscription(
    workspaceId: string,
    input: NewSubscriptionInput,
  ): Promise<{ subscription: SubscriptionResource; secret: string }> {
    const now = this.deps.clock.now();
    const definition = checkedDefinition(input, null, this.definitionContext());
    const secret = generateSecret();
    const stored = await this.deps.subscriptions.insert({
      subscriptionId: newId('subscription', now),
      workspaceId,
      ...definition,
      status: 'active',
      statusReason: null,
      statusChangedAt: now,
      secrets: { current: secret, previous: null },
      failureStreak: NO_FAILURES,
      startsAfterEvent: 0,
      createdAt: now,
      updatedAt: now,
    });
    return { subscription: toSubscriptionResource(stored, now), secret };
  }

  async getSubscription(workspaceId: string, subscriptionId: string): Promise<SubscriptionResource> {
    return toSubscriptionResource(
      await this.subscription(workspaceId, subscriptionId),
      this.deps.clock.now(),
    );
  }

  /** Newest first; `beforeSubscriptionId` is the last id of the previous page. */
  async listSubscriptions(
    workspaceId: string,
    beforeSubscriptionId: string | null,
    limit: number,
  ): Promise<Page<SubscriptionResource>> {
    const rows = await this.deps.subscriptions.list(workspaceId, { beforeSubscriptionId, limit: limit + 1 });
    const now = this.deps.clock.now();
    return {
      items: rows.slice(0, limit).map((row) => toSubscriptionResource(row, now)),
      hasMore: rows.length > limit,
    };
  }

  /** Changes the definition and/or the status (`active` resumes, `paused`, `disabled`). */
  async updateSubscription(
    workspaceId: string,
    subscriptionId: string,
    patch: SubscriptionPatch,
  ): Promise<SubscriptionResource> {
    const { status, statusReason, ...changes } = patch;
    const reason = checkedStatusReason(status, statusReason);
    const current = await this.subscription(workspaceId, subscriptionId);
    const now = this.deps.clock.now();
    if (Object.keys(changes).length > 0) {
      const definition: SubscriptionDefinition = checkedDefinition(
        changes,
        current,
        this.definitionContext(),
      );
      if (!(await this.deps.subscriptions.update({ ...current, ...definition, updatedAt: now }, now)))
        throw notFound(subscriptionId);
    }
    if (
      status !== undefined &&
      (status !== current.status || (statusReason != null && reason !== current.statusReason))
    ) {
      if (
        !(await this.deps.subscriptions.changeStatus(workspaceId, subscriptionId, {
          status,
          reason,
          at: now,
        }))
      )
        throw notFound(subscriptionId);
    }
    return this.getSubscription(workspaceId, subscriptionId);
  }

  /** Deletes the subscription; open deliveries fail, the delivery log stays readable. */
  async deleteSubscription(workspaceId: string, subscriptionId: string): Promise<void> {
    if (!(await this.deps.subscriptions.delete(workspaceId, subscriptionId, this.deps.clock.now())))
      throw notFound(subscriptionId);
  }

  /**
   * A new signing secret. For `gracePeriodSeconds` (default 1 day, 0–7 days) the old one signs too:
   * each request carries both signatures, space-separated, so subscribers can switch at leisure.
   */
  async rotateSecret(
    workspaceId: string,
    subscriptionId: string,
    gracePeriodSeconds?: number,
  ): Promise<{ secret: string; previousSecretExpiresAt: string | null }> {
    const grace = checkedGracePeriod(gracePeriodSeconds);
    const current = await this.subscription(workspaceId, subscriptionId);
    const now = this.deps.clock.now();
    const secret = generateSecret();
    const secrets: SubscriptionSecrets = {
      current: secret,
      previous: grace === 0 ? null : { secret: current.secrets.current, expiresAt: now + grace * 1000 },
    };
    if (!(await this.deps.subscriptions.replaceSecrets(workspaceId, subscriptionId, secrets, now)))
      throw notFound(subscriptionId);
    return {
      secret,
      previousSecretExpiresAt: secrets.previous ? new Date(secrets.previous.expiresAt).toISOString() : null,
    };
  }

  /** Resumes a paused (or disabled) subscription: its backlog goes out, oldest first. */
  async resume(workspaceId: string, subscriptionId: string): Promise<SubscriptionResource> {
    const current = await this.subscription(workspaceId, subscriptionId);
    if (current.status !== 'active') {
      const changed = await this.deps.subscriptions.changeStatus(workspaceId, subscriptionId, {
        status: 'active',
        reason: null,
        at: this.deps.clock.now(),
      });
      if (!changed) throw notFound(subscriptionId);
    }
    return this.getSubscription(workspaceId, subscriptionId);
  }

  /**
   * Sends a sample event (marked `"test": true`) to the subscription now, records it like any
   * delivery (one attempt, never retried, not counted in the subscription's health) and returns
   * the outcome. Works whatever the subscription's status.
   */
  async sendTest(workspaceId: string, subscriptionId: string): Promise<DeliveryDetailResource> {
    const subscription = await this.subscription(workspaceId, subscriptionId);
    const now = this.deps.clock.now();
    const eventId = newId('event', now);
    const payload = JSON.stringify(
      testEvent(workspaceId, testEventType(subscription.eventTypes), eventId, now),
    );
    const deliveryId = newId('delivery', now);
    await this.deps.deliveries.insertTestDelivery({
      deliveryId,
      workspaceId,
      subscriptionId,
      eventId,
      payload,
      now,
    });
    const record = await this.attempt.run(subscription, {
      deliveryId,
      subscriptionId,
      webhookId: eventId,
      origin: 'test',
      attemptCount: 0,
      body: { kind: 'test', payload },
    });
    await this.deps.deliveries.recordAttempts([record], this.deps.clock.now());
    return this.getDelivery(workspaceId, deliveryId);
  }

  /** Deliveries of the workspace, newest first, optionally by subscription, status or event. */
  async listDeliveries(
    workspaceId: string,
    filter: { subscriptionId?: string; status?: DeliveryStatus; eventId?: string },
    beforeDeliveryId: string | null,
    limit: number,
  ): Promise<Page<DeliveryResource>> {
    const rows = await this.deps.log.list(workspaceId, filter, { beforeDeliveryId, limit: limit + 1 });
    return { items: rows.slice(0, limit).map(toDeliveryResource), hasMore: rows.length > limit };
  }

  /** One delivery with every attempt (trigger, request headers, status, duration, truncated answer). */
  async getDelivery(workspaceId: string, deliveryId: string): Promise<DeliveryDetailResource> {
    const delivery = await this.deps.log.get(workspaceId, deliveryId);
    if (!delivery) throw new ClickwireError('CW_ERR_NOT_FOUND', `No delivery ${deliveryId}`);
    const [attempts, events] = await Promise.all([
      this.deps.log.attempts(workspaceId, deliveryId),
      delivery.content.kind === 'batch'
        ? this.deps.log.batchEvents(workspaceId, deliveryId)
        : Promise.resolve([]),
    ]);
    return toDeliveryDetailResource(delivery, attempts, events);
  }

  /**
   * Sends events of one subscription's stream again — by id, by time range, or those whose
   * delivery failed — as new deliveries with the same `webhook-id` (event id; a batch subscription
   * gets new batches). Audited: who, when, what, how many. At most {@link MAX_REPLAY_EVENTS} events.
   */
  async replay(
    workspaceId: string,
    subscriptionId: string,
    selection: ReplaySelection,
    requestedBy: string,
  ): Promise<ReplayResource> {
    const subscription = await this.subscription(workspaceId, subscriptionId);
    if (selection.by === 'event_ids') {
      if (selection.eventIds.length === 0 || selection.eventIds.length > MAX_REPLAY_EVENTS)
        throw fieldError('CW_ERR_VALIDATION', '/event_ids', `must list 1–${MAX_REPLAY_EVENTS} event ids`);
    } else if (
      selection.occurredAfter !== null &&
      selection.occurredBefore !== null &&
      selection.occurredAfter > selection.occurredBefore
    ) {
      throw fieldError('CW_ERR_VALIDATION', '/occurred_after', 'must not be later than occurred_before');
    }
    const { mode } = subscription;
    const replay = await this.deps.deliveries.createReplay({
      replayId: newId('replay', this.deps.clock.now()),
      workspaceId,
      subscriptionId,
      selection,
      requestedBy,
      now: this.deps.clock.now(),
      batching: mode.kind === 'batch' ? { maxEvents: mode.maxEvents, maxBytes: BATCH_PAYLOAD_BUDGET } : null,
      maxEvents: MAX_REPLAY_EVENTS,
      newDeliveryId: () => newId('delivery', this.deps.clock.now()),
    });
    return toReplayResource(replay);
  }

  /** Replays of a subscription, newest first. */
  async listReplays(
    workspaceId: string,
    subscriptionId: string,
    beforeReplayId: string | null,
    limit: number,
  ): Promise<Page<ReplayResource>> {
    await this.subscription(workspaceId, subscriptionId);
    const rows = await this.deps.log.replays(workspaceId, subscriptionId, {
      beforeReplayId,
      limit: limit + 1,
    });
    return { items: rows.slice(0, limit).map(toReplayResource), hasMore: rows.length > limit };
  }

  /**
   * The subscription's stream after a sequence number — what a subscriber fetches when
   * `clickwire-sequence` jumps. Each item is the event exactly as delivered, with its number.
   */
  async streamAfter(
    workspaceId: string,
    subscriptionId: string,
    afterSequence: number,
    limit: number,
  ): Promise<Page<{ sequence: number; event: EventEnvelope }>> {
    await this.subscription(workspaceId, subscriptionId);
    const rows = await this.deps.log.streamAfter(subscriptionId, afterSequence, limit + 1);
    return {
      items: rows
        .slice(0, limit)
        .map((row) => ({ sequence: row.sequence, event: JSON.parse(row.event.payload) as EventEnvelope })),
      hasMore: rows.length > limit,
    };
  }

  async health(workspaceId: string, subscriptionId: string): Promise<SubscriptionHealthResource> {
    const subscription = await this.subscription(workspaceId, subscriptionId);
    const now = this.deps.clock.now();
    const hour = now - 3_600_000;
    const day = now - 86_400_000;
    const [lastHour, lastDay, [p50, p95], oldest] = await Promise.all([
      this.deps.log.attemptStats(subscriptionId, hour),
      this.deps.log.attemptStats(subscriptionId, day),
      this.deps.log.durationQuantiles(subscriptionId, day, [0.5, 0.95]),
      this.deps.log.oldestPendingAt(subscriptionId),
    ]);
    const figures = (stats: typeof lastHour): WindowFigures => ({
      attempts: stats.total,
      succeeded: stats.byOutcome.succeeded,
      partial: stats.byOutcome.partial,
      failed: stats.byOutcome.failed,
      success_rate:
        stats.total === 0 ? null : (stats.byOutcome.succeeded + stats.byOutcome.partial) / stats.total,
    });
    const { failureStreak } = subscription;
    return {
      subscription_id: subscriptionId,
      status: subscription.status,
      status_reason: subscription.statusReason,
      last_hour: figures(lastHour),
      last_day: figures(lastDay),
      latency_ms: { p50: p50 ?? null, p95: p95 ?? null },
      failure_reasons: Object.entries(lastDay.byErrorCategory)
        .map(([category, count]) => ({ error_category: category as ErrorCategory, count }))
        .sort((a, b) => b.count - a.count),
      consecutive_failures: failureStreak.consecutiveFailures,
      failing_since:
        failureStreak.failingSince === null ? null : new Date(failureStreak.failingSince).toISOString(),
      oldest_pending_age_seconds: oldest === null ? null : Math.max(0, Math.round((now - oldest) / 1000)),
    };
  }

  private async subscription(workspaceId: string, subscriptionId: string): Promise<Subscription> {
    const subscription = await this.deps.subscriptions.get(workspaceId, subscriptionId);
    if (!subscription) throw notFound(subscriptionId);
    return subscription;
  }

  private definitionContext() {
    return {
      allowPrivateAddresses: this.options.allowPrivateAddresses,
      defaultMaxAttempts: defaultMaxAttempts(this.options.retryScheduleMs),
    };
  }
}

function notFound(subscriptionId: string): ClickwireError {
  return new ClickwireError('CW_ERR_NOT_FOUND', `No webhook subscription ${subscriptionId}`);
}
