import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clickCreated } from '../../fixtures/webhook-events.js';
import { DispatcherHarness } from '../../support/dispatcher-harness.js';
import { WebhookReceiver } from '../../support/webhook-receiver.js';
import { verifyAt } from '../../support/webhook-verify.js';

interface BatchBody {
  batch_id: string;
  sent_at: string;
  events: { event_id: string }[];
  sequences: number[];
}

describe('pausing, batching and limits', () => {
  let harness: DispatcherHarness;
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    harness = await DispatcherHarness.open({ dispatcher: { pause: { afterMs: 60_000, minFailures: 3 } } });
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    await harness.close();
    await receiver.close();
  });

  it('pauses a subscription that keeps failing, keeps its events, and catches up oldest first on resume', async () => {
    const { subscription } = await harness.subscribe({ url: receiver.url(), maxAttempts: 20 });
    const other = await harness.subscribe({ url: receiver.url('/healthy') });
    receiver.answer = (request) => (request.path === '/healthy' ? { status: 200 } : { status: 502 });
    const ws = harness.workspaceId;
    const first = clickCreated({ workspaceId: ws });
    await harness.append(first);
    await harness.drain(); // attempt 1 at t0
    await harness.advance(5_000); // 2
    await harness.advance(30_000); // 3 failures, but only 35 s of failing: not yet
    expect((await harness.service.getSubscription(ws, subscription.subscription_id)).status).toBe('active');
    await harness.advance(120_000); // 4 failures over 155 s: paused
    const paused = await harness.service.getSubscription(ws, subscription.subscription_id);
    expect(paused.status).toBe('paused');
    expect(paused.status_reason).toMatch(/every attempt failed for 3 min \(4 in a row\); last: http_5xx 502/);
    const health = await harness.service.health(ws, subscription.subscription_id);
    expect(health).toMatchObject({ consecutive_failures: 4, status: 'paused' });
    expect(health.failure_reasons).toEqual([{ error_category: 'http_5xx', count: 4 }]);

    // Paused: events keep accumulating as deliveries, nothing is sent, the other subscription is unaffected.
    const later = [clickCreated({ workspaceId: ws }), clickCreated({ workspaceId: ws })];
    await harness.append(...later);
    const sentBefore = receiver.to('/hook').length;
    await harness.advance(600_000);
    expect(receiver.to('/hook')).toHaveLength(sentBefore);
    expect(receiver.to('/healthy')).toHaveLength(3);
    expect((await harness.deliveries(subscription.subscription_id)).map((d) => d.status).sort()).toEqual([
      'pending',
      'pending',
      'retrying',
    ]);

    receiver.answer = () => ({ status: 200 });
    const resumed = await harness.service.resume(ws, subscription.subscription_id);
    expect(resumed).toMatchObject({ status: 'active', status_reason: null });
    await harness.drain();
    const caughtUp = receiver
      .to('/hook')
      .slice(sentBefore)
      .map((r) => r.headers['webhook-id']);
    expect(caughtUp).toEqual([first.eventId, ...later.map((e) => e.eventId)]);
    expect(
      (await harness.deliveries(subscription.subscription_id)).every((d) => d.status === 'succeeded'),
    ).toBe(true);
    expect((await harness.service.health(ws, subscription.subscription_id)).consecutive_failures).toBe(0);
    expect(other.subscription.status).toBe('active');
  });

  it('posts batches when full or when the oldest event has waited long enough', async () => {
    const { subscription, secret } = await harness.subscribe({
      url: receiver.url(),
      mode: { kind: 'batch', maxEvents: 3, maxWaitMs: 1_000 },
    });
    const ws = harness.workspaceId;
    const early = [clickCreated({ workspaceId: ws }), clickCreated({ workspaceId: ws })];
    await harness.append(...early);
    await harness.drain();
    expect(receiver.requests).toHaveLength(0);
    await harness.advance(999);
    expect(receiver.requests).toHaveLength(0);
    await harness.advance(1);
    expect(receiver.requests).toHaveLength(1);

    const more = [1, 2, 3, 4].map(() => clickCreated({ workspaceId: ws }));
    await harness.append(...more);
    await harness.drain();
    expect(receiver.requests).toHaveLength(2);
    await harness.advance(1_000);
    expect(receiver.requests).toHaveLength(3);

    const bodies = receiver.requests.map((r) => JSON.parse(r.body) as BatchBody);
    expect(bodies.map((b) => b.events.map((e) => e.event_id))).toEqual([
      early.map((e) => e.eventId),
      more.slice(0, 3).map((e) => e.eventId),
      [more[3]!.eventId],
    ]);
    expect(bodies.map((b) => b.sequences)).toEqual([[1, 2], [3, 4, 5], [6]]);
    for (const [i, request] of receiver.requests.entries()) {
      expect(request.headers['webhook-id']).toBe(bodies[i]!.batch_id);
      expect(request.headers['clickwire-sequence']).toBe(String(bodies[i]!.sequences.at(-1)));
      expect(new Webhook(secret).verify(request.body, request.headers)).toMatchObject({
        batch_id: bodies[i]!.batch_id,
      });
    }
    const deliveries = await harness.deliveries(subscription.subscription_id);
    expect(deliveries.map((d) => [d.kind, d.event_count, d.status, d.batch_id === d.delivery_id])).toEqual([
      ['batch', 1, 'succeeded', true],
      ['batch', 3, 'succeeded', true],
      ['batch', 2, 'succeeded', true],
    ]);
  });

  it('retries only the events a batch answer names as failed, under the same batch id', async () => {
    const ws = harness.workspaceId;
    await harness.subscribe({ url: receiver.url(), mode: { kind: 'batch', maxEvents: 3, maxWaitMs: 100 } });
    const events = [1, 2, 3].map(() => clickCreated({ workspaceId: ws }));
    let answers = 0;
    receiver.answer = () =>
      answers++ === 0
        ? {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ failed: [events[1]!.eventId, 'evt_unknown'] }),
          }
        : { status: 200 };
    await harness.append(...events);
    await harness.drain();
    expect(receiver.requests).toHaveLength(1);
    const [batch] = await harness.deliveries();
    expect(batch).toMatchObject({ status: 'retrying', attempt_count: 1 });
    const partial = await harness.service.getDelivery(ws, batch!.delivery_id);
    expect(partial.attempts[0]!.outcome).toBe('partial');
    expect(partial.events.map((e) => e.state)).toEqual(['succeeded', 'pending', 'succeeded']);

    await harness.advance(5_000);
    expect(receiver.requests).toHaveLength(2);
    const retry = JSON.parse(receiver.requests[1]!.body) as BatchBody;
    expect(retry.batch_id).toBe(batch!.delivery_id);
    expect(receiver.requests[1]!.headers['webhook-id']).toBe(batch!.delivery_id);
    expect(retry.events.map((e) => e.event_id)).toEqual([events[1]!.eventId]);
    expect(retry.sequences).toEqual([2]);
    const done = await harness.service.getDelivery(ws, batch!.delivery_id);
    expect(done.status).toBe('succeeded');
    expect(done.events.map((e) => e.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // The delivery log finds a batch by any event inside it.
    const byEvent = await harness.service.listDeliveries(ws, { eventId: events[1]!.eventId }, null, 10);
    expect(byEvent.items.map((d) => d.delivery_id)).toEqual([batch!.delivery_id]);
  });

  it('signs with both secrets during a rotation grace period, then with the new one only', async () => {
    const ws = harness.workspaceId;
    const { subscription, secret: oldSecret } = await harness.subscribe({ url: receiver.url() });
    const rotated = await harness.service.rotateSecret(ws, subscription.subscription_id, 3_600);
    expect(rotated.secret).not.toBe(oldSecret);
    expect(Date.parse(rotated.previousSecretExpiresAt!)).toBe(harness.clock.now() + 3_600_000);
    await harness.append(clickCreated({ workspaceId: ws }));
    await harness.drain();
    const during = receiver.requests[0]!;
    expect(during.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(during.body, during.headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(during.body, during.headers)).not.toThrow();

    harness.clock.advance(3_600_000);
    await harness.append(clickCreated({ workspaceId: ws }));
    await harness.drain();
    const after = receiver.requests[1]!;
    expect(after.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    const now = harness.clock.now();
    expect(() => verifyAt(rotated.secret, after, now)).not.toThrow();
    expect(() => verifyAt(oldSecret, after, now)).toThrow(/No matching signature/);
    expect(
      (await harness.service.getSubscription(ws, subscription.subscription_id)).previous_secret_expires_at,
    ).toBeNull();
  });

  it('holds a slow subscriber to its own concurrency limit while the others get everything', async () => {
    const ws = harness.workspaceId;
    await harness.subscribe({ url: receiver.url('/slow') });
    await harness.subscribe({ url: receiver.url('/fast') });
    receiver.answer = (request) => (request.path === '/slow' ? 'hang' : { status: 200 });
    const events = Array.from({ length: 20 }, () => clickCreated({ workspaceId: ws }));
    await harness.append(...events);
    for (let i = 0; i < 20 && receiver.to('/fast').length < 20; i++) {
      await harness.dispatcher.tick();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(receiver.to('/fast')).toHaveLength(20);
    expect(receiver.to('/slow')).toHaveLength(4); // concurrencyPerSubscription of the harness
    expect(receiver.hanging).toBe(4);

    receiver.answer = () => ({ status: 200 });
    receiver.releaseHung();
    await harness.drain();
    expect(receiver.to('/slow').map((r) => r.headers['webhook-id'])).toEqual(events.map((e) => e.eventId));
  });

  it('starts no more requests per second than the subscription allows', async () => {
    const ws = harness.workspaceId;
    await harness.subscribe({ url: receiver.url(), rateLimitPerSecond: 2 });
    await harness.append(...Array.from({ length: 5 }, () => clickCreated({ workspaceId: ws })));
    await harness.drain();
    expect(receiver.requests).toHaveLength(2);
    await harness.advance(499);
    expect(receiver.requests).toHaveLength(2);
    await harness.advance(1);
    expect(receiver.requests).toHaveLength(3);
    await harness.advance(500);
    expect(receiver.requests).toHaveLength(4);
    await harness.advance(1_000);
    expect(receiver.requests).toHaveLength(5);
  });
});
