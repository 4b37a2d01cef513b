import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.js';
import type { ReceivedRequest } from '../support/webhook-receiver.js';
import { verifyAt } from '../support/webhook-verify.js';
import {
  type Api,
  createKey,
  createWorkspace,
  expectForbidden,
  expectNotFound,
  expectProblem,
  expectValidation,
  ISO_TIME,
  type Page,
} from './api-test-kit.js';
import {
  type CreatedSubscriptionBody,
  type DeliveryBody,
  type DeliveryDetailBody,
  deliveriesOf,
  eventually,
  makeLink,
  type ReplayBody,
  settledDeliveries,
  startWebhookWorld,
  subscribe,
  type WebhookWorld,
} from './webhook-test-kit.js';

const DELIVERY_ID = /^dlv_[0-9A-HJKMNP-TV-Z]{26}$/;
const UNKNOWN_DELIVERY = 'dlv_01E0000000000000000000000A';

let world: WebhookWorld;
let api: Api;
let other: { workspaceId: string; api: Api };

beforeAll(async () => {
  world = await startWebhookWorld();
  api = world.api;
  other = await createWorkspace(world.server, 'Deliveries: other workspace');
});
afterAll(async () => world?.close());

/** Requests that reached `path`, as the subscriber saw them: `webhook-id` and `clickwire-sequence`. */
const idsAt = (path: string, from = 0) =>
  world.receiver
    .to(path)
    .slice(from)
    .map((r) => [r.headers['webhook-id'], r.headers['clickwire-sequence']]);

/**
 * A subscription that has received three `link.created` events 10 s apart; the middle one failed
 * for good (`max_attempts: 1`, answered 500). Returns the events in stream order.
 */
async function threeEvents(path: string): Promise<{
  subscription: CreatedSubscriptionBody;
  events: { eventId: string; at: number }[];
}> {
  world.receiver.answer = (request) =>
    request.path === path && world.receiver.to(path).length === 2
      ? { status: 500, body: 'boom' }
      : { status: 200 };
  const subscription = await subscribe(api, { url: world.receiver.url(path), max_attempts: 1 });
  for (let i = 0; i < 3; i++) {
    world.clock.advance(10_000);
    await makeLink(api, 'replayed');
    await settledDeliveries(api, subscription.subscription_id, i + 1);
  }
  world.receiver.answer = () => ({ status: 200 });
  const received = world.receiver.to(path);
  const events = received.map((request) => {
    const event = verifyAt(subscription.secret, request, world.clock.now()) as {
      event_id: string;
      occurred_at: string;
    };
    return { eventId: event.event_id, at: Date.parse(event.occurred_at) };
  });
  return { subscription, events };
}

