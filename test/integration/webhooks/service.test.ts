import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clickCreated, linkEvent } from '../../fixtures/webhook-events.js';
import { DispatcherHarness } from '../../support/dispatcher-harness.js';
import { WebhookReceiver } from '../../support/webhook-receiver.js';
import { verifyAt } from '../../support/webhook-verify.js';

describe('webhook service: tests, replays, the stream, health and changes', () => {
  let harness: DispatcherHarness;
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    harness = await DispatcherHarness.open();
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    await harness.close();
    await receiver.close();
  });

  it('sends a test event marked as a test, records it as a delivery and returns the outcome', async () => {
    const ws = harness.workspaceId;
    const { subscription, secret } = await harness.subscribe({ url: receiver.url(), eventTypes: ['link.*'] });
    const outcome = await harness.service.sendTest(ws, subscription.subscription_id);
    expect(outcome).toMatchObject({
      kind: 'test',
      origin: 'test',
      status: 'succeeded',
      attempt_count: 1,
      response_code: 200,
    });
    expect(outcome.attempts).toMatchObject([{ trigger: 'test', status_code: 200, outcome: 'succeeded' }]);
    const sent = verifyAt(secret, receiver.requests[0]!, harness.clock.now()) as Record<string, unknown>;
    expect(sent).toMatchObject({
      test: true,
      event_type: 'link.created',
      event_id: outcome.event_id,
      workspace_id: ws,
    });
    expect(receiver.requests[0]!.headers['clickwire-sequence']).toBeUndefined();

    receiver.answer = () => ({ status: 500 });
    const failed = await harness.service.sendTest(ws, subscription.subscription_id);
    // One attempt, never retried, and it does not count against the subscription.
    expect(failed).toMatchObject({
      status: 'failed',
      failure_reason: 'attempts_exhausted',
      response_code: 500,
    });
    expect((await harness.service.health(ws, subscription.subscription_id)).consecutive_failures).toBe(0);
    await harness.advance(600_000);
    expect(receiver.requests).toHaveLength(2);
  });

  it('replays by event ids, by time range and only what failed, with the same webhook-ids, and audits it', async () => {
    const ws = harness.workspaceId;
    const { subscription } = await harness.subscribe({ url: receiver.url(), maxAttempts: 1 });
    const t0 = harness.clock.now();
    const a = clickCreated({ workspaceId: ws, at: t0 - 3_000 });
    const b = clickCreated({ workspaceId: ws, at: t0 - 2_000 });
    const c = clickCreated({ workspaceId: ws, at: t0 - 1_000 });
    receiver.answer = (request) =>
      request.headers['webhook-id'] === b.eventId ? { status: 500 } : { status: 200 };
    await harness.append(a, b, c);
    await harness.drain();
    expect((await harness.deliveries()).map((d) => d.status).sort()).toEqual([
      'failed',
      'succeeded',
      'succeeded',
    ]);
    receiver.answer = () => ({ status: 200 });
    const sent = () => receiver.requests.slice(3).map((r) => r.headers['webhook-id']);
    const id = subscription.subscription_id;

    const failedOnly = await harness.service.replay(
      ws,
      id,
      { by: 'time_range', occurredAfter: null, occurredBefore: null, onlyFailed: true },
      'key_ops',
    );
    expect(failedOnly).toMatchObject({
      event_count: 1,
      delivery_count: 1,
      requested_by: 'key_ops',
      selection: { only_failed: true },
    });
    await harness.drain();
    expect(sent()).toEqual([b.eventId]);
    // Nothing has failed any more.
    const again = await harness.service.replay(
      ws,
      id,
      { by: 'time_range', occurredAfter: null, occurredBefore: null, onlyFailed: true },
      'key_ops',
    );
    expect(again.event_count).toBe(0);

    const byIds = await harness.service.replay(
      ws,
      id,
      { by: 'event_ids', eventIds: [c.eventId, a.eventId, 'evt_unknown'] },
      'key_ops',
    );
    expect(byIds.event_count).toBe(2);
    await harness.drain();
    expect(sent()).toEqual([b.eventId, a.eventId, c.eventId]);

    const byRange = await harness.service.replay(
      ws,
      id,
      { by: 'time_range', occurredAfter: t0 - 2_500, occurredBefore: t0 - 500, onlyFailed: false },
      'key_ops',
    );
    expect(byRange.event_count).toBe(2);
    await harness.drain();
    expect(sent().slice(3)).toEqual([b.eventId, c.eventId]);

    const replayed = (await harness.deliveries(id)).filter((d) => d.origin === 'replay');
    expect(replayed).toHaveLength(5);
    const detail = await harness.service.getDelivery(ws, replayed[0]!.delivery_id);
    expect(detail.attempts[0]!.trigger).toBe('manual');
    // Replays keep the event's number in the stream.
    expect(receiver.requests.slice(3).map((r) => r.headers['clickwire-sequence'])).toEqual([
      '2',
      '1',
      '3',
      '2',
      '3',
    ]);
    const audit = await harness.service.listReplays(ws, id, null, 10);
    expect(audit.items.map((r) => r.event_count)).toEqual([2, 2, 0, 1]);
  });

  it('replays into batches for a batch subscription', async () => {
    const ws = harness.workspaceId;
    const { subscription } = await harness.subscribe({
      url: receiver.url(),
      mode: { kind: 'batch', maxEvents: 2, maxWaitMs: 100 },
    });
    const events = [1, 2, 3].map(() => clickCreated({ workspaceId: ws }));
    await harness.append(...events);
    await harness.advance(100);
    const replay = await harness.service.replay(
      ws,
      subscription.subscription_id,
      { by: 'event_ids', eventIds: events.map((e) => e.eventId) },
      'key_ops',
    );
    expect(replay).toMatchObject({ event_count: 3, delivery_count: 2 });
    const before = receiver.requests.length;
    await harness.drain();
    const bodies = receiver.requests
      .slice(before)
      .map((r) => JSON.parse(r.body) as { events: { event_id: string }[] });
    expect(bodies.map((b) => b.events.map((e) => e.event_id))).toEqual([
      [events[0]!.eventId, events[1]!.eventId],
      [events[2]!.eventId],
    ]);
  });

  it('serves the stream after a sequence number, so a subscriber can fill a gap', async () => {
    const ws = harness.workspaceId;
    const { subscription } = await harness.subscribe({ url: receiver.url() });
    const events = [1, 2, 3, 4].map(() => clickCreated({ workspaceId: ws }));
    await harness.append(...events);
    await harness.drain();
    const page = await harness.service.streamAfter(ws, subscription.subscription_id, 1, 2);
    expect(page.hasMore).toBe(true);
    expect(page.items.map((item) => [item.sequence, item.event.event_id])).toEqual([
      [2, events[1]!.eventId],
      [3, events[2]!.eventId],
    ]);
    const rest = await harness.service.streamAfter(ws, subscription.subscription_id, 3, 10);
    expect(rest.items.map((item) => item.sequence)).toEqual([4]);
    expect(rest.hasMore).toBe(false);
  });

  it('reports health: success rates, latency quantiles, failure reasons, streak and lag', async () => {
    const ws = harness.workspaceId;
    const { subscription } = await harness.subscribe({ url: receiver.url() });
    let n = 0;
    receiver.answer = () => (n++ % 2 === 0 ? { status: 200 } : { status: 503 });
    await harness.append(...[1, 2, 3, 4].map(() => clickCreated({ workspaceId: ws })));
    await harness.drain();
    const health = await harness.service.health(ws, subscription.subscription_id);
    expect(health.last_hour).toEqual({ attempts: 4, succeeded: 2, partial: 0, failed: 2, success_rate: 0.5 });
    expect(health.last_day.attempts).toBe(4);
    expect(health.failure_reasons).toEqual([{ error_category: 'http_5xx', count: 2 }]);
    expect(health.latency_ms.p50).toBeGreaterThan(0);
    expect(health.latency_ms.p95).toBeGreaterThanOrEqual(health.latency_ms.p50!);
    expect(health.oldest_pending_age_seconds).toBe(0);
    harness.clock.advance(90_000 + 3_600_000);
    const later = await harness.service.health(ws, subscription.subscription_id);
    expect(later.last_hour.attempts).toBe(0);
    expect(later.last_hour.success_rate).toBeNull();
    expect(later.oldest_pending_age_seconds).toBe(3_690);
  });

  it('validates subscription input field by field', async () => {
    const ws = harness.workspaceId;
    const url = receiver.url();
    const bad: [object, string, string][] = [
      [{ url: 'not a url', eventTypes: ['click.*'] }, 'CW_ERR_UNSAFE_WEBHOOK_URL', '/url'],
      [{ url, eventTypes: [] }, 'CW_ERR_VALIDATION', '/event_types'],
      [{ url, eventTypes: ['click.*', 'clicks.created'] }, 'CW_ERR_VALIDATION', '/event_types/1'],
      [{ url, eventTypes: ['*'] }, 'CW_ERR_VALIDATION', '/event_types/0'],
      [{ url, eventTypes: ['click.*'], maxAttempts: 21 }, 'CW_ERR_VALIDATION', '/max_attempts'],
      [{ url, eventTypes: ['click.*'], maxAttempts: 0 }, 'CW_ERR_VALIDATION', '/max_attempts'],
      [
        { url, eventTypes: ['click.*'], mode: { kind: 'batch', maxEvents: 501 } },
        'CW_ERR_VALIDATION',
        '/batch/max_events',
      ],
      [
        { url, eventTypes: ['click.*'], mode: { kind: 'batch', maxWaitMs: 99 } },
        'CW_ERR_VALIDATION',
        '/batch/max_wait_ms',
      ],
      [
        { url, eventTypes: ['click.*'], mode: { kind: 'batch', maxWaitMs: 5_001 } },
        'CW_ERR_VALIDATION',
        '/batch/max_wait_ms',
      ],
      [
        { url, eventTypes: ['click.*'], filters: { trafficClasses: ['robot'] } },
        'CW_ERR_VALIDATION',
        '/filters/traffic_classes/0',
      ],
      [{ url, eventTypes: ['click.*'], filters: { linkIds: [] } }, 'CW_ERR_VALIDATION', '/filters/link_ids'],
      [
        { url, eventTypes: ['click.*'], rateLimitPerSecond: 0 },
        'CW_ERR_VALIDATION',
        '/rate_limit_per_second',
      ],
      [{ url, eventTypes: ['click.*'], description: 'd'.repeat(501) }, 'CW_ERR_VALIDATION', '/description'],
    ];
    for (const [input, code, field] of bad) {
      await expect(harness.service.createSubscription(ws, input as never)).rejects.toMatchObject({
        code,
        fieldErrors: [{ field }],
      });
    }
    const { subscription } = await harness.subscribe({ url, mode: { kind: 'batch' } });
    expect(subscription).toMatchObject({
      mode: 'batch',
      batch: { max_events: 100, max_wait_ms: 1_000 },
      max_attempts: 4,
    });
    await expect(harness.service.rotateSecret(ws, subscription.subscription_id, -1)).rejects.toMatchObject({
      fieldErrors: [{ field: '/grace_period_seconds' }],
    });
    await expect(
      harness.service.getSubscription('ws_01JDQ3ZC7N0000000000000001', subscription.subscription_id),
    ).rejects.toMatchObject({
      code: 'CW_ERR_NOT_FOUND',
    });
  });

  it('turns what waited for a batch into single deliveries when a subscription leaves batch mode', async () => {
    const ws = harness.workspaceId;
    const { subscription } = await harness.subscribe({
      url: receiver.url(),
      mode: { kind: 'batch', maxEvents: 10, maxWaitMs: 5_000 },
    });
    const waiting = [
      clickCreated({ workspaceId: ws }),
      linkEvent('link.created', { workspaceId: ws, linkId: 'lnk_A' }),
    ];
    await harness.append(...waiting);
    await harness.drain();
    expect(receiver.requests).toHaveLength(0);
    const updated = await harness.service.updateSubscription(ws, subscription.subscription_id, {
      mode: { kind: 'immediate' },
    });
    expect(updated).toMatchObject({ mode: 'immediate', batch: null });
    await harness.drain();
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(waiting.map((e) => e.eventId));
    expect(receiver.requests.map((r) => r.headers['clickwire-sequence'])).toEqual(['1', '2']);

    // And back: batching starts with the next event.
    await harness.service.updateSubscription(ws, subscription.subscription_id, {
      mode: { kind: 'batch', maxEvents: 2, maxWaitMs: 100 },
    });
    await harness.append(clickCreated({ workspaceId: ws }), clickCreated({ workspaceId: ws }));
    await harness.drain();
    expect(receiver.requests).toHaveLength(3);
    expect((JSON.parse(receiver.requests[2]!.body) as { sequences: number[] }).sequences).toEqual([3, 4]);
  });

  it('pauses, disables and deletes on request: paused keeps events, disabled and deleted fail what is open', async () => {
    const ws = harness.workspaceId;
    const { subscription } = await harness.subscribe({ url: receiver.url() });
    const id = subscription.subscription_id;
    const paused = await harness.service.updateSubscription(ws, id, { status: 'paused' });
    expect(paused).toMatchObject({ status: 'paused', status_reason: 'paused by API request' });
    await harness.append(clickCreated({ workspaceId: ws }));
    await harness.drain();
    expect(receiver.requests).toHaveLength(0);
    expect((await harness.deliveries(id)).map((d) => d.status)).toEqual(['pending']);
    await harness.service.deleteSubscription(ws, id);
    expect((await harness.deliveries(id)).map((d) => [d.status, d.failure_reason])).toEqual([
      ['failed', 'subscription_deleted'],
    ]);
    await expect(harness.service.getSubscription(ws, id)).rejects.toMatchObject({ code: 'CW_ERR_NOT_FOUND' });
    await harness.append(clickCreated({ workspaceId: ws }));
    await harness.drain();
    expect(await harness.deliveries(id)).toHaveLength(1);
    expect(receiver.requests).toHaveLength(0);
  });
});
