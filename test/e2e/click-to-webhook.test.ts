import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

describe('click → processor thread → dispatcher thread → signed webhook', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    server = await startTestServer({ env: { CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('delivers a click.created event for each click, verifiable by the subscriber', async () => {
    const api = apiClient(server.apiUrl, server.adminKey);
    const link = await api<{ link_id: string }>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', alias: 'hooked', tags: ['e2e'] },
    });
    const subscription = await api<{ secret: string }>('POST', '/v1/webhook-subscriptions', {
      body: {
        url: receiver.url(),
        event_types: ['click.created'],
        filters: { link_ids: [link.body.link_id] },
      },
    });
    expect(subscription.status, subscription.text).toBe(201);
    const { secret } = subscription.body;

    const browser = {
      'user-agent':
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      accept: 'text/html',
    };
    for (let i = 0; i < 3; i++)
      expect((await click(server.edgeUrl, '/hooked', { headers: browser })).status).toBe(302);
    expect((await click(server.edgeUrl, '/no-such-alias')).status).toBe(404);
    await receiver.waitFor(3);

    const verifier = new Webhook(secret);
    const events = receiver.requests.map((request) => verifier.verify(request.body, request.headers)) as {
      event_type: string;
      data: { link: { link_id: string; tags: string[] } };
    }[];
    expect(events.map((e) => [e.event_type, e.data.link.link_id, e.data.link.tags])).toEqual(
      Array(3).fill(['click.created', link.body.link_id, ['e2e']]),
    );
    expect(receiver.requests.map((r) => r.headers['clickwire-sequence'])).toEqual(['1', '2', '3']);
  });
});
