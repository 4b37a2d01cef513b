import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../kernel/clock.js';
import { newId } from '../kernel/ids.js';
import type { Logger } from '../kernel/logger.js';
import type { WakeSignal } from '../kernel/wake-signal.js';
import { AttemptRecorder } from './attempt-recorder.js';
import { BATCH_PAYLOAD_BUDGET } from './batch-chunks.js';
import { DeliveryAttempt } from './delivery-attempt.js';
import type {
  AttemptRecord,
  BatchQueue,
  DeliveryStore,
  DueDelivery,
  FanOutTarget,
  StreakUpdate,
} from './delivery-store.js';
import { type EventFacts, eventFacts } from './event-facts.js';
import { type PausePolicy, pauseReason, shouldPause } from './pause-policy.js';
import type { Subscription } from './subscription.js';
import { SubscriptionLimiter } from './subscription-limiter.js';
import { eventTypeMatches, hasFilters, subscriptionMatches } from './subscription-matching.js';
import type { SubscriptionStore } from './subscription-store.js';
import type { WebhookTransport } from './webhook-transport.js';

export interface DispatcherDeps {
  readonly deliveries: DeliveryStore;
  readonly subscriptions: SubscriptionStore;
  readonly transport: WebhookTransport;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Jitter source, values in [0, 1). */
  readonly random: () => number;
  /** Nudged when events were stored (same process); when idle, the dispatcher waits on it, polling still. */
  readonly wakeup?: WakeSignal;
}

export interface DispatcherOptions {
  /** Name of the fan-out cursor in `consumer_cursors`. */
  readonly consumer: string;
  /** Most events one fan-out transaction reads. */
  readonly fanOutBatchSize: number;
  readonly retryScheduleMs: readonly number[];
  readonly timeoutMs: number;
  readonly pause: PausePolicy;
  readonly concurrencyPerSubscription: number;
  /** How long `run` waits before looking again when there was nothing to do. */
  readonly idlePollMs: number;
  /** How long claimed work stays reserved to this dispatcher. */
  readonly leaseMs: number;
  /** How often every active subscription is checked for deliveries that came due (retries, backlogs). */
  readonly claimIntervalMs: number;
  /** How long an attempt record waits to share its transaction with others (see `AttemptRecorder`). */
  readonly recordWindowMs: number;
  /** Least time between two fan-outs of a few events, so they share a transaction (real time, ms). */
  readonly fanOutCoalesceMs: number;
  readonly allowPrivateAddresses: boolean;
}

/** A fan-out of this many events or more never waits for company. */
const FAN_OUT_COALESCE_EVENTS = 32;

/** The dispatcher's working copy of one subscription. */
interface SubscriptionState {
  subscription: Subscription;
  readonly limiter: SubscriptionLimiter;
  /** Deliveries leased to this dispatcher, waiting for a slot, oldest first. */
  queue: DueDelivery[];
  /** Ask the store for due work on the next pass (its last claim came back full, or it just became active). */
  claimSoon: boolean;
  /** What waits to be batched (batch mode); `null` when unknown. */
  batchQueue: BatchQueue | null;
  /** The latest failed attempt's error, in words, for the pause reason. */
  lastError: string | null;
}

/**
 * The dispatcher stage (DESIGN §1, stage 4): fans each stored event out to the matching
 * subscriptions, signs and POSTs, retries with backoff, batches, pauses failing endpoints and logs
 * every attempt. It never runs inside a redirect request: it reads the `events` table the other
 * stages wrote, through its own cursor.
 *
 * What must stay true:
 * - A delivery row exists before its first attempt: fan-out writes the rows and moves its cursor
 *   in one transaction; only then are they sent. A crash anywhere leaves rows that are sent after
 *   the restart (at least once, same `webhook-id`).
 * - Every delivery this dispatcher sends is leased to it, so no other dispatcher sends it at the
 *   same time; a crashed dispatcher's leases run out (or, with a single dispatcher, are taken back
 *   at start).
 * - One subscription's slowness never holds up another's: each has its own queue, concurrency
 *   limit and rate limit, and no request is awaited by the loop.
 */
