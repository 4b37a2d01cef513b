import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clickCreated, linkEvent } from '../../fixtures/webhook-events.js';
import { DispatcherHarness } from '../../support/dispatcher-harness.js';
import { WebhookReceiver } from '../../support/webhook-receiver.js';

describe('webhook delivery', () => {
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

  it('delivers each matching event once, signed so a Standard Webhooks subscriber verifies it', async () => {
    const { subscription, secret } = await harness.subscribe({ url: receiver.url() });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const ws = harness.workspaceId;
    const events = [
      clickCreated({ workspaceId: ws }),
      linkEvent('link.updated', { workspaceId: ws, linkId: 'lnk_A' }),
      clickCreated({ workspaceId: ws }),
    ];
    await harness.append(...events);
    await harness.drain();

    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(events.map((e) => e.eventId));
    const verifier = new Webhook(secret);
    for (const [i, request] of receiver.requests.entries()) {
      expect(request.method).toBe('POST');
      expect(request.body).toBe(events[i]!.payload);
      expect(verifier.verify(request.body, request.headers)).toEqual(JSON.parse(events[i]!.payload));
      expect(request.headers['clickwire-sequence']).toBe(String(i + 1));
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['webhook-timestamp']).toBe(String(harness.clock.now() / 1000));
    }
    const stranger = new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`);
    expect(() => stranger.verify(receiver.requests[0]!.body, receiver.requests[0]!.headers)).toThrow(
      /No matching signature/,
    );
    const tampered = receiver.requests[0]!.body.replace('click.created', 'click.deleted');
    expect(() => verifier.verify(tampered, receiver.requests[0]!.headers)).toThrow(/No matching signature/);

    const deliveries = await harness.deliveries(subscription.subscription_id);
    expect(deliveries).toHaveLength(3);
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({
        status: 'succeeded',
        attempt_count: 1,
        response_code: 200,
        kind: 'event',
      });
    }
  });

  it('sends each subscription only what its event types and filters select, and nothing across workspaces', async () => {
    const ws = harness.workspaceId;
    const clicksOnA = await harness.subscribe({
      url: receiver.url('/a'),
      eventTypes: ['click.created'],
      filters: { linkIds: ['lnk_A'] },
    });
    const tagged = await harness.subscribe({
      url: receiver.url('/tagged'),
      eventTypes: ['click.*', 'link.*'],
      filters: { tags: ['email'], trafficClasses: ['human'] },
    });
    const campaign = await harness.subscribe({
      url: receiver.url('/campaign'),
      eventTypes: ['link.*'],
      filters: { campaignId: 'spring' },
    });
    const humanOnA = clickCreated({ workspaceId: ws, linkId: 'lnk_A', tags: ['email'] });
    const botOnA = clickCreated({ workspaceId: ws, linkId: 'lnk_A', tags: ['email'], trafficClass: 'bot' });
    const humanOnB = clickCreated({ workspaceId: ws, linkId: 'lnk_B', tags: ['social'] });
    const unknownSlug = clickCreated({ workspaceId: ws, linkId: null });
    const linkChange = linkEvent('link.updated', {
      workspaceId: ws,
      linkId: 'lnk_B',
      tags: ['email'],
      campaignId: 'spring',
    });
    const elsewhere = clickCreated({
      workspaceId: 'ws_01JDQ3ZC7N0000000000000001',
      linkId: 'lnk_A',
      tags: ['email'],
    });
    await harness.append(humanOnA, botOnA, humanOnB, unknownSlug, linkChange, elsewhere);
    await harness.drain();

    const ids = (path: string) => receiver.to(path).map((r) => r.headers['webhook-id']);
    expect(ids('/a')).toEqual([humanOnA.eventId, botOnA.eventId]);
    // The traffic-class filter leaves link events alone: they carry no click.
    expect(ids('/tagged')).toEqual([humanOnA.eventId, linkChange.eventId]);
    expect(ids('/campaign')).toEqual([linkChange.eventId]);
    expect(receiver.requests).toHaveLength(5);
    // Each stream is numbered on its own.
    expect(receiver.to('/tagged').map((r) => r.headers['clickwire-sequence'])).toEqual(['1', '2']);
    expect((await harness.deliveries(clicksOnA.subscription.subscription_id)).length).toBe(2);
    expect((await harness.deliveries(tagged.subscription.subscription_id)).length).toBe(2);
    expect((await harness.deliveries(campaign.subscription.subscription_id)).length).toBe(1);
  });

  it('gives a new subscription only the events stored after it, however far behind the dispatcher is', async () => {
    const before = clickCreated({ workspaceId: harness.workspaceId });
    await harness.append(before);
    await harness.subscribe({ url: receiver.url() });
    const after = clickCreated({ workspaceId: harness.workspaceId });
    await harness.append(after);
    await harness.drain();
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([after.eventId]);
  });

  it('retries a failing delivery on the backoff schedule with the same webhook-id, until it succeeds', async () => {
    const { subscription, secret } = await harness.subscribe({ url: receiver.url() });
    let failures = 2;
    receiver.answer = () => (failures-- > 0 ? { status: 500, body: 'database down' } : { status: 204 });
    const event = clickCreated({ workspaceId: harness.workspaceId });
    await harness.append(event);
    await harness.drain();
    expect(receiver.requests).toHaveLength(1);
    const [first] = await harness.deliveries(subscription.subscription_id);
    expect(first).toMatchObject({
      status: 'retrying',
      attempt_count: 1,
      response_code: 500,
      error_category: 'http_5xx',
    });
    expect(Date.parse(first!.next_attempt_at!)).toBe(harness.clock.now() + 5_000);

    await harness.advance(4_999);
    expect(receiver.requests).toHaveLength(1);
    await harness.advance(1);
    expect(receiver.requests).toHaveLength(2);
    await harness.advance(29_999);
    expect(receiver.requests).toHaveLength(2);
    await harness.advance(1);
    expect(receiver.requests).toHaveLength(3);

    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([event.eventId]));
    const timestamps = receiver.requests.map((r) => Number(r.headers['webhook-timestamp']));
    expect(timestamps[1]! - timestamps[0]!).toBe(5);
    expect(timestamps[2]! - timestamps[1]!).toBe(30);
    // Every retry is signed afresh, for its own timestamp.
    for (const request of receiver.requests) {
      expect(new Webhook(secret).verify(request.body, request.headers)).toMatchObject({
        event_id: event.eventId,
      });
    }

    const detail = await harness.service.getDelivery(harness.workspaceId, first!.delivery_id);
    expect(detail).toMatchObject({
      status: 'succeeded',
      attempt_count: 3,
      response_code: 204,
      next_attempt_at: null,
    });
    expect(
      detail.attempts.map((a) => [a.attempt_number, a.trigger, a.status_code, a.error_category, a.outcome]),
    ).toEqual([
      [1, 'scheduled', 500, 'http_5xx', 'failed'],
      [2, 'scheduled', 500, 'http_5xx', 'failed'],
      [3, 'scheduled', 204, null, 'succeeded'],
    ]);
    expect(detail.attempts[0]!.response_body).toBe('database down');
    expect(detail.attempts[0]!.request_headers['webhook-id']).toBe(event.eventId);
  });

  it('dead-letters a delivery after max_attempts, then lists it as failed', async () => {
    const { subscription } = await harness.subscribe({ url: receiver.url(), maxAttempts: 3 });
    receiver.answer = () => ({ status: 400, body: 'x'.repeat(10_000) });
    await harness.append(clickCreated({ workspaceId: harness.workspaceId }));
    await harness.drain();
    await harness.advance(5_000);
    await harness.advance(30_000);
    await harness.advance(120_000);
    expect(receiver.requests).toHaveLength(3);
    const failed = await harness.service.listDeliveries(
      harness.workspaceId,
      { subscriptionId: subscription.subscription_id, status: 'failed' },
      null,
      10,
    );
    expect(failed.items).toHaveLength(1);
    expect(failed.items[0]).toMatchObject({
      failure_reason: 'attempts_exhausted',
      attempt_count: 3,
      error_category: 'http_4xx',
      next_attempt_at: null,
    });
    const detail = await harness.service.getDelivery(harness.workspaceId, failed.items[0]!.delivery_id);
    // Answers are stored cut to 4 KB.
    expect(detail.attempts[2]!.response_body).toHaveLength(4096);
  });

  it('treats a redirect as a failure and never follows it', async () => {
    const elsewhere = await WebhookReceiver.start();
    try {
      await harness.subscribe({ url: receiver.url() });
      receiver.answer = () => ({ status: 307, headers: { location: elsewhere.url('/internal') } });
      await harness.append(clickCreated({ workspaceId: harness.workspaceId }));
      await harness.drain();
      const [delivery] = await harness.deliveries();
      expect(delivery).toMatchObject({
        status: 'retrying',
        response_code: 307,
        error_category: 'invalid_response',
      });
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('disables the subscription on 410 Gone, fails what was open, and stops fanning out to it', async () => {
    const { subscription } = await harness.subscribe({ url: receiver.url(), rateLimitPerSecond: 1 });
    receiver.answer = () => ({ status: 410 });
    await harness.append(
      clickCreated({ workspaceId: harness.workspaceId }),
      clickCreated({ workspaceId: harness.workspaceId }),
    );
    await harness.drain();
    expect(receiver.requests).toHaveLength(1);
    const current = await harness.service.getSubscription(harness.workspaceId, subscription.subscription_id);
    expect(current).toMatchObject({ status: 'disabled', status_reason: expect.stringContaining('410') });
    const deliveries = await harness.deliveries();
    expect(deliveries.map((d) => [d.status, d.failure_reason]).sort()).toEqual([
      ['failed', 'subscription_disabled'],
      ['failed', 'subscription_disabled'],
    ]);
    await harness.append(clickCreated({ workspaceId: harness.workspaceId }));
    await harness.advance(10_000);
    expect(await harness.deliveries()).toHaveLength(2);
    expect(receiver.requests).toHaveLength(1);
  });

  it('honours Retry-After on 429 and 503, within bounds', async () => {
    const { subscription } = await harness.subscribe({ url: receiver.url(), maxAttempts: 10 });
    const answers = [
      () => ({ status: 429, headers: { 'retry-after': '60' } }),
      // An HTTP date, 90 s after the moment of answering.
      () => ({
        status: 503,
        headers: { 'retry-after': new Date(harness.clock.now() + 90_000).toUTCString() },
      }),
      () => ({ status: 429, headers: { 'retry-after': '86400' } }),
      () => ({ status: 429, headers: { 'retry-after': 'soon' } }),
    ];
    receiver.answer = () => answers.shift()?.() ?? { status: 200 };
    await harness.append(clickCreated({ workspaceId: harness.workspaceId }));
    const nextAt = async () =>
      Date.parse((await harness.deliveries(subscription.subscription_id))[0]!.next_attempt_at!) -
      harness.clock.now();
    await harness.drain();
    expect(await nextAt()).toBe(60_000);
    await harness.advance(60_000);
    expect(await nextAt()).toBe(90_000);
    await harness.advance(90_000);
    // A day is more than the schedule's longest step (2 min here): clamped to it.
    expect(await nextAt()).toBe(120_000);
    await harness.advance(120_000);
    // Unreadable: the regular schedule (4th attempt → last step, 2 min).
    expect(await nextAt()).toBe(120_000);
    await harness.advance(120_000);
    expect((await harness.deliveries(subscription.subscription_id))[0]).toMatchObject({
      status: 'succeeded',
      attempt_count: 5,
    });
  });

  it('counts a subscriber that does not answer in time, or cannot be reached, as a failed attempt', async () => {
    await harness.dispatcher.stop();
    harness.dispatcher = harness.newDispatcher({ timeoutMs: 200 });
    receiver.answer = () => 'hang';
    const closed = await WebhookReceiver.start();
    const closedUrl = closed.url();
    await closed.close();
    await harness.subscribe({ url: receiver.url() });
    await harness.subscribe({ url: closedUrl });
    await harness.append(clickCreated({ workspaceId: harness.workspaceId }));
    await harness.drain();
    const categories = (await harness.deliveries())
      .map((d) => [d.status, d.error_category, d.response_code])
      .sort();
    expect(categories).toEqual([
      ['retrying', 'connection_refused', null],
      ['retrying', 'timeout', null],
    ]);
  });
});
