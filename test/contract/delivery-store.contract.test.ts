import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import type { StoredEvent } from '../../src/events/event-envelope.js';
import { newId } from '../../src/kernel/ids.js';
import type { AttemptRecord, FanOutTarget } from '../../src/webhooks/delivery-store.js';
import { NO_FAILURES } from '../../src/webhooks/pause-policy.js';
import { NO_FILTERS, type Subscription } from '../../src/webhooks/subscription.js';
import { clickCreated } from '../fixtures/webhook-events.js';
import { BACKENDS } from './backends.js';
import { seedWorkspace } from './fixtures.js';

const T0 = 1_800_000_000_000;
const LEASE = 60_000;

for (const engine of BACKENDS) {
  describe(`DeliveryStore, SubscriptionStore and DeliveryLog contract — ${engine.name}`, () => {
    let backend: Backend;
    let dispose: () => Promise<void>;
    let ws: string;
    let writes = 0;
    beforeEach(async () => {
      ({ backend, dispose } = await engine.open());
      ws = (await seedWorkspace(backend)).workspaceId;
    });
    afterEach(async () => dispose());

    const subscription = (overrides: Partial<Subscription> = {}): Subscription => ({
      subscriptionId: newId('subscription'),
      workspaceId: ws,
      url: 'https://hooks.example.com/',
      description: null,
      eventTypes: ['click.*'],
      filters: NO_FILTERS,
      mode: { kind: 'immediate' },
      maxAttempts: 3,
      rateLimitPerSecond: null,
      status: 'active',
      statusReason: null,
      statusChangedAt: T0,
      secrets: { current: 'whsec_AAAA', previous: null },
      failureStreak: NO_FAILURES,
      startsAfterEvent: 0,
      createdAt: T0,
      updatedAt: T0,
      ...overrides,
    });

    async function append(...events: StoredEvent[]): Promise<void> {
      await backend.processing.commit({
        consumer: 'contract-writer',
        position: ++writes,
        at: T0,
        clicks: [],
        relabels: [],
        visitorWindows: [],
        rollups: [],
        events,
      });
    }

    /** Fans every stored event out to the given subscriptions (immediate: leased or not). */
    async function fanOutAll(targetsFor: (event: StoredEvent) => FanOutTarget[]) {
      const marks = await backend.deliveries.watermarks('dispatcher');
      const events = await backend.deliveries.readEventsAfter(marks.cursor, 1000);
      const targets = events.flatMap(({ event }) => targetsFor(event));
      const commit = await backend.deliveries.commitFanOut({
        consumer: 'dispatcher',
        from: marks.cursor,
        to: events.at(-1)?.position ?? marks.cursor,
        subscriptionsVersion: marks.subscriptionsVersion,
        now: T0,
        targets,
      });
      return { commit, targets };
    }

    const success = (deliveryId: string, subscriptionId: string, startedAt = T0): AttemptRecord => ({
      deliveryId,
      subscriptionId,
      attempt: {
        deliveryId,
        subscriptionId,
        trigger: 'scheduled',
        startedAt,
        durationMs: 12.5,
        outcome: 'succeeded',
        statusCode: 204,
        errorCategory: null,
        errorDetail: null,
        requestHeaders: { 'webhook-id': 'x' },
        responseBody: '',
      },
      next: { status: 'succeeded' },
      endpoint: 'ok',
    });
    const failure = (
      deliveryId: string,
      subscriptionId: string,
      next: AttemptRecord['next'],
      startedAt = T0,
    ): AttemptRecord => ({
      ...success(deliveryId, subscriptionId, startedAt),
      attempt: {
        ...success(deliveryId, subscriptionId, startedAt).attempt!,
        outcome: 'failed',
        statusCode: 500,
        errorCategory: 'http_5xx',
        responseBody: 'boom',
      },
      next,
      endpoint: 'failing',
    });

    it('starts a new subscription after the newest stored event, and versions every change', async () => {
      await append(clickCreated({ workspaceId: ws }));
      const v0 = await backend.subscriptions.version();
      const stored = await backend.subscriptions.insert(subscription());
      expect(stored.startsAfterEvent).toBe((await backend.deliveries.watermarks('dispatcher')).eventHead);
      expect(stored.startsAfterEvent).toBeGreaterThan(0);
      expect(await backend.subscriptions.version()).toBeGreaterThan(v0);
      expect(await backend.subscriptions.get(ws, stored.subscriptionId)).toEqual(stored);
      expect(await backend.subscriptions.get('ws_other', stored.subscriptionId)).toBeNull();
      const live = await backend.subscriptions.listLive();
      expect(live.version).toBe(await backend.subscriptions.version());
      expect(live.subscriptions.map((s) => s.subscriptionId)).toEqual([stored.subscriptionId]);
    });

    it('lists subscriptions newest first, page by page, and forgets deleted ones', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++)
        ids.push((await backend.subscriptions.insert(subscription())).subscriptionId);
      const first = await backend.subscriptions.list(ws, { beforeSubscriptionId: null, limit: 2 });
      expect(first.map((s) => s.subscriptionId)).toEqual([ids[2], ids[1]]);
      const second = await backend.subscriptions.list(ws, { beforeSubscriptionId: ids[1]!, limit: 2 });
      expect(second.map((s) => s.subscriptionId)).toEqual([ids[0]]);
      expect(await backend.subscriptions.delete(ws, ids[0]!, T0)).toBe(true);
      expect(await backend.subscriptions.delete(ws, ids[0]!, T0)).toBe(false);
      expect(await backend.subscriptions.get(ws, ids[0]!)).toBeNull();
      expect((await backend.subscriptions.listLive()).subscriptions).toHaveLength(2);
    });

    it('numbers each stream without gaps, creates deliveries and moves the cursor together', async () => {
      const a = await backend.subscriptions.insert(subscription());
      const b = await backend.subscriptions.insert(
        subscription({ mode: { kind: 'batch', maxEvents: 10, maxWaitMs: 1000 } }),
      );
      const events = [
        clickCreated({ workspaceId: ws }),
        clickCreated({ workspaceId: ws }),
        clickCreated({ workspaceId: ws }),
      ];
      await append(...events);
      const ids = new Map<string, string>();
      const { commit } = await fanOutAll((event) => {
        const id = newId('delivery');
        ids.set(event.eventId, id);
        return [
          {
            subscriptionId: a.subscriptionId,
            eventId: event.eventId,
            delivery: { deliveryId: id, leaseUntil: null },
          },
          { subscriptionId: b.subscriptionId, eventId: event.eventId, delivery: null },
        ];
      });
      expect(commit).toEqual({ committed: true, sequences: [1, 1, 2, 2, 3, 3] });
      const marks = await backend.deliveries.watermarks('dispatcher');
      expect(marks.cursor).toBe(marks.eventHead);
      const stream = await backend.deliveryLog.streamAfter(a.subscriptionId, 0, 10);
      expect(stream.map((s) => [s.sequence, s.event.eventId])).toEqual(
        events.map((e, i) => [i + 1, e.eventId]),
      );
      expect((await backend.deliveryLog.streamAfter(b.subscriptionId, 2, 10)).map((s) => s.sequence)).toEqual(
        [3],
      );
      const listed = await backend.deliveryLog.list(
        ws,
        { subscriptionId: a.subscriptionId },
        { beforeDeliveryId: null, limit: 10 },
      );
      expect(listed.map((d) => d.content)).toEqual(
        [...events].reverse().map((e, i) => ({ kind: 'event', eventId: e.eventId, sequence: 3 - i })),
      );
      expect(listed[0]!.state).toEqual({ status: 'pending', nextAttemptAt: T0 });
      expect(
        await backend.deliveryLog.list(
          ws,
          { subscriptionId: b.subscriptionId },
          { beforeDeliveryId: null, limit: 10 },
        ),
      ).toEqual([]);
      expect((await backend.deliveries.batchQueues()).get(b.subscriptionId)).toEqual({
        count: 3,
        oldestAt: T0,
      });
    });

    it('refuses a fan-out made from a stale cursor or subscription list, writing nothing', async () => {
      const a = await backend.subscriptions.insert(subscription());
      await append(clickCreated({ workspaceId: ws }));
      const marks = await backend.deliveries.watermarks('dispatcher');
      const [event] = await backend.deliveries.readEventsAfter(marks.cursor, 10);
      const fanOut = {
        consumer: 'dispatcher',
        from: marks.cursor,
        to: event!.position,
        subscriptionsVersion: marks.subscriptionsVersion,
        now: T0,
        targets: [
          {
            subscriptionId: a.subscriptionId,
            eventId: event!.event.eventId,
            delivery: { deliveryId: newId('delivery'), leaseUntil: null },
          },
        ],
      };
      expect(await backend.deliveries.commitFanOut({ ...fanOut, from: marks.cursor + 1 })).toEqual({
        committed: false,
      });
      expect(
        await backend.deliveries.commitFanOut({
          ...fanOut,
          subscriptionsVersion: marks.subscriptionsVersion - 1,
        }),
      ).toEqual({ committed: false });
      expect((await backend.deliveries.watermarks('dispatcher')).cursor).toBe(marks.cursor);
      expect(await backend.deliveryLog.list(ws, {}, { beforeDeliveryId: null, limit: 10 })).toEqual([]);
      expect((await backend.deliveries.commitFanOut(fanOut)).committed).toBe(true);
      expect((await backend.deliveries.commitFanOut(fanOut)).committed).toBe(false);
    });

    it('claims due deliveries oldest first under a lease, only for active subscriptions', async () => {
      const a = await backend.subscriptions.insert(subscription());
      await append(...[1, 2, 3].map(() => clickCreated({ workspaceId: ws })));
      const { targets } = await fanOutAll((event) => [
        {
          subscriptionId: a.subscriptionId,
          eventId: event.eventId,
          delivery: { deliveryId: newId('delivery'), leaseUntil: null },
        },
      ]);
      const claim = (now: number, limit = 10) =>
        backend.deliveries.claimDue({ subscriptionId: a.subscriptionId, now, limit, leaseMs: LEASE });
      const first = await claim(T0, 1);
      expect(first.map((d) => d.deliveryId)).toEqual([targets[0]!.delivery!.deliveryId]);
      expect(first[0]!.body).toEqual({
        kind: 'event',
        sequence: 1,
        payload: expect.stringContaining(targets[0]!.eventId),
      });
      expect(first[0]).toMatchObject({ webhookId: targets[0]!.eventId, origin: 'fanout', attemptCount: 0 });
      const rest = await claim(T0);
      expect(rest.map((d) => d.deliveryId)).toEqual(targets.slice(1).map((t) => t.delivery!.deliveryId));
      expect(await claim(T0 + LEASE - 1)).toEqual([]);
      // A lease that ran out (a dispatcher died) is claimable again.
      expect((await claim(T0 + LEASE)).length).toBe(3);
      await backend.deliveries.releaseLeases(null);
      expect((await claim(T0 + LEASE)).length).toBe(3);
      await backend.deliveries.releaseLeases([targets[1]!.delivery!.deliveryId]);
      expect((await claim(T0 + LEASE)).map((d) => d.deliveryId)).toEqual([targets[1]!.delivery!.deliveryId]);

      await backend.subscriptions.changeStatus(ws, a.subscriptionId, {
        status: 'paused',
        reason: 'x',
        at: T0,
      });
      await backend.deliveries.releaseLeases(null);
      expect(await claim(T0 + 10 * LEASE)).toEqual([]);
    });

    it('records attempts: numbered, a success always lands, a retry only on an open delivery', async () => {
      const a = await backend.subscriptions.insert(subscription());
      await append(clickCreated({ workspaceId: ws }), clickCreated({ workspaceId: ws }));
      const { targets } = await fanOutAll((event) => [
        {
          subscriptionId: a.subscriptionId,
          eventId: event.eventId,
          delivery: { deliveryId: newId('delivery'), leaseUntil: T0 + LEASE },
        },
      ]);
      const [one, two] = targets.map((t) => t.delivery!.deliveryId) as [string, string];
      const streaks = await backend.deliveries.recordAttempts(
        [
          failure(one, a.subscriptionId, { status: 'retrying', nextAttemptAt: T0 + 5_000 }, T0),
          failure(two, a.subscriptionId, { status: 'failed', reason: 'attempts_exhausted' }, T0 + 1),
        ],
        T0 + 2,
      );
      expect(streaks).toEqual([
        { subscriptionId: a.subscriptionId, streak: { consecutiveFailures: 2, failingSince: T0 } },
      ]);
      expect(await backend.subscriptions.failureStreak(a.subscriptionId)).toEqual({
        consecutiveFailures: 2,
        failingSince: T0,
      });
      const retrying = await backend.deliveryLog.get(ws, one);
      expect(retrying).toMatchObject({
        attemptCount: 1,
        state: {
          status: 'retrying',
          nextAttemptAt: T0 + 5_000,
          lastAttempt: { at: T0, statusCode: 500, errorCategory: 'http_5xx', durationMs: 12.5 },
        },
      });
      expect(
        await backend.deliveries.claimDue({
          subscriptionId: a.subscriptionId,
          now: T0 + 4_999,
          limit: 10,
          leaseMs: LEASE,
        }),
      ).toEqual([]);
      expect(
        (
          await backend.deliveries.claimDue({
            subscriptionId: a.subscriptionId,
            now: T0 + 5_000,
            limit: 10,
            leaseMs: LEASE,
          })
        ).map((d) => [d.deliveryId, d.attemptCount]),
      ).toEqual([[one, 1]]);

      // The failed one stays failed on a late retry verdict, but a late success lands.
      await backend.deliveries.recordAttempts(
        [failure(two, a.subscriptionId, { status: 'retrying', nextAttemptAt: T0 + 9 })],
        T0 + 3,
      );
      expect((await backend.deliveryLog.get(ws, two))!.state).toMatchObject({
        status: 'failed',
        reason: 'attempts_exhausted',
      });
      await backend.deliveries.recordAttempts([success(two, a.subscriptionId, T0 + 4)], T0 + 5);
      expect((await backend.deliveryLog.get(ws, two))!.state).toMatchObject({
        status: 'succeeded',
        completedAt: T0 + 5,
      });
      expect(
        (await backend.deliveryLog.attempts(ws, two)).map((x) => [x.attemptNumber, x.outcome, x.statusCode]),
      ).toEqual([
        [1, 'failed', 500],
        [2, 'failed', 500],
        [3, 'succeeded', 204],
      ]);
      expect(await backend.deliveryLog.attempts('ws_other', two)).toEqual([]);
      expect(await backend.subscriptions.failureStreak(a.subscriptionId)).toEqual(NO_FAILURES);
      const stats = await backend.deliveryLog.attemptStats(a.subscriptionId, T0);
      expect(stats).toEqual({
        total: 4,
        byOutcome: { succeeded: 1, partial: 0, failed: 3 },
        byErrorCategory: { http_5xx: 3 },
      });
      expect(await backend.deliveryLog.durationQuantiles(a.subscriptionId, T0, [0.5, 0.95])).toEqual([
        12.5, 12.5,
      ]);
      expect(await backend.deliveryLog.durationQuantiles(a.subscriptionId, T0 + 100, [0.5])).toEqual([null]);
      const failed = await backend.deliveryLog.list(
        ws,
        { status: 'retrying' },
        { beforeDeliveryId: null, limit: 10 },
      );
      expect(failed.map((d) => d.deliveryId)).toEqual([one]);
      expect(await backend.deliveryLog.oldestPendingAt(a.subscriptionId)).toBe(T0);
    });

    it('forms batches when full, old enough or heavy enough, and settles their events one by one', async () => {
      const b = await backend.subscriptions.insert(
        subscription({ mode: { kind: 'batch', maxEvents: 3, maxWaitMs: 1_000 } }),
      );
      const events = [1, 2, 3, 4].map(() => clickCreated({ workspaceId: ws }));
      await append(...events.slice(0, 2));
      await fanOutAll((event) => [
        { subscriptionId: b.subscriptionId, eventId: event.eventId, delivery: null },
      ]);
      const form = (now: number, deliveryId = newId('delivery'), maxBytes = 1_000_000) =>
        backend.deliveries.formBatch({
          subscriptionId: b.subscriptionId,
          now,
          maxEvents: 3,
          maxWaitMs: 1_000,
          maxBytes,
          deliveryId,
          leaseUntil: now + LEASE,
        });
      expect(await form(T0 + 999)).toEqual({ batch: null, queue: { count: 2, oldestAt: T0 } });
      // Heavy enough: two events that together pass the byte budget.
      const heavy = await form(T0, newId('delivery'), events[0]!.payload.length + 10);
      expect(heavy.batch?.body).toMatchObject({
        kind: 'batch',
        events: [{ sequence: 1, eventId: events[0]!.eventId }],
      });
      expect(heavy.queue).toEqual({ count: 1, oldestAt: T0 });
      await append(...events.slice(2));
      await fanOutAll((event) => [
        { subscriptionId: b.subscriptionId, eventId: event.eventId, delivery: null },
      ]);
      const batchId = newId('delivery');
      const full = await form(T0, batchId);
      expect(full.batch).toMatchObject({
        deliveryId: batchId,
        webhookId: batchId,
        origin: 'fanout',
        attemptCount: 0,
      });
      expect(full.batch!.body).toMatchObject({
        kind: 'batch',
        events: events.slice(1).map((e, i) => ({ sequence: i + 2, eventId: e.eventId })),
      });
      expect(full.queue).toEqual({ count: 0, oldestAt: null });
      expect((await backend.deliveries.batchQueues()).has(b.subscriptionId)).toBe(false);

      // Partial: the second event failed; only it is claimed again.
      await backend.deliveries.recordAttempts(
        [
          {
            ...success(batchId, b.subscriptionId),
            attempt: { ...success(batchId, b.subscriptionId).attempt!, outcome: 'partial', statusCode: 200 },
            next: { status: 'retrying', nextAttemptAt: T0 + 5_000 },
            acceptedSequences: [2, 4],
          },
        ],
        T0,
      );
      expect((await backend.deliveryLog.batchEvents(ws, batchId)).map((e) => e.state)).toEqual([
        'succeeded',
        'pending',
        'succeeded',
      ]);
      const again = await backend.deliveries.claimDue({
        subscriptionId: b.subscriptionId,
        now: T0 + 5_000,
        limit: 10,
        leaseMs: LEASE,
      });
      const retry = again.find((d) => d.deliveryId === batchId)!;
      expect(retry.body).toMatchObject({
        kind: 'batch',
        events: [{ sequence: 3, eventId: events[2]!.eventId }],
      });
      await backend.deliveries.recordAttempts(
        [failure(batchId, b.subscriptionId, { status: 'failed', reason: 'attempts_exhausted' })],
        T0,
      );
      expect((await backend.deliveryLog.batchEvents(ws, batchId)).map((e) => e.state)).toEqual([
        'succeeded',
        'failed',
        'succeeded',
      ]);
      const byEvent = await backend.deliveryLog.list(
        ws,
        { eventId: events[2]!.eventId },
        { beforeDeliveryId: null, limit: 10 },
      );
      expect(byEvent.map((d) => d.deliveryId)).toEqual([batchId]);
      expect(byEvent[0]!.content).toEqual({ kind: 'batch', eventCount: 3 });
    });

    it('on resume makes the backlog due now; on disable fails what is open and drops the batch queue', async () => {
      const a = await backend.subscriptions.insert(subscription());
      const b = await backend.subscriptions.insert(
        subscription({ mode: { kind: 'batch', maxEvents: 10, maxWaitMs: 1_000 } }),
      );
      await append(clickCreated({ workspaceId: ws }));
      const { targets } = await fanOutAll((event) => [
        {
          subscriptionId: a.subscriptionId,
          eventId: event.eventId,
          delivery: { deliveryId: newId('delivery'), leaseUntil: null },
        },
        { subscriptionId: b.subscriptionId, eventId: event.eventId, delivery: null },
      ]);
      const id = targets[0]!.delivery!.deliveryId;
      await backend.deliveries.recordAttempts(
        [failure(id, a.subscriptionId, { status: 'retrying', nextAttemptAt: T0 + 3_600_000 })],
        T0,
      );
      expect(
        await backend.subscriptions.changeStatus(ws, a.subscriptionId, {
          status: 'paused',
          reason: 'failing',
          at: T0,
          onlyFrom: ['active'],
        }),
      ).toBe(true);
      expect(
        await backend.subscriptions.changeStatus(ws, a.subscriptionId, {
          status: 'paused',
          reason: 'again',
          at: T0,
          onlyFrom: ['active'],
        }),
      ).toBe(false);
      expect(await backend.subscriptions.get(ws, a.subscriptionId)).toMatchObject({
        status: 'paused',
        statusReason: 'failing',
      });
      expect(
        await backend.subscriptions.changeStatus(ws, a.subscriptionId, {
          status: 'active',
          reason: null,
          at: T0 + 10,
        }),
      ).toBe(true);
      expect((await backend.deliveryLog.get(ws, id))!.state).toMatchObject({
        status: 'retrying',
        nextAttemptAt: T0 + 10,
      });
      expect(await backend.subscriptions.failureStreak(a.subscriptionId)).toEqual(NO_FAILURES);

      // An attempt sent before the resume and answered after it belongs to the outage that ended:
      // it does not start a new streak (which would pause the subscription again at once).
      const stale = await backend.deliveries.recordAttempts(
        [failure(id, a.subscriptionId, { status: 'retrying', nextAttemptAt: T0 + 60_000 }, T0 + 5)],
        T0 + 11,
      );
      expect(stale).toEqual([]);
      expect(await backend.subscriptions.failureStreak(a.subscriptionId)).toEqual(NO_FAILURES);
      const fresh = await backend.deliveries.recordAttempts(
        [failure(id, a.subscriptionId, { status: 'retrying', nextAttemptAt: T0 + 60_000 }, T0 + 12)],
        T0 + 13,
      );
      expect(fresh).toEqual([
        { subscriptionId: a.subscriptionId, streak: { consecutiveFailures: 1, failingSince: T0 + 12 } },
      ]);

      expect(
        await backend.subscriptions.changeStatus(ws, a.subscriptionId, {
          status: 'disabled',
          reason: 'gone',
          at: T0 + 20,
        }),
      ).toBe(true);
      expect((await backend.deliveryLog.get(ws, id))!.state).toMatchObject({
        status: 'failed',
        reason: 'subscription_disabled',
        completedAt: T0 + 20,
      });
      await backend.subscriptions.changeStatus(ws, b.subscriptionId, {
        status: 'disabled',
        reason: 'x',
        at: T0,
      });
      expect((await backend.deliveries.batchQueues()).has(b.subscriptionId)).toBe(false);
      expect(await backend.deliveryLog.oldestPendingAt(a.subscriptionId)).toBeNull();
    });

    it('turns a batch queue into single deliveries when the subscription leaves batch mode', async () => {
      const b = await backend.subscriptions.insert(
        subscription({ mode: { kind: 'batch', maxEvents: 10, maxWaitMs: 1_000 } }),
      );
      const events = [clickCreated({ workspaceId: ws }), clickCreated({ workspaceId: ws })];
      await append(...events);
      await fanOutAll((event) => [
        { subscriptionId: b.subscriptionId, eventId: event.eventId, delivery: null },
      ]);
      expect(await backend.subscriptions.update({ ...b, mode: { kind: 'immediate' } }, T0 + 1)).toBe(true);
      const due = await backend.deliveries.claimDue({
        subscriptionId: b.subscriptionId,
        now: T0 + 1,
        limit: 10,
        leaseMs: LEASE,
      });
      expect(due.map((d) => d.body)).toEqual(
        events.map((e, i) => ({ kind: 'event', sequence: i + 1, payload: e.payload })),
      );
      expect((await backend.deliveries.batchQueues()).has(b.subscriptionId)).toBe(false);
    });

    it('creates test deliveries leased to their sender, and replays with an audit record', async () => {
      const a = await backend.subscriptions.insert(subscription());
      const events = [1, 2, 3].map((i) => clickCreated({ workspaceId: ws, at: T0 + i * 1000 }));
      await append(...events);
      const { targets } = await fanOutAll((event) => [
        {
          subscriptionId: a.subscriptionId,
          eventId: event.eventId,
          delivery: { deliveryId: newId('delivery'), leaseUntil: T0 + LEASE },
        },
      ]);
      await backend.deliveries.recordAttempts(
        [
          success(targets[0]!.delivery!.deliveryId, a.subscriptionId),
          failure(targets[1]!.delivery!.deliveryId, a.subscriptionId, {
            status: 'failed',
            reason: 'attempts_exhausted',
          }),
          success(targets[2]!.delivery!.deliveryId, a.subscriptionId),
        ],
        T0,
      );
      const testDelivery = newId('delivery');
      await backend.deliveries.insertTestDelivery({
        deliveryId: testDelivery,
        workspaceId: ws,
        subscriptionId: a.subscriptionId,
        eventId: newId('event'),
        payload: '{"test":true}',
        now: T0,
      });
      expect(
        await backend.deliveries.claimDue({
          subscriptionId: a.subscriptionId,
          now: T0 + 1,
          limit: 10,
          leaseMs: LEASE,
        }),
      ).toEqual([]);
      // A test send is logged with its delivery, but is left out of the subscription's figures.
      const testFailure = failure(testDelivery, a.subscriptionId, {
        status: 'failed',
        reason: 'attempts_exhausted',
      });
      await backend.deliveries.recordAttempts(
        [
          {
            ...testFailure,
            attempt: { ...testFailure.attempt!, trigger: 'test', durationMs: 999 },
            endpoint: 'none',
          },
        ],
        T0,
      );
      expect(await backend.deliveryLog.attempts(ws, testDelivery)).toMatchObject([
        { trigger: 'test', statusCode: 500 },
      ]);
      expect(await backend.deliveryLog.attemptStats(a.subscriptionId, T0)).toEqual({
        total: 3,
        byOutcome: { succeeded: 2, partial: 0, failed: 1 },
        byErrorCategory: { http_5xx: 1 },
      });
      expect(await backend.deliveryLog.durationQuantiles(a.subscriptionId, T0, [1])).toEqual([12.5]);

      const replay = (selection: Parameters<Backend['deliveries']['createReplay']>[0]['selection']) =>
        backend.deliveries.createReplay({
          replayId: newId('replay'),
          workspaceId: ws,
          subscriptionId: a.subscriptionId,
          selection,
          requestedBy: 'key_ops',
          now: T0 + 10,
          batching: null,
          maxEvents: 100,
          newDeliveryId: () => newId('delivery'),
        });
      expect(
        (await replay({ by: 'time_range', occurredAfter: null, occurredBefore: null, onlyFailed: true }))
          .eventCount,
      ).toBe(1);
      // Its replay is now under way: nothing counts as failed any more.
      expect(
        (await replay({ by: 'time_range', occurredAfter: null, occurredBefore: null, onlyFailed: true }))
          .eventCount,
      ).toBe(0);
      expect(
        (
          await replay({
            by: 'time_range',
            occurredAfter: T0 + 2000,
            occurredBefore: T0 + 3000,
            onlyFailed: false,
          })
        ).eventCount,
      ).toBe(2);
      const byIds = await replay({ by: 'event_ids', eventIds: [events[2]!.eventId, 'evt_nope'] });
      expect(byIds).toMatchObject({
        eventCount: 1,
        deliveryCount: 1,
        requestedBy: 'key_ops',
        requestedAt: T0 + 10,
      });
      const due = await backend.deliveries.claimDue({
        subscriptionId: a.subscriptionId,
        now: T0 + 10,
        limit: 10,
        leaseMs: LEASE,
      });
      expect(due.map((d) => [d.webhookId, d.origin, (d.body as { sequence: number }).sequence])).toEqual([
        [events[1]!.eventId, 'replay', 2],
        [events[1]!.eventId, 'replay', 2],
        [events[2]!.eventId, 'replay', 3],
        [events[2]!.eventId, 'replay', 3],
      ]);
      const audit = await backend.deliveryLog.replays(ws, a.subscriptionId, {
        beforeReplayId: null,
        limit: 10,
      });
      expect(audit.map((r) => r.eventCount)).toEqual([1, 2, 0, 1]);
      expect(audit[0]!.selection).toEqual({ by: 'event_ids', eventIds: [events[2]!.eventId, 'evt_nope'] });
    });
  });
}