export class Dispatcher {
  private readonly subscriptions = new Map<string, SubscriptionState>();
  private readonly byWorkspace = new Map<string, SubscriptionState[]>();
  private version = -1;
  /** Ids of deliveries queued or in flight here, so a claim never takes one twice. */
  private readonly held = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly recorder: AttemptRecorder;
  private readonly attempter: DeliveryAttempt;
  private nextClaimAt = 0;
  private lastFanOutAt = Number.NEGATIVE_INFINITY;
  /** Events wait for fan-out, held back by coalescing (until this `performance.now()`) or by full queues. */
  private fanOutDeferred: { until: number } | { untilSlotsFree: true } | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly deps: DispatcherDeps,
    private readonly options: DispatcherOptions,
  ) {
    this.attempter = new DeliveryAttempt(deps, options);
    this.recorder = new AttemptRecorder({
      store: deps.deliveries,
      clock: deps.clock,
      logger: deps.logger,
      onStreaks: (updates) => this.pauseFailing(updates),
      windowMs: options.recordWindowMs,
    });
  }

  /** Runs until `stop`: passes back to back while there is work, a short poll when there is none. */
  async start(): Promise<void> {
    if (this.running) return;
    this.stopping = false;
    if (!this.deps.deliveries.supportsConcurrentDispatchers) {
      // The only dispatcher this store allows: every lease is a leftover of a previous run.
      await this.deps.deliveries.releaseLeases(null);
    }
    this.running = (async () => {
      while (!this.stopping) {
        let busy = false;
        try {
          busy = await this.tick();
        } catch (error) {
          this.deps.logger.error({ err: error }, 'dispatcher pass failed; retrying');
          this.version = -1;
          await sleep(500);
          continue;
        }
        if (!busy) await this.idle();
      }
    })();
  }

  /** Stops taking work, waits for requests in flight and their records, and hands back queued leases. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = null;
    await this.settle();
    const queued = [...this.subscriptions.values()].flatMap((state) => state.queue.map((d) => d.deliveryId));
    for (const state of this.subscriptions.values()) state.queue = [];
    for (const id of queued) this.held.delete(id);
    if (queued.length > 0) await this.deps.deliveries.releaseLeases(queued);
  }

  /**
   * One pass: refresh the subscriptions if they changed, fan out new events, form the batches that
   * are ready, claim due deliveries, and start every request the limits allow. Returns whether it
   * found anything to do. Tests drive the dispatcher with it.
   */
  async tick(): Promise<boolean> {
    const now = this.deps.clock.now();
    const marks = await this.deps.deliveries.watermarks(this.options.consumer);
    if (marks.subscriptionsVersion !== this.version) await this.refreshSubscriptions();
    let busy = false;
    let cursor = marks.cursor;
    // A fan-out transaction costs about as much as a dozen of its rows; a trickle of events waits
    // up to `fanOutCoalesceMs` to share one (a backlog goes at once).
    const waiting = marks.eventHead - cursor;
    const coalesce =
      waiting > 0 &&
      waiting < FAN_OUT_COALESCE_EVENTS &&
      performance.now() - this.lastFanOutAt < this.options.fanOutCoalesceMs;
    if (!coalesce && waiting > 0) this.lastFanOutAt = performance.now();
    this.fanOutDeferred = coalesce ? { until: this.lastFanOutAt + this.options.fanOutCoalesceMs } : null;
    for (let round = 0; round < 8 && !coalesce && cursor < marks.eventHead; round++) {
      const size = this.fanOutSize();
      if (size === 0) {
        this.fanOutDeferred = { untilSlotsFree: true };
        break;
      }
      const moved = await this.fanOut(cursor, size);
      if (moved === null) {
        // Another writer moved the cursor or changed the subscriptions: look again next pass.
        this.version = -1;
        busy = true;
        break;
      }
      cursor = moved;
      busy = true;
    }
    if (await this.formBatches(now)) busy = true;
    if (await this.claimDue(now)) busy = true;
    for (const state of this.subscriptions.values()) this.pump(state);
    return busy;
  }

  /** Waits until every request started so far has been answered and recorded. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    await this.recorder.drain();
  }

  /** Number of requests in flight (for tests and metrics). */
  get activeRequests(): number {
    return this.inFlight.size;
  }

  private async idle(): Promise<void> {
    const { wakeup } = this.deps;
    // Coalescing events wait no longer than their window, however long the poll interval.
    const deferred = this.fanOutDeferred;
    const ms =
      deferred !== null && 'until' in deferred
        ? Math.min(this.options.idlePollMs, Math.max(1, Math.ceil(deferred.until - performance.now())))
        : this.options.idlePollMs;
    if (wakeup) {
      this.wake = () => wakeup.interrupt();
      await wakeup.wait(ms);
    } else {
      await Promise.race([
        sleep(ms),
        new Promise<void>((resolve) => {
          this.wake = resolve;
        }),
      ]);
    }
    this.wake = null;
  }

  private async refreshSubscriptions(): Promise<void> {
    const { version, subscriptions } = await this.deps.subscriptions.listLive();
    const now = this.deps.clock.now();
    const seen = new Set<string>();
    const released: string[] = [];
    for (const subscription of subscriptions) {
      seen.add(subscription.subscriptionId);
      const state = this.subscriptions.get(subscription.subscriptionId);
      if (!state) {
        this.subscriptions.set(subscription.subscriptionId, {
          subscription,
          limiter: new SubscriptionLimiter(
            this.options.concurrencyPerSubscription,
            subscription.rateLimitPerSecond,
            now,
          ),
          queue: [],
          claimSoon: true,
          batchQueue: null,
          lastError: null,
        });
        continue;
      }
      const wasActive = state.subscription.status === 'active';
      state.subscription = subscription;
      state.limiter.reconfigure(
        this.options.concurrencyPerSubscription,
        subscription.rateLimitPerSecond,
        now,
      );
      if (subscription.status !== 'active') released.push(...this.dropQueue(state));
      else if (!wasActive) state.claimSoon = true;
      state.batchQueue = null;
    }
    for (const [id, state] of this.subscriptions) {
      if (seen.has(id)) continue;
      released.push(...this.dropQueue(state));
      this.subscriptions.delete(id);
    }
    this.byWorkspace.clear();
    for (const state of this.subscriptions.values()) {
      const list = this.byWorkspace.get(state.subscription.workspaceId) ?? [];
      list.push(state);
      this.byWorkspace.set(state.subscription.workspaceId, list);
    }
    if (released.length > 0) await this.deps.deliveries.releaseLeases(released);
    const queues = await this.deps.deliveries.batchQueues();
    for (const state of this.subscriptions.values()) {
      if (state.subscription.mode.kind === 'batch')
        state.batchQueue = queues.get(state.subscription.subscriptionId) ?? { count: 0, oldestAt: null };
    }
    this.version = version;
  }

  private dropQueue(state: SubscriptionState): string[] {
    const ids = state.queue.map((delivery) => delivery.deliveryId);
    for (const id of ids) this.held.delete(id);
    state.queue = [];
    return ids;
  }

  /** Fans out the next events after `cursor`; returns the new cursor, or `null` when the commit was refused. */
  /**
   * How many events the next fan-out reads (0: not now). Fan-out runs no further ahead than the
   * fastest active immediate subscription can take, so its deliveries are born leased and sent
   * from memory rather than written unleased and claimed again later. A subscription that cannot
   * keep up gets its deliveries unleased (claimed as it frees up), and the others do not wait for
   * it. With a batch subscription active (it must see its events to form batches) or none active
   * at all, fan-out goes at full speed.
   */
  private fanOutSize(): number {
    let active = false;
    let largest = 0;
    for (const state of this.subscriptions.values()) {
      if (state.subscription.status !== 'active') continue;
      if (state.subscription.mode.kind === 'batch') return this.options.fanOutBatchSize;
      active = true;
      // Wait until at least half the budget is free: fewer, larger fan-out transactions.
      const free = this.queueBudget(state);
      if (free >= Math.ceil(this.budget(state) / 2)) largest = Math.max(largest, free);
    }
    return active ? Math.min(this.options.fanOutBatchSize, largest) : this.options.fanOutBatchSize;
  }

  private async fanOut(cursor: number, size: number): Promise<number | null> {
    const { deliveries, clock } = this.deps;
    const events = await deliveries.readEventsAfter(cursor, size);
    if (events.length === 0) return cursor;
    const now = clock.now();
    const leaseUntil = now + this.options.leaseMs;
    const targets: FanOutTarget[] = [];
    const targetStates: SubscriptionState[] = [];
    const leasedPerSubscription = new Map<SubscriptionState, number>();
    for (const { position, event } of events) {
      let facts: EventFacts | null = null;
      for (const state of this.byWorkspace.get(event.workspaceId) ?? []) {
        const { subscription } = state;
        // Disabled subscriptions accumulate nothing; paused ones keep their events for the catch-up.
        if (subscription.status === 'disabled' || position <= subscription.startsAfterEvent) continue;
        if (!eventTypeMatches(subscription.eventTypes, event.eventType)) continue;
        if (hasFilters(subscription.filters)) {
          facts ??= eventFacts(event);
          if (!subscriptionMatches(subscription, facts)) continue;
        }
        let delivery: FanOutTarget['delivery'] = null;
        if (subscription.mode.kind === 'immediate') {
          // Lease to ourselves only what we can start soon; the rest is claimed as slots free up.
          const leased = leasedPerSubscription.get(state) ?? 0;
          const take = subscription.status === 'active' && leased < this.queueBudget(state);
          if (take) leasedPerSubscription.set(state, leased + 1);
          else if (subscription.status === 'active') state.claimSoon = true;
          delivery = { deliveryId: newId('delivery', now), leaseUntil: take ? leaseUntil : null };
        }
        targets.push({ subscriptionId: subscription.subscriptionId, eventId: event.eventId, delivery });
        targetStates.push(state);
      }
    }
    const last = events.at(-1)!.position;
    const commit = await deliveries.commitFanOut({
      consumer: this.options.consumer,
      from: cursor,
      to: last,
      subscriptionsVersion: this.version,
      now,
      targets,
    });
    if (!commit.committed) return null;

    const payloads = new Map(events.map(({ event }) => [event.eventId, event.payload]));
    targets.forEach((target, i) => {
      const state = targetStates[i]!;
      if (target.delivery === null) {
        const queue = state.batchQueue ?? { count: 0, oldestAt: null };
        state.batchQueue = { count: queue.count + 1, oldestAt: queue.oldestAt ?? now };
        return;
      }
      if (target.delivery.leaseUntil === null) return;
      this.enqueue(state, {
        deliveryId: target.delivery.deliveryId,
        subscriptionId: target.subscriptionId,
        webhookId: target.eventId,
        origin: 'fanout',
        attemptCount: 0,
        body: {
          kind: 'event',
          sequence: commit.sequences[i]!,
          payload: payloads.get(target.eventId) ?? null,
        },
      });
    });
    return last;
  }

  /**
   * How many leased deliveries a subscription may hold here: enough to keep its slots busy without
   * a claim per request, few enough that the last one starts before its lease runs out even if
   * every request ahead of it takes the full timeout (or waits for the rate limit).
   */
  private budget(state: SubscriptionState): number {
    const { concurrencyPerSubscription: slots, leaseMs, timeoutMs } = this.options;
    const byTimeout = Math.floor((slots * leaseMs) / (2 * timeoutMs));
    const rate = state.subscription.rateLimitPerSecond;
    const byRate = rate === null ? Number.POSITIVE_INFINITY : Math.floor((rate * leaseMs) / 2000);
    return Math.max(1, Math.min(Math.max(2 * slots, byTimeout), byRate));
  }

  /** How many more leased deliveries the subscription may take now. */
  private queueBudget(state: SubscriptionState): number {
    return Math.max(0, this.budget(state) - state.queue.length - state.limiter.active);
  }

  private async formBatches(now: number): Promise<boolean> {
    let formed = false;
    for (const state of this.subscriptions.values()) {
      const { subscription } = state;
      if (subscription.mode.kind !== 'batch' || subscription.status !== 'active') continue;
      const queue = state.batchQueue;
      if (queue === null || queue.count === 0 || queue.oldestAt === null) continue;
      const { maxEvents, maxWaitMs } = subscription.mode;
      // The store checks the byte budget itself; a full or old queue is worth asking about.
      if (queue.count < maxEvents && now - queue.oldestAt < maxWaitMs) continue;
      const take = this.queueBudget(state) > 0;
      const result = await this.deps.deliveries.formBatch({
        subscriptionId: subscription.subscriptionId,
        now,
        maxEvents,
        maxWaitMs,
        maxBytes: BATCH_PAYLOAD_BUDGET,
        deliveryId: newId('delivery', now),
        leaseUntil: take ? now + this.options.leaseMs : null,
      });
      state.batchQueue = result.queue;
      if (result.batch === null) continue;
      formed = true;
      if (take) this.enqueue(state, result.batch);
      else state.claimSoon = true;
    }
    return formed;
  }

  private async claimDue(now: number): Promise<boolean> {
    const everyone = now >= this.nextClaimAt;
    if (everyone) this.nextClaimAt = now + this.options.claimIntervalMs;
    let claimed = false;
    for (const state of this.subscriptions.values()) {
      if (state.subscription.status !== 'active' || !(everyone || state.claimSoon)) continue;
      // Claim in large bites: only once the queue has run down to one round of requests, then as
      // much as the budget allows (each claim is a transaction; a claim per freed slot costs more
      // than the requests it feeds).
      if (state.queue.length > this.options.concurrencyPerSubscription) continue;
      const limit = this.queueBudget(state);
      if (limit === 0) continue;
      const due = await this.deps.deliveries.claimDue({
        subscriptionId: state.subscription.subscriptionId,
        now,
        limit,
        leaseMs: this.options.leaseMs,
      });
      state.claimSoon = due.length === limit;
      for (const delivery of due) {
        if (this.held.has(delivery.deliveryId)) continue;
        this.enqueue(state, delivery);
        claimed = true;
      }
    }
    return claimed;
  }

  private enqueue(state: SubscriptionState, delivery: DueDelivery): void {
    this.held.add(delivery.deliveryId);
    state.queue.push(delivery);
  }

  /** Starts as many of the subscription's queued deliveries as its limits allow. */
  private pump(state: SubscriptionState): void {
    if (state.subscription.status !== 'active') return;
    while (state.queue.length > 0 && state.limiter.tryStart(this.deps.clock.now())) {
      const delivery = state.queue.shift()!;
      const sent = this.attempt(state, delivery).finally(() => {
        this.inFlight.delete(sent);
      });
      this.inFlight.add(sent);
    }
  }

  private async attempt(state: SubscriptionState, delivery: DueDelivery): Promise<void> {
    let record: AttemptRecord;
    try {
      record = await this.attempter.run(state.subscription, delivery);
    } finally {
      state.limiter.finish();
    }
    // The slot is free: start the next one now rather than at the next pass.
    this.pump(state);
    // Wake the loop for what waited on this slot: a claim, or events held back from fan-out.
    const waitedForSlots =
      state.claimSoon || (this.fanOutDeferred !== null && 'untilSlotsFree' in this.fanOutDeferred);
    if (waitedForSlots && state.queue.length <= this.options.concurrencyPerSubscription) this.wake?.();
    const { attempt } = record;
    if (attempt?.errorCategory)
      state.lastError = [attempt.errorCategory, attempt.statusCode].filter(Boolean).join(' ');
    await this.recorder.add(record);
    this.held.delete(delivery.deliveryId);
    if (attempt?.statusCode === 410 && delivery.origin !== 'test') await this.disableGone(state.subscription);
  }

  /** 410 Gone: the endpoint asked not to be called again. */
  private async disableGone(subscription: Subscription): Promise<void> {
    const changed = await this.deps.subscriptions.changeStatus(
      subscription.workspaceId,
      subscription.subscriptionId,
      {
        status: 'disabled',
        reason: 'disabled automatically: the endpoint answered 410 Gone',
        at: this.deps.clock.now(),
        onlyFrom: ['active', 'paused'],
      },
    );
    if (changed)
      this.deps.logger.warn(
        { subscription_id: subscription.subscriptionId },
        'webhook subscription disabled: endpoint answered 410 Gone',
      );
  }

  private async pauseFailing(updates: readonly StreakUpdate[]): Promise<void> {
    const now = this.deps.clock.now();
    for (const { subscriptionId, streak } of updates) {
      const state = this.subscriptions.get(subscriptionId);
      if (!state || !shouldPause(streak, now, this.options.pause)) continue;
      try {
        const changed = await this.deps.subscriptions.changeStatus(
          state.subscription.workspaceId,
          subscriptionId,
          {
            status: 'paused',
            reason: pauseReason(streak, now, state.lastError),
            at: now,
            onlyFrom: ['active'],
          },
        );
        if (changed) {
          this.deps.logger.warn(
            { subscription_id: subscriptionId, consecutive_failures: streak.consecutiveFailures },
            'webhook subscription paused: every attempt failed for too long',
          );
        }
      } catch (error) {
        this.deps.logger.error(
          { err: error, subscription_id: subscriptionId },
          'pausing a failing subscription failed',
        );
      }
    }
  }
}
