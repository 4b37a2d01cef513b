import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestNumberOf, startRedirectLoad } from '../faults/support/redirect-load.js';
import { type ApiAnswer, apiClient } from '../support/api-client.js';
import { TEST_NATS_URL, TestStream } from '../support/jetstream-test-stream.js';
import {
  createTestSchema,
  SERVICES_REQUIRED,
  TEST_DATABASE_URL,
  type TestSchema,
} from '../support/postgres-test-database.js';
import { type RoleProcess, RoleProcesses } from '../support/role-processes.js';
import { makeTempDir } from '../support/temp-dir.js';
import { TEST_ADMIN_KEY } from '../support/test-server.js';
import { type ReceivedRequest, WebhookReceiver } from '../support/webhook-receiver.js';

/** Requests in flight per subscription and dispatcher: twice this many hung means both are sending. */
const CONCURRENCY = 4;
/** The request timeout and the shortest lease it allows (2 × timeout + 5 s): a crash is waited out in 7 s. */
const TIMEOUT_MS = 1_000;
const LEASE_SECONDS = 7;
/** Requests per second on each edge: steady, well within what processors and dispatchers keep up with. */
const RATE_PER_EDGE = 120;
/** Request numbers of the second edge's load start here (the Referer tells them apart). */
const SECOND_EDGE_FIRST_REQUEST = 1_000_000;

const servicesMissing = TEST_DATABASE_URL === null || TEST_NATS_URL === null;
if (servicesMissing && SERVICES_REQUIRED) {
  throw new Error(
    'CLICKWIRE_REQUIRE_SERVICES is set but CLICKWIRE_TEST_DATABASE_URL or CLICKWIRE_TEST_NATS_URL is not',
  );
}
if (servicesMissing) {
  console.warn(
    'Scale-out kill test skipped: set CLICKWIRE_TEST_DATABASE_URL=postgres://… and ' +
      'CLICKWIRE_TEST_NATS_URL=nats://… to run it (see DEVELOPERS.md)',
  );
}

interface Page<T> {
  readonly data: T[];
  readonly next_cursor: string | null;
  readonly has_more: boolean;
}

interface StoredClick {
  readonly click_id: string;
  readonly link_id: string | null;
  readonly referrer_host: string | null;
}

interface ClickEvent {
  readonly event_id: string;
  readonly data: { readonly click: { readonly click_id: string } };
}

/**
 * Scale-out as the issue runs it: 2 edges, 2 processors, 2 dispatchers and 1 API as separate
 * processes on PostgreSQL and a JetStream click log. While both edges are under load, one edge, one
 * processor and one dispatcher (the latter while its requests to the subscriber are in flight) are
 * SIGKILLed and started again. What a user would notice afterwards: every redirect answered 302 is
 * one stored click, nothing is stored twice or that was not sent (a request cut off by the edge
 * kill may be stored without its answer), the rollups count every click, and every `click.created`
 * reached the subscriber, correctly signed — the killed dispatcher's deliveries taken over by
 * another once their (short, `CLICKWIRE_WEBHOOK_LEASE_SECONDS`) lease ran out.
 */
