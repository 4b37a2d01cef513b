import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UndiciWebhookTransport } from '../../../src/adapters/http/undici-webhook-transport.js';
import { clickCreated } from '../../fixtures/webhook-events.js';
import { DispatcherHarness } from '../../support/dispatcher-harness.js';
import { WebhookReceiver } from '../../support/webhook-receiver.js';

/** Names the tests resolve, each to chosen addresses; anything else does not exist. */
const DNS: Record<string, string[]> = {
  'loopback.example.test': ['127.0.0.1'],
  'metadata.example.test': ['169.254.169.254'],
  'private.example.test': ['10.1.2.3'],
  'v6-internal.example.test': ['fd00:ec2::254'],
  'mixed.example.test': ['93.184.216.34', '192.168.1.10'],
};

const resolveAll = async (hostname: string): Promise<LookupAddress[]> => {
  const addresses = DNS[hostname];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('SSRF guard on the address actually connected to', () => {
  let receiver: WebhookReceiver;
  let guarded: UndiciWebhookTransport;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    guarded = new UndiciWebhookTransport({
      allowPrivateAddresses: false,
      maxResponseBytes: 4096,
      resolveAll,
    });
  });
  afterAll(async () => {
    await guarded.close();
    await receiver.close();
  });

  const post = (url: string) => guarded.post({ url, headers: {}, body: '{}', timeoutMs: 2_000 });

  it.each([
    'https://127.0.0.1/',
    'https://127.8.9.10/',
    'https://0.0.0.0/',
    'https://10.0.0.1/',
    'https://172.16.5.4/',
    'https://192.168.0.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://169.254.1.1/',
    'https://100.64.0.1/',
    'https://224.0.0.1/',
    'https://255.255.255.255/',
    'https://[::1]/',
    'https://[::]/',
    'https://[fd00:ec2::254]/',
    'https://[fc00::1]/',
    'https://[fe80::1]/',
    'https://[ff02::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:169.254.169.254]/',
    'https://[64:ff9b::a00:1]/',
    'https://[64:ff9b::7f00:1]/',
    'https://0x7f.1/', // 127.0.0.1 in another spelling
    'https://2130706433/', // 127.0.0.1 as one number
  ])('refuses %s before connecting', async (url) => {
    const result = await post(url);
    expect(result).toMatchObject({ kind: 'error', category: 'ssrf_blocked' });
  });

  it.each(['loopback', 'metadata', 'private', 'v6-internal', 'mixed'])(
    'refuses a name that resolves to a forbidden address (%s)',
    async (name) => {
      const result = await post(`https://${name}.example.test:${receiver.port}/hook`);
      expect(result).toMatchObject({ kind: 'error', category: 'ssrf_blocked' });
    },
  );

  it('refuses localhost through the system resolver, and never reaches the receiver', async () => {
    const system = new UndiciWebhookTransport({ allowPrivateAddresses: false, maxResponseBytes: 4096 });
    try {
      const result = await system.post({
        url: `https://localhost:${receiver.port}/hook`,
        headers: {},
        body: '{}',
        timeoutMs: 2_000,
      });
      expect(result).toMatchObject({ kind: 'error', category: 'ssrf_blocked' });
    } finally {
      await system.close();
    }
    expect(receiver.requests).toHaveLength(0);
  });

  it('reports a name that does not resolve as a DNS failure', async () => {
    expect(await post('https://nowhere.example.test/')).toMatchObject({ kind: 'error', category: 'dns' });
  });

  it('refuses internal subscription URLs when they are created, and blocks a name resolving inward at send time', async () => {
    const harness = await DispatcherHarness.open({ guard: true, resolveAll });
    try {
      const ws = harness.workspaceId;
      for (const url of [
        receiver.url(),
        `https://127.0.0.1:${receiver.port}/hook`,
        `https://localhost:${receiver.port}/hook`,
        'https://[::ffff:10.0.0.1]/hook',
        'https://169.254.169.254/hook',
        'http://hooks.example.com/hook',
        'https://user:pass@hooks.example.com/hook',
      ]) {
        await expect(
          harness.service.createSubscription(ws, { url, eventTypes: ['click.*'] }),
        ).rejects.toMatchObject({
          code: 'CW_ERR_UNSAFE_WEBHOOK_URL',
          status: 422,
          fieldErrors: [{ field: '/url' }],
        });
      }
      const { subscription } = await harness.service.createSubscription(ws, {
        url: `https://loopback.example.test:${receiver.port}/hook`,
        eventTypes: ['click.*'],
      });
      await harness.append(clickCreated({ workspaceId: ws }));
      await harness.drain();
      const [delivery] = await harness.deliveries(subscription.subscription_id);
      expect(delivery).toMatchObject({
        status: 'retrying',
        error_category: 'ssrf_blocked',
        response_code: null,
      });
      const detail = await harness.service.getDelivery(ws, delivery!.delivery_id);
      expect(detail.attempts[0]!.error_detail).toMatch(
        /refused to connect to 127\.0\.0\.1 \(loopback address\)/,
      );
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await harness.close();
    }
  });

  it('does not follow a redirect to a private address', async () => {
    const harness = await DispatcherHarness.open();
    const internal = await WebhookReceiver.start();
    try {
      await harness.subscribe({ url: receiver.url('/redirecting') });
      receiver.answer = () => ({ status: 302, headers: { location: internal.url('/metadata') } });
      await harness.append(clickCreated({ workspaceId: harness.workspaceId }));
      await harness.drain();
      expect(receiver.to('/redirecting')).toHaveLength(1);
      expect(internal.requests).toHaveLength(0);
      expect((await harness.deliveries())[0]).toMatchObject({
        response_code: 302,
        error_category: 'invalid_response',
      });
    } finally {
      receiver.answer = () => ({ status: 200 });
      await internal.close();
      await harness.close();
    }
  });
});