describe('GET /v1/webhook-deliveries', () => {
  it('lists deliveries newest first with the figures of their latest attempt, filtered', async () => {
    const path = '/listed';
    const { subscription, events } = await threeEvents(path);
    const subscriptionId = subscription.subscription_id;
    const all = await deliveriesOf(api, subscriptionId);
    expect(all.map((d) => [d.event_id, d.sequence, d.status])).toEqual([
      [events[2]!.eventId, 3, 'succeeded'],
      [events[1]!.eventId, 2, 'failed'],
      [events[0]!.eventId, 1, 'succeeded'],
    ]);
    expect(all[1]).toEqual({
      delivery_id: expect.stringMatching(DELIVERY_ID),
      subscription_id: subscriptionId,
      kind: 'event',
      event_id: events[1]!.eventId,
      batch_id: null,
      webhook_id: events[1]!.eventId,
      sequence: 2,
      event_count: 1,
      origin: 'fanout',
      replay_id: null,
      status: 'failed',
      failure_reason: 'attempts_exhausted',
      attempt_count: 1,
      last_attempt_at: expect.stringMatching(ISO_TIME),
      next_attempt_at: null,
      response_code: 500,
      error_category: 'http_5xx',
      latency_ms: expect.any(Number),
      created_at: expect.stringMatching(ISO_TIME),
      completed_at: expect.stringMatching(ISO_TIME),
    });

    const failed = await api<Page<DeliveryBody>>(
      'GET',
      `/v1/webhook-deliveries?subscription_id=${subscriptionId}&status=failed`,
    );
    expect(failed.body.data.map((d) => d.event_id)).toEqual([events[1]!.eventId]);
    const byEvent = await api<Page<DeliveryBody>>(
      'GET',
      `/v1/webhook-deliveries?event_id=${events[0]!.eventId}`,
    );
    // Every subscription that received that event, this one among them.
    expect(byEvent.body.data.map((d) => d.event_id)).toEqual(byEvent.body.data.map(() => events[0]!.eventId));
    expect(byEvent.body.data.map((d) => d.subscription_id)).toContain(subscriptionId);
    const none = await api<Page<DeliveryBody>>('GET', `/v1/webhook-deliveries?status=retrying`);
    expect(none.body).toEqual({ data: [], next_cursor: null, has_more: false });

    // Page by page: every delivery once, the cursor bound to its filters.
    const seen: string[] = [];
    let cursor: string | null = null;
    const filter = `subscription_id=${subscriptionId}&limit=1`;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await api<Page<DeliveryBody>>('GET', `/v1/webhook-deliveries?${filter}${query}`);
      expect(page.status, page.text).toBe(200);
      seen.push(...page.body.data.map((d) => d.delivery_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.map((d) => d.delivery_id));
    const first = await api<Page<DeliveryBody>>('GET', `/v1/webhook-deliveries?${filter}`);
    const cursorParam = `cursor=${encodeURIComponent(first.body.next_cursor!)}`;
    for (const answer of [
      await api('GET', `/v1/webhook-deliveries?status=failed&${cursorParam}`),
      await other.api('GET', `/v1/webhook-deliveries?${filter}&${cursorParam}`),
      await api('GET', `/v1/webhook-deliveries?cursor=${first.body.next_cursor!.slice(0, -2)}xx`),
    ])
      expectProblem(answer, 400, 'CW_ERR_INVALID_CURSOR', 'invalid-cursor', 'querystring/cursor');

    expectValidation(await api('GET', '/v1/webhook-deliveries?status=lost'), 'querystring/status');
    expectValidation(
      await api('GET', '/v1/webhook-deliveries?subscription_id=nope'),
      'querystring/subscription_id',
    );
    expectValidation(
      await api('GET', '/v1/webhook-deliveries?event_id=clk_01E0000000000000000000000A'),
      'querystring/event_id',
    );
    expectValidation(await api('GET', '/v1/webhook-deliveries?limit=0'), 'querystring/limit');
    expectValidation(await api('GET', '/v1/webhook-deliveries?sort=asc'), 'querystring/sort');

    // Another workspace sees none of it, even when it asks by id.
    const theirs = await other.api<Page<DeliveryBody>>(
      'GET',
      `/v1/webhook-deliveries?subscription_id=${subscriptionId}`,
    );
    expect(theirs.body.data).toEqual([]);
    const theirEvents = await other.api<Page<DeliveryBody>>(
      'GET',
      `/v1/webhook-deliveries?event_id=${events[0]!.eventId}`,
    );
    expect(theirEvents.body.data).toEqual([]);
  });
});

describe('GET /v1/webhook-deliveries/{id}', () => {
  it('shows every attempt: trigger, request headers, status, duration and the answer', async () => {
    const path = '/detailed';
    world.receiver.answer = (request) =>
      request.path === path
        ? world.receiver.to(path).length === 1
          ? { status: 503, body: 'x'.repeat(10_000) }
          : { status: 202, body: 'thanks' }
        : { status: 200 };
    const { subscription_id, secret } = await subscribe(api, { url: world.receiver.url(path) });
    await makeLink(api, 'detailed');
    const [retrying] = await eventually(
      () => deliveriesOf(api, subscription_id),
      (list) => list[0]?.status === 'retrying',
      'a delivery waiting for its retry',
    );
    expect(retrying).toMatchObject({
      attempt_count: 1,
      response_code: 503,
      error_category: 'http_5xx',
      // The schedule's first step: 5 s (no jitter beyond ±20 %).
      next_attempt_at: expect.stringMatching(ISO_TIME),
    });
    const wait = Date.parse(retrying!.next_attempt_at!) - world.clock.now();
    expect(wait).toBeGreaterThanOrEqual(4_000);
    expect(wait).toBeLessThanOrEqual(6_000);

    world.clock.advance(6_000);
    await settledDeliveries(api, subscription_id, 1);
    const answer = await api<DeliveryDetailBody>('GET', `/v1/webhook-deliveries/${retrying!.delivery_id}`);
    expect(answer.status, answer.text).toBe(200);
    const detail = answer.body;
    expect(detail).toMatchObject({ status: 'succeeded', attempt_count: 2, response_code: 202, events: [] });
    expect(detail.attempts.map((a) => [a.attempt_number, a.trigger, a.outcome, a.status_code])).toEqual([
      [1, 'scheduled', 'failed', 503],
      [2, 'scheduled', 'succeeded', 202],
    ]);
    const [first, second] = detail.attempts;
    // At most 4 KB of an answer is kept.
    expect(first!.response_body).toBe('x'.repeat(4096));
    expect(first!.error_category).toBe('http_5xx');
    expect(second!.response_body).toBe('thanks');
    expect(second!.started_at).toMatch(ISO_TIME);
    expect(second!.duration_ms).toBeGreaterThanOrEqual(0);
    // The headers logged are the ones sent: the same webhook-id on every try, each signature valid.
    const received = world.receiver.to(path);
    for (const [i, attempt] of detail.attempts.entries()) {
      expect(attempt.request_headers['webhook-id']).toBe(detail.webhook_id);
      expect(attempt.request_headers['webhook-signature']).toBe(received[i]!.headers['webhook-signature']);
      expect(attempt.request_headers['webhook-timestamp']).toBe(received[i]!.headers['webhook-timestamp']);
      expect(attempt.request_headers).not.toHaveProperty('authorization');
    }
    expect(answer.text).not.toContain(secret);

    expectNotFound(await api('GET', `/v1/webhook-deliveries/${UNKNOWN_DELIVERY}`));
    expectNotFound(await other.api('GET', `/v1/webhook-deliveries/${retrying!.delivery_id}`));
    expectValidation(
      await api('GET', '/v1/webhook-deliveries/sub_01E0000000000000000000000A'),
      'params/delivery_id',
    );
  });

  it('a batch delivery lists its events and where each stands', async () => {
    const path = '/batched';
    const { subscription_id, secret } = await subscribe(api, {
      url: world.receiver.url(path),
      batch: { max_events: 2, max_wait_ms: 100 },
    });
    const links = [await makeLink(api, 'batched'), await makeLink(api, 'batched')];
    const [batch] = await settledDeliveries(api, subscription_id, 1);
    expect(batch).toMatchObject({ kind: 'batch', event_id: null, event_count: 2, status: 'succeeded' });
    expect(batch!.batch_id).toBe(batch!.webhook_id);
    const detail = (await api<DeliveryDetailBody>('GET', `/v1/webhook-deliveries/${batch!.delivery_id}`))
      .body;
    const [request] = world.receiver.to(path);
    const body = verifyAt(secret, request!, world.clock.now()) as {
      batch_id: string;
      events: { event_id: string; data: { link: { link_id: string } } }[];
    };
    expect(body.batch_id).toBe(batch!.batch_id);
    expect(body.events.map((e) => e.data.link.link_id)).toEqual(links.map((l) => l.link_id));
    expect(detail.events).toEqual(
      body.events.map((e, i) => ({ event_id: e.event_id, sequence: i + 1, state: 'succeeded' })),
    );
    const byEvent = await api<Page<DeliveryBody>>(
      'GET',
      `/v1/webhook-deliveries?event_id=${body.events[1]!.event_id}&subscription_id=${subscription_id}`,
    );
    expect(byEvent.body.data.map((d) => d.delivery_id)).toEqual([batch!.delivery_id]);
  });
});

describe('POST /v1/webhook-deliveries/replay', () => {
  let subscription: CreatedSubscriptionBody;
  let events: { eventId: string; at: number }[];
  let path: string;
  beforeAll(async () => {
    path = '/replay';
    ({ subscription, events } = await threeEvents(path));
  });

  const replay = (body: Record<string, unknown>, client: Api = api) =>
    client<ReplayBody>('POST', '/v1/webhook-deliveries/replay', {
      body: { subscription_id: subscription.subscription_id, ...body },
    });

  /** Waits for the replayed requests after the first `from`, and checks each is signed and numbered as before. */
  async function replayed(from: number, count: number): Promise<ReceivedRequest[]> {
    // The dispatcher looks for deliveries made elsewhere (a replay by the API) every 250 ms of its clock.
    world.clock.advance(1_000);
    const requests = await eventually(
      async () => world.receiver.to(path).slice(from),
      (list) => list.length >= count,
      `${count} replayed requests`,
    );
    for (const request of requests) verifyAt(subscription.secret, request, world.clock.now());
    await settledDeliveries(api, subscription.subscription_id, 3);
    return requests;
  }

  it('replays only what failed, with the same webhook-id and sequence, and audits it', async () => {
    const before = world.receiver.to(path).length;
    const answer = await replay({ only_failed: true });
    expect(answer.status, answer.text).toBe(202);
    expect(answer.body).toEqual({
      replay_id: expect.stringMatching(/^rpl_[0-9A-HJKMNP-TV-Z]{26}$/),
      subscription_id: subscription.subscription_id,
      requested_by: expect.stringMatching(/^key_[0-9A-HJKMNP-TV-Z]{26}$/),
      requested_at: expect.stringMatching(ISO_TIME),
      selection: { occurred_after: null, occurred_before: null, only_failed: true },
      event_count: 1,
      delivery_count: 1,
    });
    await replayed(before, 1);
    expect(idsAt(path, before)).toEqual([[events[1]!.eventId, '2']]);
    const again = await replay({ only_failed: true });
    expect(again.body).toMatchObject({ event_count: 0, delivery_count: 0 });

    const replayedDeliveries = (await deliveriesOf(api, subscription.subscription_id)).filter(
      (d) => d.origin === 'replay',
    );
    expect(replayedDeliveries).toMatchObject([
      { event_id: events[1]!.eventId, replay_id: answer.body.replay_id, status: 'succeeded' },
    ]);
    const detail = await api<DeliveryDetailBody>(
      'GET',
      `/v1/webhook-deliveries/${replayedDeliveries[0]!.delivery_id}`,
    );
    expect(detail.body.attempts.map((a) => a.trigger)).toEqual(['manual']);
  });

  it('replays by event ids, in stream order', async () => {
    const before = world.receiver.to(path).length;
    const answer = await replay({ event_ids: [events[2]!.eventId, events[0]!.eventId] });
    expect(answer.status, answer.text).toBe(202);
    expect(answer.body).toMatchObject({
      selection: { event_ids: [events[2]!.eventId, events[0]!.eventId] },
      event_count: 2,
      delivery_count: 2,
    });
    await replayed(before, 2);
    expect(idsAt(path, before)).toEqual([
      [events[0]!.eventId, '1'],
      [events[2]!.eventId, '3'],
    ]);
    // An event that is not in this subscription's stream is not sent.
    const stranger = await replay({ event_ids: ['evt_01E0000000000000000000000A'] });
    expect(stranger.body).toMatchObject({ event_count: 0 });
  });

  it('replays by time range, bounds included', async () => {
    const before = world.receiver.to(path).length;
    const answer = await replay({
      occurred_after: new Date(events[1]!.at).toISOString(),
      occurred_before: new Date(events[2]!.at).toISOString(),
    });
    expect(answer.status, answer.text).toBe(202);
    expect(answer.body).toMatchObject({
      selection: {
        occurred_after: new Date(events[1]!.at).toISOString(),
        occurred_before: new Date(events[2]!.at).toISOString(),
        only_failed: false,
      },
      event_count: 2,
    });
    await replayed(before, 2);
    expect(idsAt(path, before)).toEqual([
      [events[1]!.eventId, '2'],
      [events[2]!.eventId, '3'],
    ]);
    const openEnded = await replay({ occurred_before: new Date(events[0]!.at + 1).toISOString() });
    expect(openEnded.body).toMatchObject({ event_count: 1 });
    await replayed(before + 2, 1);
    expect(idsAt(path, before + 2)).toEqual([[events[0]!.eventId, '1']]);
  });

  it('lists the replays of a subscription newest first: who, when, what, how many', async () => {
    const base = `/v1/webhook-subscriptions/${subscription.subscription_id}/replays`;
    const answer = await api<Page<ReplayBody>>('GET', base);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.data.map((r) => [r.event_count, Object.keys(r.selection).sort().join(',')])).toEqual([
      [1, 'occurred_after,occurred_before,only_failed'],
      [2, 'occurred_after,occurred_before,only_failed'],
      [0, 'event_ids'],
      [2, 'event_ids'],
      [0, 'occurred_after,occurred_before,only_failed'],
      [1, 'occurred_after,occurred_before,only_failed'],
    ]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await api<Page<ReplayBody>>('GET', `${base}?limit=4${query}`);
      seen.push(...page.body.data.map((r) => r.replay_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(answer.body.data.map((r) => r.replay_id));
    expectNotFound(await other.api('GET', base));
  });

  it('refuses what it cannot replay, naming the field', async () => {
    expectValidation(await replay({}), 'body/event_ids');
    expectValidation(await replay({ event_ids: [events[0]!.eventId], only_failed: true }), 'body/event_ids');
    expectValidation(
      await replay({ event_ids: [events[0]!.eventId], occurred_after: '2026-01-01T00:00:00Z' }),
      'body/event_ids',
    );
    expectValidation(await replay({ event_ids: [] }), 'body/event_ids');
    expectValidation(await replay({ event_ids: ['clk_01E0000000000000000000000A'] }), 'body/event_ids/0');
    expectValidation(
      await replay({ occurred_after: '2026-02-01T00:00:00Z', occurred_before: '2026-01-01T00:00:00Z' }),
      'body/occurred_after',
    );
    expectValidation(await replay({ occurred_after: 'yesterday' }), 'body/occurred_after');
    expectValidation(await replay({ only_failed: 'true' }), 'body/only_failed');
    expectValidation(await replay({ all: true }), 'body/all');
    expectValidation(
      await api('POST', '/v1/webhook-deliveries/replay', { body: { only_failed: true } }),
      'body/subscription_id',
    );
    expectNotFound(
      await api('POST', '/v1/webhook-deliveries/replay', {
        body: { subscription_id: 'sub_01E0000000000000000000000A', only_failed: true },
      }),
    );
    // Another workspace cannot replay this subscription's events.
    expectNotFound(await replay({ only_failed: false }, other.api));
  });

  it('needs webhooks:write; reading the log needs webhooks:read', async () => {
    const reader = apiClient(world.server.apiUrl, (await createKey(api, ['webhooks:read'])).key);
    const writerKey = await createKey(api, ['webhooks:write']);
    const writer = apiClient(world.server.apiUrl, writerKey.key);
    const linksOnly = apiClient(world.server.apiUrl, (await createKey(api, ['links:read'])).key);
    expectForbidden(await replay({ only_failed: true }, reader));
    expectForbidden(await replay({ only_failed: true }, linksOnly));
    const allowed = await replay({ only_failed: true }, writer);
    expect(allowed.status, allowed.text).toBe(202);
    // The audit trail names the key that asked.
    expect(allowed.body.requested_by).toBe(writerKey.keyId);
    const [delivery] = await deliveriesOf(api, subscription.subscription_id);
    for (const path of [
      '/v1/webhook-deliveries',
      `/v1/webhook-deliveries/${delivery!.delivery_id}`,
      `/v1/webhook-subscriptions/${subscription.subscription_id}/replays`,
    ]) {
      expect((await reader('GET', path)).status, path).toBe(200);
      expectForbidden(await writer('GET', path));
      expectForbidden(await linksOnly('GET', path));
    }
  });
});
