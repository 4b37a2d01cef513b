import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/kernel/clock.js';
import { apiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
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
  type DeliveryDetailBody,
  deliveriesOf,
  eventually,
  type HealthBody,
  makeLink,
  type StreamPage,
  type SubscriptionBody,
  settledDeliveries,
  startWebhookWorld,
  subscribe,
  type WebhookWorld,
} from './webhook-test-kit.js';

const SUBSCRIPTION_ID = /^sub_[0-9A-HJKMNP-TV-Z]{26}$/;
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
const UNKNOWN_SUBSCRIPTION = 'sub_01E0000000000000000000000A';

let world: WebhookWorld;
let api: Api;
/** A second workspace: must never see nor touch the first one's subscriptions. */
let other: { workspaceId: string; api: Api };

beforeAll(async () => {
  world = await startWebhookWorld();
  api = world.api;
  other = await createWorkspace(world.server, 'Webhooks: other workspace');
});
afterAll(async () => world?.close());

const expectUnsafeUrl = (answer: Parameters<typeof expectProblem>[0]) =>
  expectProblem(answer, 422, 'CW_ERR_UNSAFE_WEBHOOK_URL', 'unsafe-webhook-url', 'body/url');

describe('POST /v1/webhook-subscriptions', () => {
  it('creates a subscription with defaults and returns its secret once', async () => {
    const answer = await api<CreatedSubscriptionBody>('POST', '/v1/webhook-subscriptions', {
      body: { url: world.receiver.url('/create'), event_types: ['click.*'] },
    });
    expect(answer.status, answer.text).toBe(201);
    const created = answer.body;
    expect(answer.headers.location).toBe(`/v1/webhook-subscriptions/${created.subscription_id}`);
    expect(created).toEqual({
      subscription_id: expect.stringMatching(SUBSCRIPTION_ID),
      workspace_id: world.server.running.defaultWorkspaceId,
      url: world.receiver.url('/create'),
      description: null,
      event_types: ['click.*'],
      filters: { link_ids: null, tags: null, campaign_id: null, traffic_classes: null },
      mode: 'immediate',
      batch: null,
      // The retry schedule has two steps: one first try plus two retries.
      max_attempts: 3,
      rate_limit_per_second: null,
      status: 'active',
      status_reason: null,
      status_changed_at: expect.stringMatching(ISO_TIME),
      previous_secret_expires_at: null,
      created_at: expect.stringMatching(ISO_TIME),
      updated_at: expect.stringMatching(ISO_TIME),
      secret: expect.stringMatching(SECRET),
    });

    // Never again: not when read, not when listed.
    const read = await api<SubscriptionBody>('GET', `/v1/webhook-subscriptions/${created.subscription_id}`);
    expect(read.status).toBe(200);
    const { secret, ...withoutSecret } = created;
    expect(read.body).toEqual(withoutSecret);
    expect(read.text).not.toContain(secret);
    const list = await api<Page<SubscriptionBody>>('GET', '/v1/webhook-subscriptions?limit=100');
    expect(list.text).not.toContain('whsec_');
    expect(list.body.data.map((s) => s.subscription_id)).toContain(created.subscription_id);
  });

  it('keeps every field given: description, filters, batch mode, attempts and rate limit', async () => {
    const link = await makeLink(api, 'filtered');
    const created = await subscribe(api, {
      url: world.receiver.url('/full'),
      description: 'Warehouse sync',
      event_types: ['click.created', 'link.*', 'click.created'],
      filters: {
        link_ids: [link.link_id],
        tags: ['email', 'email', 'social'],
        campaign_id: 'spring',
        traffic_classes: ['human', 'bot'],
      },
      batch: { max_events: 500, max_wait_ms: 5000 },
      max_attempts: 20,
      rate_limit_per_second: 7,
    });
    expect(created).toMatchObject({
      description: 'Warehouse sync',
      event_types: ['click.created', 'link.*'],
      filters: {
        link_ids: [link.link_id],
        tags: ['email', 'social'],
        campaign_id: 'spring',
        traffic_classes: ['human', 'bot'],
      },
      mode: 'batch',
      batch: { max_events: 500, max_wait_ms: 5000 },
      max_attempts: 20,
      rate_limit_per_second: 7,
    });
    const batchDefaults = await subscribe(api, { url: world.receiver.url('/full'), mode: 'batch' });
    expect(batchDefaults).toMatchObject({ mode: 'batch', batch: { max_events: 100, max_wait_ms: 1000 } });
  });

  it('refuses bad input with a problem naming the field', async () => {
    const url = world.receiver.url('/bad');
    const post = (body: Record<string, unknown>) => api('POST', '/v1/webhook-subscriptions', { body });
    const valid = { url, event_types: ['link.created'] };

    expectUnsafeUrl(await post({ ...valid, url: 'not a url' }));
    expectUnsafeUrl(await post({ ...valid, url: 'ftp://127.0.0.1/hook' }));
    expectUnsafeUrl(await post({ ...valid, url: 'https://user:pass@hooks.example.com/' }));
    expectUnsafeUrl(await post({ ...valid, url: `${url}#fragment` }));
    // Plain http only to loopback, even with private addresses allowed.
    expectUnsafeUrl(await post({ ...valid, url: 'http://hooks.example.com/' }));
    expectValidation(await post({ ...valid, url: '' }), 'body/url');
    expectValidation(await post({ ...valid, url: `https://example.com/${'a'.repeat(2048)}` }), 'body/url');

    expectValidation(await post({ url }), 'body/event_types');
    expectValidation(await post({ ...valid, event_types: [] }), 'body/event_types');
    expectValidation(await post({ ...valid, event_types: ['click.nope'] }), 'body/event_types/0');
    expectValidation(await post({ ...valid, event_types: ['link.created', '*'] }), 'body/event_types/1');

    expectValidation(await post({ ...valid, batch: { max_events: 501 } }), 'body/batch/max_events');
    expectValidation(await post({ ...valid, batch: { max_events: 0 } }), 'body/batch/max_events');
    expectValidation(await post({ ...valid, batch: { max_wait_ms: 99 } }), 'body/batch/max_wait_ms');
    expectValidation(await post({ ...valid, batch: { max_wait_ms: 5001 } }), 'body/batch/max_wait_ms');
    expectValidation(await post({ ...valid, mode: 'immediate', batch: { max_events: 5 } }), 'body/batch');
    expectValidation(await post({ ...valid, mode: 'sometimes' }), 'body/mode');

    expectValidation(await post({ ...valid, max_attempts: 0 }), 'body/max_attempts');
    expectValidation(await post({ ...valid, max_attempts: 21 }), 'body/max_attempts');
    expectValidation(await post({ ...valid, max_attempts: 2.5 }), 'body/max_attempts');
    expectValidation(await post({ ...valid, rate_limit_per_second: 0 }), 'body/rate_limit_per_second');

    expectValidation(await post({ ...valid, filters: { link_ids: [] } }), 'body/filters/link_ids');
    expectValidation(await post({ ...valid, filters: { link_ids: ['nope'] } }), 'body/filters/link_ids/0');
    expectValidation(
      await post({ ...valid, filters: { traffic_classes: ['robot'] } }),
      'body/filters/traffic_classes/0',
    );
    expectValidation(await post({ ...valid, filters: { channel: 'email' } }), 'body/filters/channel');

    // Unknown fields, including ones a client might hope to set.
    expectValidation(await post({ ...valid, secret: 'whsec_mine' }), 'body/secret');
    expectValidation(await post({ ...valid, status: 'paused' }), 'body/status');
    // Wrong types are refused as sent, never converted.
    expectValidation(await post({ ...valid, url: 123 }), 'body/url');
    expectValidation(await post({ ...valid, url: [url] }), 'body/url');
    expectValidation(await post({ ...valid, event_types: 'link.created' }), 'body/event_types');
    expectValidation(await post({ ...valid, max_attempts: '3' }), 'body/max_attempts');
    expectValidation(await post({ ...valid, batch: true }), 'body/batch');
    expectValidation(await post({ ...valid, description: 42 }), 'body/description');
    expectProblem(
      await api('POST', '/v1/webhook-subscriptions', {
        rawBody: '{"url":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'CW_ERR_MALFORMED_JSON',
      'malformed-json',
    );

    // None of these made a subscription.
    const list = await api<Page<SubscriptionBody>>('GET', '/v1/webhook-subscriptions?limit=100');
    expect(list.body.data.filter((s) => s.url.endsWith('/bad'))).toEqual([]);
  });
});

describe('without CLICKWIRE_WEBHOOK_ALLOW_PRIVATE', () => {
  let guarded: TestServer;
  beforeAll(async () => {
    // An injected clock keeps its processor and dispatcher on this thread: nothing here needs them.
    guarded = await startTestServer({ clock: new ManualClock(Date.now()) });
  });
  afterAll(async () => guarded?.close());

  it('requires https and refuses this machine and private addresses', async () => {
    const guardedApi = apiClient(guarded.apiUrl, guarded.adminKey);
    const post = (url: string) =>
      guardedApi('POST', '/v1/webhook-subscriptions', { body: { url, event_types: ['link.*'] } });
    for (const url of [
      world.receiver.url('/hook'),
      'http://hooks.example.com/hook',
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://10.1.2.3/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
    ]) {
      const problem = expectUnsafeUrl(await post(url));
      expect(problem.errors?.[0]?.message, url).toMatch(/https|machine|address/);
    }
    const fine = await post('https://hooks.example.com/clickwire');
    expect(fine.status, fine.text).toBe(201);
  });
});

describe('GET /v1/webhook-subscriptions', () => {
  it('pages newest first with an opaque cursor, and shows each workspace only its own', async () => {
    const fresh = await createWorkspace(world.server, 'Webhooks: paging');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await subscribe(fresh.api, { url: world.receiver.url(`/page-${i}`) })).subscription_id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await fresh.api<Page<SubscriptionBody>>(
        'GET',
        `/v1/webhook-subscriptions?limit=2${query}`,
      );
      expect(page.status, page.text).toBe(200);
      seen.push(...page.body.data.map((s) => s.subscription_id));
      expect(page.body.has_more).toBe(page.body.next_cursor !== null);
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const first = await fresh.api<Page<SubscriptionBody>>('GET', '/v1/webhook-subscriptions?limit=1');
    // A cursor is bound to the workspace that was paging.
    expectProblem(
      await api('GET', `/v1/webhook-subscriptions?cursor=${encodeURIComponent(first.body.next_cursor!)}`),
      400,
      'CW_ERR_INVALID_CURSOR',
      'invalid-cursor',
      'querystring/cursor',
    );
    expectValidation(await api('GET', '/v1/webhook-subscriptions?limit=101'), 'querystring/limit');
    expectValidation(await api('GET', '/v1/webhook-subscriptions?status=active'), 'querystring/status');
    const mine = await api<Page<SubscriptionBody>>('GET', '/v1/webhook-subscriptions?limit=100');
    expect(mine.body.data.map((s) => s.subscription_id)).not.toContain(ids[0]);
  });
});

describe('PATCH /v1/webhook-subscriptions/{id}', () => {
  it('changes the fields given and keeps the others', async () => {
    const created = await subscribe(api, {
      url: world.receiver.url('/patch'),
      description: 'before',
      filters: { tags: ['a'], campaign_id: 'spring' },
      batch: { max_events: 50, max_wait_ms: 500 },
    });
    const path = `/v1/webhook-subscriptions/${created.subscription_id}`;
    const patched = await api<SubscriptionBody>('PATCH', path, {
      body: {
        description: null,
        event_types: ['click.created'],
        filters: { tags: null, traffic_classes: ['human'] },
        batch: { max_wait_ms: 2000 },
        max_attempts: 1,
        rate_limit_per_second: 100,
      },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({
      url: created.url,
      description: null,
      event_types: ['click.created'],
      filters: { link_ids: null, tags: null, campaign_id: 'spring', traffic_classes: ['human'] },
      mode: 'batch',
      // The batch setting left out keeps its value.
      batch: { max_events: 50, max_wait_ms: 2000 },
      max_attempts: 1,
      rate_limit_per_second: 100,
      status: 'active',
    });
    const immediate = await api<SubscriptionBody>('PATCH', path, {
      body: { mode: 'immediate', rate_limit_per_second: null, url: world.receiver.url('/patched') },
    });
    expect(immediate.body).toMatchObject({
      mode: 'immediate',
      batch: null,
      rate_limit_per_second: null,
      url: world.receiver.url('/patched'),
    });
    expect((await api<SubscriptionBody>('GET', path)).body).toEqual(immediate.body);
  });

  it('pauses with a reason, disables, and resumes', async () => {
    const created = await subscribe(api, { url: world.receiver.url('/status') });
    const path = `/v1/webhook-subscriptions/${created.subscription_id}`;
    const paused = await api<SubscriptionBody>('PATCH', path, {
      body: { status: 'paused', status_reason: 'receiver maintenance' },
    });
    expect(paused.body).toMatchObject({ status: 'paused', status_reason: 'receiver maintenance' });
    const disabled = await api<SubscriptionBody>('PATCH', path, { body: { status: 'disabled' } });
    expect(disabled.body).toMatchObject({ status: 'disabled', status_reason: 'disabled by API request' });
    const resumed = await api<SubscriptionBody>('POST', `${path}/resume`);
    expect(resumed.status, resumed.text).toBe(200);
    expect(resumed.body).toMatchObject({ status: 'active', status_reason: null });
    // Resuming an active subscription changes nothing.
    expect((await api<SubscriptionBody>('POST', `${path}/resume`)).body).toEqual(resumed.body);
  });

  it('refuses bad changes naming the field, and changes nothing', async () => {
    const created = await subscribe(api, { url: world.receiver.url('/patch-bad') });
    const path = `/v1/webhook-subscriptions/${created.subscription_id}`;
    const patch = (body: unknown) => api('PATCH', path, { body });
    expectValidation(await patch({}));
    expectUnsafeUrl(await patch({ url: 'http://hooks.example.com/' }));
    expectValidation(await patch({ event_types: ['link.*', 'clicks.*'] }), 'body/event_types/1');
    expectValidation(await patch({ batch: { max_events: 501 } }), 'body/batch/max_events');
    expectValidation(await patch({ batch: { max_wait_ms: 50 } }), 'body/batch/max_wait_ms');
    expectValidation(await patch({ max_attempts: 21 }), 'body/max_attempts');
    expectValidation(await patch({ status: 'deleted' }), 'body/status');
    expectValidation(await patch({ status_reason: 'why not' }), 'body/status_reason');
    expectValidation(await patch({ status: 'active', status_reason: 'why not' }), 'body/status_reason');
    expectValidation(await patch({ secret: 'whsec_x' }), 'body/secret');
    expectValidation(await patch({ subscription_id: created.subscription_id }), 'body/subscription_id');
    expectValidation(await patch({ event_types: null }), 'body/event_types');
    const { secret: _secret, ...unchanged } = created;
    expect((await api<SubscriptionBody>('GET', path)).body).toEqual(unchanged);
  });
});

describe('DELETE /v1/webhook-subscriptions/{id}', () => {
  it('deletes the subscription; it is gone, and its deliveries stay readable', async () => {
    const created = await subscribe(api, { url: world.receiver.url('/deleted') });
    await makeLink(api, 'before-delete');
    const [delivery] = await settledDeliveries(api, created.subscription_id, 1);
    const path = `/v1/webhook-subscriptions/${created.subscription_id}`;
    const answer = await api('DELETE', path);
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expectNotFound(await api('GET', path));
    expectNotFound(await api('DELETE', path));
    expectNotFound(await api('POST', `${path}/test`));
    const list = await api<Page<SubscriptionBody>>('GET', '/v1/webhook-subscriptions?limit=100');
    expect(list.body.data.map((s) => s.subscription_id)).not.toContain(created.subscription_id);
    expect((await api('GET', `/v1/webhook-deliveries/${delivery!.delivery_id}`)).status).toBe(200);
  });
});

describe('delivery of events to a subscription', () => {
  it('signs every request the Standard Webhooks way and numbers it in the subscription’s stream', async () => {
    const path = '/signed';
    const { subscription_id, secret } = await subscribe(api, { url: world.receiver.url(path) });
    const link = await makeLink(api, 'signed');
    const [request] = await eventually(
      async () => world.receiver.to(path),
      (requests) => requests.length >= 1,
      'a signed request',
    );
    const event = verifyAt(secret, request!, world.clock.now()) as Record<string, unknown>;
    expect(event).toMatchObject({ event_type: 'link.created', data: { link: { link_id: link.link_id } } });
    expect(request!.headers['webhook-id']).toBe(event.event_id);
    expect(request!.headers['clickwire-sequence']).toBe('1');
    // A subscriber holding another secret refuses it.
    const stranger = new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`);
    expect(() => stranger.verify(request!.body, request!.headers)).toThrow();
    const [delivery] = await settledDeliveries(api, subscription_id, 1);
    expect(delivery).toMatchObject({ status: 'succeeded', event_id: event.event_id, sequence: 1 });
  });
});

describe('POST /v1/webhook-subscriptions/{id}/rotate-secret', () => {
  it('issues a new secret; during the grace period both sign, each verifiable', async () => {
    const path = '/rotate';
    const created = await subscribe(api, { url: world.receiver.url(path) });
    const base = `/v1/webhook-subscriptions/${created.subscription_id}`;
    const rotated = await api<{
      subscription_id: string;
      secret: string;
      previous_secret_expires_at: string;
    }>('POST', `${base}/rotate-secret`);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body).toEqual({
      subscription_id: created.subscription_id,
      secret: expect.stringMatching(SECRET),
      // One day by default.
      previous_secret_expires_at: new Date(world.clock.now() + 86_400_000).toISOString(),
    });
    expect(rotated.body.secret).not.toBe(created.secret);
    const read = await api<SubscriptionBody>('GET', base);
    expect(read.body.previous_secret_expires_at).toBe(rotated.body.previous_secret_expires_at);
    expect(read.text).not.toContain('whsec_');

    await makeLink(api, 'rotated');
    const [request] = await eventually(
      async () => world.receiver.to(path),
      (requests) => requests.length >= 1,
      'a request signed twice',
    );
    expect(request!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    const now = world.clock.now();
    // A subscriber still on the old secret and one already on the new one both accept it.
    expect(verifyAt(created.secret, request!, now)).toMatchObject({ event_type: 'link.created' });
    expect(verifyAt(rotated.body.secret, request!, now)).toMatchObject({ event_type: 'link.created' });
  });

  it('with grace_period_seconds 0 the old secret stops signing at once', async () => {
    const path = '/rotate-now';
    const created = await subscribe(api, { url: world.receiver.url(path) });
    const rotated = await api<{ secret: string; previous_secret_expires_at: string | null }>(
      'POST',
      `/v1/webhook-subscriptions/${created.subscription_id}/rotate-secret`,
      { body: { grace_period_seconds: 0 } },
    );
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.previous_secret_expires_at).toBeNull();
    await makeLink(api, 'rotated-now');
    const [request] = await eventually(
      async () => world.receiver.to(path),
      (requests) => requests.length >= 1,
      'a request signed once',
    );
    expect(request!.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(verifyAt(rotated.body.secret, request!, world.clock.now())).toMatchObject({
      event_type: 'link.created',
    });
    expect(() => verifyAt(created.secret, request!, world.clock.now())).toThrow();
  });

  it('refuses a grace period out of range or of the wrong type', async () => {
    const created = await subscribe(api, { url: world.receiver.url('/rotate-bad') });
    const rotate = (body: unknown) =>
      api('POST', `/v1/webhook-subscriptions/${created.subscription_id}/rotate-secret`, { body });
    expectValidation(await rotate({ grace_period_seconds: -1 }), 'body/grace_period_seconds');
    expectValidation(await rotate({ grace_period_seconds: 7 * 86_400 + 1 }), 'body/grace_period_seconds');
    expectValidation(await rotate({ grace_period_seconds: '60' }), 'body/grace_period_seconds');
    expectValidation(await rotate({ grace: 60 }), 'body/grace');
    const read = await api<SubscriptionBody>('GET', `/v1/webhook-subscriptions/${created.subscription_id}`);
    expect(read.body.previous_secret_expires_at).toBeNull();
  });
});

describe('POST /v1/webhook-subscriptions/{id}/test', () => {
  it('sends a sample event marked as a test, records it and returns the outcome', async () => {
    const path = '/test-endpoint';
    let status = 200;
    world.receiver.answer = (request) =>
      request.path === path ? { status, body: `answered ${status}` } : { status: 200 };
    const { subscription_id, secret } = await subscribe(api, {
      url: world.receiver.url(path),
      event_types: ['click.created'],
    });
    const answer = await api<DeliveryDetailBody>('POST', `/v1/webhook-subscriptions/${subscription_id}/test`);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({
      subscription_id,
      kind: 'test',
      origin: 'test',
      status: 'succeeded',
      attempt_count: 1,
      response_code: 200,
      error_category: null,
    });
    expect(answer.body.attempts).toEqual([
      expect.objectContaining({
        attempt_number: 1,
        trigger: 'test',
        outcome: 'succeeded',
        status_code: 200,
        response_body: 'answered 200',
      }),
    ]);
    const [request] = world.receiver.to(path);
    const sample = verifyAt(secret, request!, world.clock.now());
    expect(sample).toMatchObject({ test: true, event_type: 'click.created', event_id: answer.body.event_id });
    expect(answer.body.attempts[0]!.request_headers['webhook-id']).toBe(answer.body.event_id);

    status = 500;
    const failed = await api<DeliveryDetailBody>('POST', `/v1/webhook-subscriptions/${subscription_id}/test`);
    expect(failed.status, failed.text).toBe(200);
    expect(failed.body).toMatchObject({
      status: 'failed',
      response_code: 500,
      error_category: 'http_5xx',
      attempt_count: 1,
    });
    // Tests are listed with the other deliveries, and never count against the subscription.
    const tests = (await deliveriesOf(api, subscription_id)).filter((d) => d.kind === 'test');
    expect(tests.map((d) => d.delivery_id)).toEqual([failed.body.delivery_id, answer.body.delivery_id]);
    const health = await api<HealthBody>('GET', `/v1/webhook-subscriptions/${subscription_id}/health`);
    expect(health.body).toMatchObject({ consecutive_failures: 0, last_hour: { attempts: 0 } });
    world.receiver.answer = () => ({ status: 200 });
  });
});

describe('pause and resume', () => {
  it('a paused subscription keeps its events, and they go out oldest first on resume', async () => {
    const path = '/paused';
    const { subscription_id } = await subscribe(api, { url: world.receiver.url(path) });
    const base = `/v1/webhook-subscriptions/${subscription_id}`;
    expect((await api('PATCH', base, { body: { status: 'paused' } })).status).toBe(200);
    const links = [await makeLink(api, 'while-paused'), await makeLink(api, 'while-paused')];
    const pending = await eventually(
      () => deliveriesOf(api, subscription_id),
      (list) => list.length === 2,
      'two deliveries held for the paused subscription',
    );
    expect(pending.map((d) => [d.status, d.attempt_count])).toEqual([
      ['pending', 0],
      ['pending', 0],
    ]);
    expect(world.receiver.to(path)).toEqual([]);

    world.clock.advance(90_000);
    const health = await api<HealthBody>('GET', `${base}/health`);
    expect(health.body).toMatchObject({ status: 'paused', oldest_pending_age_seconds: 90 });

    const resumed = await api<SubscriptionBody>('POST', `${base}/resume`);
    expect(resumed.body.status).toBe('active');
    await settledDeliveries(api, subscription_id, 2);
    const received = world.receiver.to(path);
    expect(received.map((r) => JSON.parse(r.body).data.link.link_id)).toEqual(links.map((l) => l.link_id));
    expect(received.map((r) => r.headers['clickwire-sequence'])).toEqual(['1', '2']);
    expect((await api<HealthBody>('GET', `${base}/health`)).body.oldest_pending_age_seconds).toBeNull();
  });
});

describe('GET /v1/webhook-subscriptions/{id}/events', () => {
  it('returns the stream after a sequence number, to fill a gap', async () => {
    const path = '/gaps';
    const { subscription_id, secret } = await subscribe(api, { url: world.receiver.url(path) });
    for (let i = 0; i < 3; i++) await makeLink(api, 'gap');
    const received = await eventually(
      async () => world.receiver.to(path),
      (requests) => requests.length >= 3,
      'three deliveries',
    );
    const delivered = received.map((r) => verifyAt(secret, r, world.clock.now()) as { event_id: string });
    const base = `/v1/webhook-subscriptions/${subscription_id}/events`;

    // The subscriber saw 1, then 3: it fetches what followed 1.
    const gap = await api<StreamPage>('GET', `${base}?after_sequence=1`);
    expect(gap.status, gap.text).toBe(200);
    expect(gap.body.has_more).toBe(false);
    expect(gap.body.next_cursor).toBeNull();
    expect(gap.body.data.map((item) => [item.sequence, item.event.event_id])).toEqual([
      [2, delivered[1]!.event_id],
      [3, delivered[2]!.event_id],
    ]);
    // Each event exactly as it was delivered.
    expect(gap.body.data[0]!.event).toEqual(delivered[1]);

    // From the start, one at a time.
    const seen: number[] = [];
    let cursor: string | null = null;
    let query = `${base}?limit=1`;
    do {
      const page: { body: StreamPage } = await api<StreamPage>('GET', query);
      seen.push(...page.body.data.map((item) => item.sequence));
      cursor = page.body.next_cursor;
      query = `${base}?limit=1&cursor=${encodeURIComponent(cursor ?? '')}`;
    } while (cursor);
    expect(seen).toEqual([1, 2, 3]);
    expect((await api<StreamPage>('GET', `${base}?after_sequence=3`)).body.data).toEqual([]);

    const first = await api<StreamPage>('GET', `${base}?limit=1`);
    expectValidation(
      await api('GET', `${base}?after_sequence=1&cursor=${encodeURIComponent(first.body.next_cursor!)}`),
      'querystring/after_sequence',
    );
    expectValidation(await api('GET', `${base}?after_sequence=-1`), 'querystring/after_sequence');
    expectValidation(await api('GET', `${base}?after_sequence=two`), 'querystring/after_sequence');
    expectValidation(await api('GET', `${base}?limit=1001`), 'querystring/limit');
    // A cursor belongs to its subscription's stream.
    const another = await subscribe(api, { url: world.receiver.url('/gaps-other') });
    expectProblem(
      await api(
        'GET',
        `/v1/webhook-subscriptions/${another.subscription_id}/events?cursor=${encodeURIComponent(first.body.next_cursor!)}`,
      ),
      400,
      'CW_ERR_INVALID_CURSOR',
      'invalid-cursor',
      'querystring/cursor',
    );
  });
});

describe('GET /v1/webhook-subscriptions/{id}/health', () => {
  it('reports success rates, latency, failure reasons and the run of failures', async () => {
    const path = '/health';
    const { subscription_id } = await subscribe(api, { url: world.receiver.url(path), max_attempts: 1 });
    const base = `/v1/webhook-subscriptions/${subscription_id}/health`;
    const idle = await api<HealthBody>('GET', base);
    expect(idle.status, idle.text).toBe(200);
    expect(idle.body).toEqual({
      subscription_id,
      status: 'active',
      status_reason: null,
      last_hour: { attempts: 0, succeeded: 0, partial: 0, failed: 0, success_rate: null },
      last_day: { attempts: 0, succeeded: 0, partial: 0, failed: 0, success_rate: null },
      latency_ms: { p50: null, p95: null },
      failure_reasons: [],
      consecutive_failures: 0,
      failing_since: null,
      oldest_pending_age_seconds: null,
    });

    const answers = [200, 500, 503, 404];
    world.receiver.answer = (request) =>
      request.path === path
        ? { status: answers[world.receiver.to(path).length - 1] ?? 200 }
        : { status: 200 };
    for (let i = 0; i < answers.length; i++) {
      await makeLink(api, 'health');
      await settledDeliveries(api, subscription_id, i + 1);
    }
    world.receiver.answer = () => ({ status: 200 });
    const health = (await api<HealthBody>('GET', base)).body;
    const figures = { attempts: 4, succeeded: 1, partial: 0, failed: 3, success_rate: 0.25 };
    expect(health).toMatchObject({
      last_hour: figures,
      last_day: figures,
      failure_reasons: [
        { error_category: 'http_5xx', count: 2 },
        { error_category: 'http_4xx', count: 1 },
      ],
      consecutive_failures: 3,
      failing_since: expect.stringMatching(ISO_TIME),
      oldest_pending_age_seconds: null,
    });
    expect(health.latency_ms.p50).toBeGreaterThanOrEqual(0);
    expect(health.latency_ms.p95).toBeGreaterThanOrEqual(health.latency_ms.p50!);

    // An hour later the last hour is empty; the day still counts them.
    world.clock.advance(3_600_001);
    const later = (await api<HealthBody>('GET', base)).body;
    expect(later.last_hour.attempts).toBe(0);
    expect(later.last_day).toMatchObject(figures);
  });
});

describe('scopes and workspaces', () => {
  let subscriptionId: string;
  let routes: [string, string, unknown?][];
  beforeAll(async () => {
    subscriptionId = (await subscribe(api, { url: world.receiver.url('/guarded') })).subscription_id;
    const base = `/v1/webhook-subscriptions/${subscriptionId}`;
    routes = [
      ['GET', base],
      ['PATCH', base, { description: 'x' }],
      ['DELETE', base],
      ['POST', `${base}/rotate-secret`, {}],
      ['POST', `${base}/test`],
      ['POST', `${base}/resume`],
      ['GET', `${base}/events`],
      ['GET', `${base}/health`],
      ['GET', `${base}/replays`],
    ];
  });

  it('reads need webhooks:read, changes webhooks:write; other scopes get 403', async () => {
    const reader = apiClient(world.server.apiUrl, (await createKey(api, ['webhooks:read'])).key);
    const writer = apiClient(world.server.apiUrl, (await createKey(api, ['webhooks:write'])).key);
    const linksOnly = apiClient(
      world.server.apiUrl,
      (await createKey(api, ['links:read', 'links:write'])).key,
    );
    const body = { url: world.receiver.url('/scoped'), event_types: ['link.*'] };
    for (const [method, path, payload] of routes) {
      const options = payload === undefined ? {} : { body: payload };
      expectForbidden(await linksOnly(method, path, options));
      if (method === 'GET') {
        expect((await reader(method, path)).status, path).toBe(200);
        expectForbidden(await writer(method, path));
      } else {
        expectForbidden(await reader(method, path, options));
      }
    }
    expectForbidden(await reader('POST', '/v1/webhook-subscriptions', { body }));
    expectForbidden(await linksOnly('GET', '/v1/webhook-subscriptions'));
    expectForbidden(await writer('GET', '/v1/webhook-subscriptions'));
    expect((await writer('POST', '/v1/webhook-subscriptions', { body })).status).toBe(201);
    expect((await writer('POST', `/v1/webhook-subscriptions/${subscriptionId}/resume`)).status).toBe(200);
  });

  it('another workspace’s subscription is not found, whatever the route', async () => {
    for (const [method, path, payload] of routes) {
      expectNotFound(await other.api(method, path, payload === undefined ? {} : { body: payload }));
    }
    const theirs = await other.api<Page<SubscriptionBody>>('GET', '/v1/webhook-subscriptions');
    expect(theirs.body.data.map((s) => s.subscription_id)).not.toContain(subscriptionId);
    // Still there, unchanged, for its owner.
    const mine = await api<SubscriptionBody>('GET', `/v1/webhook-subscriptions/${subscriptionId}`);
    expect(mine.body).toMatchObject({ status: 'active', description: null });
  });

  it('unknown and malformed ids', async () => {
    expectNotFound(await api('GET', `/v1/webhook-subscriptions/${UNKNOWN_SUBSCRIPTION}`));
    expectNotFound(await api('POST', `/v1/webhook-subscriptions/${UNKNOWN_SUBSCRIPTION}/test`));
    expectValidation(
      await api('GET', '/v1/webhook-subscriptions/lnk_01E0000000000000000000000A'),
      'params/subscription_id',
    );
    expectValidation(await api('GET', '/v1/webhook-subscriptions/nope/health'), 'params/subscription_id');
  });
});