describe.skipIf(servicesMissing)('scale-out roles on PostgreSQL and JetStream under SIGKILL', () => {
  let schema: TestSchema | null = null;
  let stream: TestStream | null = null;
  let receiver: WebhookReceiver | null = null;
  let databaseUrl = '';
  const temp = makeTempDir('clickwire-scale-out-kills-');
  const processes = new RoleProcesses(
    () => ({
      CLICKWIRE_DATABASE_URL: databaseUrl,
      CLICKWIRE_DATABASE_POOL_SIZE: '4',
      CLICKWIRE_DATA_DIR: temp.dir,
      CLICKWIRE_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY,
      CLICKWIRE_LOG_LEVEL: 'warn',
      // The test's receiver listens on loopback.
      CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'true',
      CLICKWIRE_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      CLICKWIRE_WEBHOOK_LEASE_SECONDS: String(LEASE_SECONDS),
      CLICKWIRE_WEBHOOK_CONCURRENCY: String(CONCURRENCY),
      // A refused attempt is tried again a second later (and often enough never to fail for good).
      CLICKWIRE_WEBHOOK_RETRY_SCHEDULE: '1,1,1,1,1,1,1,1,1',
      ...stream!.env(),
    }),
    { api: { CLICKWIRE_API_RATE_LIMIT_RAW: '1000000', CLICKWIRE_API_RATE_LIMIT_AGGREGATE: '1000000' } },
  );

  beforeAll(async () => {
    stream = new TestStream();
    receiver = await WebhookReceiver.start();
    schema = await createTestSchema(TEST_DATABASE_URL!);
    // The processes know only CLICKWIRE_DATABASE_URL: the schema travels in its `options`.
    const url = new URL(TEST_DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${schema.schema}`);
    databaseUrl = url.toString();
  });

  afterAll(async () => {
    await processes.killAll();
    await receiver?.close();
    await schema?.drop();
    await stream?.drop();
    temp.remove();
  });

  it('stores every answered redirect once, counts it and delivers its click.created, signed', async () => {
    const hook = receiver!;
    // The subscriber acknowledges (200) unless the test holds its requests; only what it
    // acknowledged counts as delivered.
    let holding = false;
    const held: ReceivedRequest[] = [];
    const acknowledged: { readonly request: ReceivedRequest; readonly at: number }[] = [];
    hook.answer = (received) => {
      if (holding) {
        held.push(received);
        return 'hang';
      }
      acknowledged.push({ request: received, at: Date.now() });
      return { status: 200 };
    };

    // The back end first (started at once on an empty schema: each migrates under the lock), then
    // the link and the subscription, then the edges, so no edge ever answers 404 for the link.
    const [apiProcess, ...backEnd] = await Promise.all(
      (['api', 'processor', 'processor', 'dispatcher', 'dispatcher'] as const).map((role) =>
        processes.start(role),
      ),
    );
    const processors = backEnd.slice(0, 2) as RoleProcess[];
    const dispatchers = backEnd.slice(2) as RoleProcess[];
    await processes.ready(apiProcess!, '/readyz');
    const api = apiClient(apiProcess!.url, TEST_ADMIN_KEY);
    const link = await api<{ link_id: string }>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/landing', alias: 'scale-out' },
    });
    expect(link.status, link.text).toBe(201);
    const linkId = link.body.link_id;
    const subscription = await api<{ secret: string }>('POST', '/v1/webhook-subscriptions', {
      body: { url: hook.url(), event_types: ['click.created'], max_attempts: 20 },
    });
    expect(subscription.status, subscription.text).toBe(201);
    const verifier = new Webhook(subscription.body.secret);

    const edges = await Promise.all([processes.start('edge'), processes.start('edge')]);
    await Promise.all(edges.map((edge) => processes.ready(edge, '/healthz')));

    const loads = edges.map((edge, i) =>
      startRedirectLoad({
        edgeUrl: edge.url,
        path: '/scale-out',
        concurrency: 4,
        ratePerSecond: RATE_PER_EDGE,
        firstRequest: i * SECOND_EDGE_FIRST_REQUEST,
      }),
    );

    // An edge: killed while requests are in flight on it, started again on the same port.
    await sleep(1_000);
    const killedEdge = edges[0]!;
    await killedEdge.kill();
    const restartedEdge = await processes.start('edge', killedEdge.port!);

    // A processor: its fetched, unacknowledged clicks go to the other one after the ack wait.
    await sleep(700);
    await processors[0]!.kill();
    await processes.start('processor');

    // A dispatcher, while it is sending: hold the subscriber's answers until both dispatchers have
    // all their slots taken, so the one killed dies with deliveries in flight (and more leased).
    await sleep(700);
    holding = true;
    const heldBy = Date.now() + 10_000;
    while (hook.hangingConnected < 2 * CONCURRENCY && Date.now() < heldBy) await sleep(5);
    expect(hook.hangingConnected, `both dispatchers sending\n${processes.stderr()}`).toBe(2 * CONCURRENCY);
    const dispatcherKilledAt = Date.now();
    await dispatchers[0]!.kill();
    holding = false;
    // The survivor's held requests fail (it retries them); the killed one's are cut already.
    hook.releaseHung(503);
    await processes.start('dispatcher');

    // The restarted edge takes load again before the load stops.
    await processes.ready(restartedEdge, '/healthz');
    const answeredBefore = loads[0]!.redirected.size;
    await sleep(1_500);
    await Promise.all(loads.map((load) => load.stop()));
    expect(loads[0]!.redirected.size, 'redirects from the restarted edge').toBeGreaterThan(answeredBefore);

    const redirected = new Set(loads.flatMap((load) => [...load.redirected]));
    const unanswered = new Set(loads.flatMap((load) => [...load.unanswered]));
    for (const load of loads) expect(load.otherAnswers, 'answers other than 302').toEqual(new Map());
    expect(loads[0]!.unanswered.size, 'requests cut off or refused by the killed edge').toBeGreaterThan(0);
    expect(redirected.size).toBeGreaterThan(500);

    // Every click of the workspace, in ingestion order, once processing has settled.
    const storedClicks = async () => pages<StoredClick>(api, '/v1/clicks?order=asc&include_bots=true');
    let stored = await storedClicks();
    const settleBy = Date.now() + 30_000;
    let stableSince = Date.now();
    while (
      Date.now() < settleBy &&
      !(stored.length >= redirected.size && Date.now() - stableSince >= 1_000)
    ) {
      await sleep(250);
      const now = await storedClicks();
      if (now.length !== stored.length) stableSince = Date.now();
      stored = now;
    }

    const ids = new Set(stored.map((click) => click.click_id));
    expect(ids.size, 'a click_id stored twice').toBe(stored.length);
    expect(
      stored.filter((click) => click.link_id !== linkId),
      'a click of something else',
    ).toEqual([]);
    const requests = stored.map((click) => requestNumberOf(click.referrer_host));
    expect(requests.includes(null), 'a stored click the load did not send').toBe(false);
    const storedRequests = new Set(requests as number[]);
    expect(storedRequests.size, 'one request stored twice').toBe(stored.length);
    expect(
      [...redirected].filter((n) => !storedRequests.has(n)),
      'answered with a redirect but not stored',
    ).toEqual([]);
    // Only a request cut off by the edge kill may be stored without its answer.
    const extra = [...storedRequests].filter((n) => !redirected.has(n));
    expect(
      extra.filter((n) => !unanswered.has(n)),
      'stored but neither answered nor cut off',
    ).toEqual([]);

    const daily = await api<{ totals: { clicks: number } }>(
      'GET',
      '/v1/analytics/clicks/daily?include_bots=true',
    );
    expect(daily.status, daily.text).toBe(200);
    expect(daily.body.totals.clicks, 'rollup total against stored clicks').toBe(stored.length);

    // One click.created per stored click …
    const events = await pages<ClickEvent>(api, '/v1/events?type=click.created');
    expect(events.map((event) => event.data.click.click_id).sort()).toEqual([...ids].sort());

    // … and each acknowledged by the subscriber at least once, correctly signed. The killed
    // dispatcher's deliveries arrive once their lease has run out.
    /** When each event was first acknowledged. */
    const delivered = new Map<string, number>();
    let checked = 0;
    const deliverBy = Date.now() + 30_000;
    for (;;) {
      for (; checked < acknowledged.length; checked++) {
        const { request: received, at } = acknowledged[checked]!;
        const payload = verifier.verify(received.body, received.headers) as ClickEvent;
        expect(received.headers['webhook-id']).toBe(payload.event_id);
        if (!delivered.has(payload.event_id)) delivered.set(payload.event_id, at);
      }
      if (delivered.size >= events.length || Date.now() > deliverBy) break;
      await sleep(200);
    }
    expect(
      events.map((event) => event.event_id).filter((id) => !delivered.has(id)),
      'click.created never acknowledged by the subscriber',
    ).toEqual([]);

    // The deliveries held at the kill: the survivor's were refused and retried within about a
    // second; the killed dispatcher's stayed leased to it until the lease ran out, then another
    // dispatcher sent them — later than any retry, far sooner than the default lease (64 s here).
    const heldEvents = new Set(held.map((received) => received.headers['webhook-id']!));
    expect(heldEvents.size).toBeGreaterThanOrEqual(2 * CONCURRENCY);
    const takeoverMs = Math.max(...[...heldEvents].map((id) => delivered.get(id)!)) - dispatcherKilledAt;
    expect(takeoverMs, 'the killed dispatcher’s deliveries waited for its lease').toBeGreaterThan(3_000);
    expect(takeoverMs, 'the killed dispatcher’s deliveries taken over').toBeLessThan(
      (LEASE_SECONDS + 10) * 1000,
    );

    console.info(
      `[scale-out kills] ${redirected.size} redirects answered, ${unanswered.size} cut off or refused, ` +
        `${stored.length} clicks stored (${extra.length} cut off before their answer); ` +
        `${delivered.size} click.created acknowledged ${acknowledged.length} times; the killed ` +
        `dispatcher's deliveries taken over ${takeoverMs} ms after its kill (lease ${LEASE_SECONDS} s)`,
    );
  }, 110_000);
});

/** Every item of a paged API listing (`next_cursor`, `has_more`), 1000 at a time. */
async function pages<T>(api: ReturnType<typeof apiClient>, route: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (;;) {
    const separator = route.includes('?') ? '&' : '?';
    const query: string = `limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page: ApiAnswer<Page<T>> = await api<Page<T>>('GET', `${route}${separator}${query}`);
    if (page.status !== 200) throw new Error(`GET ${route} answered ${page.status}: ${page.text}`);
    items.push(...page.body.data);
    if (!page.body.has_more || !page.body.next_cursor) return items;
    cursor = page.body.next_cursor;
  }
}
