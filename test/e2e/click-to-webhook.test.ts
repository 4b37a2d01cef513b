import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UndiciWebhookTransport } from '../../src/adapters/http/undici-webhook-transport.js';
import { openEmbeddedBackend } from '../../src/adapters/sqlite/embedded-backend.js';
import { systemClock } from '../../src/kernel/clock.js';
import { WebhookService } from '../../src/webhooks/webhook-service.js';
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
    // The subscription API is not wired yet: create it through the store, as that API will.
    const backend = await openEmbeddedBackend({
      dataDir: server.dataDir,
      captureDurability: 'process',
      captureMaxBatch: 10,
    });
    const transport = new UndiciWebhookTransport({ allowPrivateAddresses: true, maxResponseBytes: 4096 });
    let secret: string;
    try {
      const service = new WebhookService(
        {
          subscriptions: backend.subscriptions,
          deliveries: backend.deliveries,
          log: backend.deliveryLog,
          transport,
          clock: systemClock,
        },
        { retryScheduleMs: [1_000], timeoutMs: 5_000, allowPrivateAddresses: true },
      );
      ({ secret } = await service.createSubscription(server.running.defaultWorkspaceId, {
        url: receiver.url(),
        eventTypes: ['click.created'],
        filters: { linkIds: [link.body.link_id] },
      }));
    } finally {
      await transport.close();
      await backend.close();
    }

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
