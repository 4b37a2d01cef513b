import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { ManualClock } from '../../src/kernel/clock.js';
import type {
  DeliveryDetailResource,
  DeliveryResource,
  ReplayResource,
} from '../../src/webhooks/delivery-resource.js';
import type { SubscriptionResource } from '../../src/webhooks/subscription-resource.js';
import type { SubscriptionHealthResource } from '../../src/webhooks/webhook-service.js';
import { apiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import type { Api, LinkBody, Page } from './api-test-kit.js';

/** Shared by the webhook API suites: a server whose dispatcher runs on a clock the test moves, and a receiver. */

export type SubscriptionBody = SubscriptionResource;
export type CreatedSubscriptionBody = SubscriptionResource & { readonly secret: string };
export type DeliveryBody = DeliveryResource;
export type DeliveryDetailBody = DeliveryDetailResource;
export type ReplayBody = ReplayResource;
export type HealthBody = SubscriptionHealthResource;
export interface StreamPage
  extends Page<{ sequence: number; event: { event_id: string; event_type: string } }> {}

/** The retry schedule of these servers, seconds: with the clock held still, a retry never comes due by itself. */
export const RETRY_SCHEDULE = '5,30';

export interface WebhookWorld {
  readonly server: TestServer;
  readonly clock: ManualClock;
  readonly receiver: WebhookReceiver;
  /** The bootstrap (admin) key's client. */
  readonly api: Api;
  close(): Promise<void>;
}

/**
 * A server with `CLICKWIRE_WEBHOOK_ALLOW_PRIVATE=true`, so the loopback receiver can subscribe, and an
 * injected clock: the dispatcher then runs on the main thread, retries come due only when the test
 * moves the clock, and `occurred_at` of each event is whatever the test set.
 */
export async function startWebhookWorld(env: Record<string, string> = {}): Promise<WebhookWorld> {
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  const receiver = await WebhookReceiver.start();
  const server = await startTestServer({
    clock,
    env: {
      CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'true',
      CLICKWIRE_WEBHOOK_RETRY_SCHEDULE: RETRY_SCHEDULE,
      // One request at a time per subscription: deliveries arrive in stream order.
      CLICKWIRE_WEBHOOK_CONCURRENCY: '1',
      ...env,
    },
  });
  return {
    server,
    clock,
    receiver,
    api: apiClient(server.apiUrl, server.adminKey),
    close: async () => {
      await server.close();
      await receiver.close();
    },
  };
}

/** Creates a subscription through the API and returns it with its secret. */
export async function subscribe(api: Api, body: Record<string, unknown>): Promise<CreatedSubscriptionBody> {
  const answer = await api<CreatedSubscriptionBody>('POST', '/v1/webhook-subscriptions', {
    body: { event_types: ['link.*'], ...body },
  });
  expect(answer.status, answer.text).toBe(201);
  return answer.body;
}

let aliasCounter = 0;

/** A link made through the API: its `link.created` event is what the subscriptions receive. */
export async function makeLink(api: Api, stem = 'hook'): Promise<LinkBody> {
  const answer = await api<LinkBody>('POST', '/v1/links', {
    body: { destination_url: 'https://example.com/', alias: `${stem}-${++aliasCounter}` },
  });
  expect(answer.status, answer.text).toBe(201);
  return answer.body;
}

/**
 * Polls until `probe` gives a value `done` accepts, and returns it. The deadline is generous: it only
 * stops a broken test from hanging, it is not a timing assertion.
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  deadlineMs = 20_000,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(10);
  }
}

/** The subscription's deliveries, newest first (one page is enough for these tests). */
export async function deliveriesOf(api: Api, subscriptionId: string): Promise<DeliveryBody[]> {
  const answer = await api<Page<DeliveryBody>>(
    'GET',
    `/v1/webhook-deliveries?subscription_id=${subscriptionId}&limit=100`,
  );
  expect(answer.status, answer.text).toBe(200);
  return answer.body.data;
}

/** Waits until the subscription has at least `count` deliveries and none of them is still open. */
export async function settledDeliveries(
  api: Api,
  subscriptionId: string,
  count: number,
): Promise<DeliveryBody[]> {
  return eventually(
    () => deliveriesOf(api, subscriptionId),
    (list) => list.length >= count && list.every((d) => d.status === 'succeeded' || d.status === 'failed'),
    `${count} finished deliveries of ${subscriptionId}`,
  );
}
