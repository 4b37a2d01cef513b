import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { type ChildServer, startChildServer } from '../support/child-server.js';
import { makeTempDir } from '../support/temp-dir.js';
import { type ReceivedRequest, WebhookReceiver } from '../support/webhook-receiver.js';
import { faultModes } from './support/fault-modes.js';

const CLICKS_PER_PHASE = 40;

/** Short schedules so an outage of seconds walks the whole retry-and-pause path. */
const DISPATCHER_ENV = {
  CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'true',
  CLICKWIRE_WEBHOOK_RETRY_SCHEDULE: '1,1,2',
  CLICKWIRE_WEBHOOK_TIMEOUT_MS: '500',
  CLICKWIRE_WEBHOOK_PAUSE_AFTER_SECONDS: '3',
  CLICKWIRE_WEBHOOK_PAUSE_MIN_FAILURES: '5',
};

interface EventPage {
  readonly data: { readonly event_id: string; readonly type: string }[];
  readonly next_cursor: string | null;
  readonly has_more: boolean;
}

async function waitUntil(
  what: string,
  explain: () => Promise<string>,
  check: () => Promise<boolean>,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${await explain()}`);
    await sleep(200);
  }
}

describe.each(faultModes())('subscriber outage: refused, timing out, failing, back ($name)', (mode) => {
  const temp = makeTempDir('clickwire-outage-');
  let server: ChildServer | null = null;
  let receiver: WebhookReceiver | null = null;

  afterAll(async () => {
    await receiver?.close();
    await server?.kill();
    await mode.dispose();
    temp.remove();
  });

  it('delivers every event at least once under its event id, pausing and catching up', async () => {
    server = await startChildServer(temp.dir, { ...(await mode.env()), ...DISPATCHER_ENV });
    const api = apiClient(server.apiUrl, server.adminKey);
    const link = await api<{ link_id: string }>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', alias: 'outage' },
    });
    expect(link.status).toBe(201);

    // Every request any incarnation of the subscriber saw, and the ones it answered 2xx.
    const seen: ReceivedRequest[] = [];
    const acknowledged = new Set<string>();
    const answerOk = (request: ReceivedRequest) => {
      seen.push(request);
      acknowledged.add(request.headers['webhook-id'] ?? '');
      return { status: 200 } as const;
    };
    receiver = await WebhookReceiver.start();
    const port = receiver.port;
    receiver.answer = answerOk;

    const created = await api<{ subscription_id: string; secret: string }>(
      'POST',
      '/v1/webhook-subscriptions',
      { body: { url: receiver.url('/hook'), event_types: ['click.*'], max_attempts: 20 } },
    );
    expect(created.status, created.text).toBe(201);
    const subscriptionId = created.body.subscription_id;
    const secret = created.body.secret;

    let clicks = 0;
    const clickSome = async () => {
      for (let i = 0; i < CLICKS_PER_PHASE; i++) {
        // Different client addresses: a visitor clicking 40 times would be flagged as a burst.
        const from = `127.0.${10 + (clicks % 200)}.${1 + (clicks % 250)}`;
        expect((await click(server!.edgeUrl, '/outage', { from })).status).toBe(302);
        clicks++;
      }
    };

    // Up: delivered as they come.
    await clickSome();
    await waitUntil(
      'the first deliveries',
      async () => `${acknowledged.size} acknowledged`,
      async () => acknowledged.size >= CLICKS_PER_PHASE,
    );

    // Refusing connections: nobody listens on the port.
    await receiver.close();
    receiver = null;
    await clickSome();
    await sleep(1_500);

    // Back on the port but never answering: every attempt times out.
    receiver = await WebhookReceiver.start(port);
    receiver.answer = (request) => {
      seen.push(request);
      return 'hang';
    };
    await clickSome();
    await sleep(1_500);

    // Answering 500 until the dispatcher gives up on it for now and pauses the subscription.
    receiver.answer = (request) => {
      seen.push(request);
      return { status: 500 };
    };
    await clickSome();
    await waitUntil(
      'the subscription to pause',
      async () => server!.stderr().slice(-20_000),
      async () => {
        const sub = await api<{ status: string }>('GET', `/v1/webhook-subscriptions/${subscriptionId}`);
        return sub.body.status === 'paused';
      },
    );
    const paused = await api<{ status: string; status_reason: string | null }>(
      'GET',
      `/v1/webhook-subscriptions/${subscriptionId}`,
    );
    expect(paused.body.status_reason).toBeTruthy();

    // Events keep accumulating while paused.
    await clickSome();

    // The subscriber is healthy again; resuming catches it up.
    receiver.releaseHung(500);
    receiver.answer = answerOk;
    const resumed = await api<{ status: string }>(
      'POST',
      `/v1/webhook-subscriptions/${subscriptionId}/resume`,
      {
        body: {},
      },
    );
    expect(resumed.status, resumed.text).toBe(200);
    expect(resumed.body.status).toBe('active');

    const events: string[] = [];
    const undelivered = async () => {
      // On a timeout: what the store says about each event the subscriber never acknowledged.
      const missing = events.filter((id) => !acknowledged.has(id));
      const states = await Promise.all(
        missing.slice(0, 10).map(async (id) => {
          const found = await api<{ data: unknown[] }>(
            'GET',
            `/v1/webhook-deliveries?subscription_id=${subscriptionId}&event_id=${id}`,
          );
          return `${id}: ${JSON.stringify(found.body.data)}`;
        }),
      );
      const sub = await api('GET', `/v1/webhook-subscriptions/${subscriptionId}`);
      return [
        `${clicks} clicks, ${events.length} events, ${missing.length} never acknowledged`,
        `subscription: ${sub.text}`,
        ...states,
        `server said:\n${server!.stderr().slice(-20_000)}`,
      ].join('\n');
    };
    await waitUntil('every event delivered', undelivered, async () => {
      events.length = 0;
      let cursor: string | null = null;
      for (;;) {
        const query: string = `/v1/events?type=click.created&type=click.flagged&limit=1000${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await api<EventPage>('GET', query);
        events.push(...page.body.data.map((event) => event.event_id));
        if (!page.body.has_more) break;
        cursor = page.body.next_cursor;
      }
      return events.length >= clicks && events.every((id) => acknowledged.has(id));
    });

    const createdEvents = await api<EventPage>('GET', '/v1/events?type=click.created&limit=1000');
    expect(createdEvents.body.data.length, 'one click.created per redirect').toBe(clicks);
    const missing = events.filter((id) => !acknowledged.has(id));
    expect(missing, 'events never acknowledged by the subscriber').toEqual([]);

    // Every request, failed ones included, was signed so the standard library accepts it.
    const webhook = new Webhook(secret);
    for (const request of seen) expect(() => webhook.verify(request.body, request.headers)).not.toThrow();

    const deliveries = await api<{ data: { status: string }[] }>(
      'GET',
      `/v1/webhook-deliveries?subscription_id=${subscriptionId}&status=failed`,
    );
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.data, 'dead-lettered deliveries').toEqual([]);

    console.info(
      `[faults:${mode.name}] outage: ${clicks} clicks, ${events.length} events, ${seen.length} requests ` +
        `to the subscriber, ${acknowledged.size} distinct ids acknowledged`,
    );
  });
});
