import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { type Exposition, parsePrometheusText } from '../support/prometheus-text.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { type Api, createLink } from './api-test-kit.js';

let server: TestServer;
let receiver: WebhookReceiver;
let api: Api;
let anonymous: Api;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  // No injected clock: the processor and dispatcher run on threads of their own, as in production.
  server = await startTestServer({ env: { CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  api = apiClient(server.apiUrl, server.adminKey);
  anonymous = apiClient(server.apiUrl, null);
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

async function scrape(): Promise<Exposition> {
  const answer = await anonymous<string>('GET', '/metrics');
  expect(answer.status).toBe(200);
  expect(String(answer.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(answer.text);
}

/** Scrapes until `ready` holds of the figures (the processor and dispatcher work on their own threads). */
async function scrapeUntil(ready: (figures: Exposition) => boolean): Promise<Exposition> {
  for (let i = 0; i < 2500; i++) {
    const figures = await scrape();
    if (ready(figures)) return figures;
    await sleep(20);
  }
  throw new Error('the metrics never showed what was expected');
}

describe('/metrics', () => {
  it('is a valid Prometheus exposition with every family typed', async () => {
    const figures = await scrape();
    expect(figures.types).toMatchObject({
      clickwire_redirects_total: 'counter',
      clickwire_clicks_processed_total: 'counter',
      clickwire_processor_lag_seconds: 'histogram',
      clickwire_webhook_deliveries_total: 'counter',
      clickwire_webhook_delivery_duration_seconds: 'histogram',
      clickwire_api_request_duration_seconds: 'histogram',
      clickwire_dispatcher_backlog_events: 'gauge',
    });
  });

  it("reports the process's own figures once, not once per thread", async () => {
    const figures = await scrape();
    for (const name of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
      const samples = figures.samples.filter((sample) => sample.name === name);
      expect(samples, name).toHaveLength(1);
      expect(samples[0]!.value, name).toBeGreaterThan(0);
    }
    // Threads each report the same process: a sum over them would be several times the real RSS.
    const rss = figures.samples.find((sample) => sample.name === 'process_resident_memory_bytes')!.value;
    expect(rss).toBeLessThan(4 * 1024 ** 3);
  });

  it('counts move after a redirect is processed and delivered, across the role threads', async () => {
    const before = await scrape();
    const subscription = await api('POST', '/v1/webhook-subscriptions', {
      body: { url: receiver.url(), event_types: ['click.created'] },
    });
    expect(subscription.status, subscription.text).toBe(201);
    const link = await createLink(api, { destination_url: 'https://example.com/metrics' });
    const redirect = await click(server.edgeUrl, `/${link.alias}`);
    expect(redirect.status).toBe(302);
    expect((await click(server.edgeUrl, '/no-such-alias-for-metrics')).status).toBe(404);

    const after = await scrapeUntil(
      (f) =>
        f.sum('clickwire_clicks_processed_total') >= before.sum('clickwire_clicks_processed_total') + 2 &&
        f.sum('clickwire_webhook_deliveries_total', { outcome: 'succeeded' }) >
          before.sum('clickwire_webhook_deliveries_total', { outcome: 'succeeded' }),
    );
    const delta = (name: string, labels?: Record<string, string>) =>
      after.sum(name, labels) - before.sum(name, labels);
    expect(delta('clickwire_redirects_total', { status: '302', outcome: 'success' })).toBe(1);
    expect(delta('clickwire_redirects_total', { status: '404', outcome: 'not_found' })).toBe(1);
    expect(delta('clickwire_clicks_processed_total')).toBe(2);
    expect(delta('clickwire_processor_lag_seconds_count')).toBe(2);
    expect(
      delta('clickwire_webhook_deliveries_total', { outcome: 'succeeded', sent: 'true' }),
    ).toBeGreaterThan(0);
    expect(
      delta('clickwire_webhook_delivery_duration_seconds_count', { outcome: 'succeeded' }),
    ).toBeGreaterThan(0);
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(
      delta('clickwire_api_request_duration_seconds_count', {
        route: '/v1/links',
        method: 'POST',
        status_code: '201',
      }),
    ).toBe(1);
    // Histogram buckets are cumulative and end with +Inf = count.
    const buckets = after.samples.filter((s) => s.name === 'clickwire_processor_lag_seconds_bucket');
    const values = buckets.map((s) => s.value);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    expect(values.at(-1)).toBe(after.sum('clickwire_processor_lag_seconds_count'));
  }, 90_000);
});

describe('/readyz', () => {
  it('lists every stage this process started, each running', async () => {
    const answer = await anonymous<{ status: string; stages: Record<string, string> }>('GET', '/readyz');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'ready',
      stages: { edge: 'running', processor: 'running', dispatcher: 'running', api: 'running' },
    });
  });
});
