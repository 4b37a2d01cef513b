import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawClick } from '../../src/click-log/raw-click.js';
import { apiClient } from '../support/api-client.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { ServerClickLog, waitUntilStored } from '../support/server-click-log.js';
import { SseClient } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  type Api,
  createKey,
  createLink,
  createWorkspace,
  expectProblem,
  type LinkBody,
} from './api-test-kit.js';
import { type ClickBody, HOUR, type SeedSpec, seedClick } from './query-test-kit.js';

let server: TestServer;
let api: Api;
let log: ServerClickLog;
let ws: string;
let link: LinkBody;
let other: { workspaceId: string; key: string; api: Api };
const open: SseClient[] = [];

const BASE = Date.now() - (Date.now() % HOUR) - 2 * HOUR;
let minute = 0;

beforeAll(async () => {
  server = await startTestServer({
    env: {
      CLICKWIRE_STREAM_HEARTBEAT_MS: '50',
      CLICKWIRE_STREAM_POLL_MS: '20',
      CLICKWIRE_STREAM_MAX_BUFFERED_EVENTS: '1000',
    },
  });
  api = apiClient(server.apiUrl, server.adminKey);
  ws = server.running.defaultWorkspaceId;
  log = new ServerClickLog(server);
  link = await createLink(api, { destination_url: 'https://example.com/stream' });
  other = await createWorkspace(server, 'Stream: other workspace');
});
afterAll(async () => {
  for (const client of open) client.close();
  await log?.close();
  await server?.close();
});

async function stream(
  query = '',
  headers: Record<string, string> = {},
  options: { paused?: boolean; key?: string } = {},
) {
  const client = await SseClient.open(
    `${server.apiUrl}/v1/stream/clicks${query}`,
    { authorization: `Bearer ${options.key ?? server.adminKey}`, ...headers },
    options,
  );
  open.push(client);
  return client;
}

/** Appends clicks of the default workspace on `link` and waits until the processor stored the last. */
async function seed(specs: Partial<SeedSpec>[], workspaceId = ws, reader: Api = api): Promise<RawClick[]> {
  const clicks = specs.map((spec) =>
    seedClick({ workspaceId, linkId: link.link_id, occurredAt: BASE + ++minute * 1000, ...spec }),
  );
  await log.append(clicks);
  await waitUntilStored(reader, clicks.at(-1)!.clickId);
  return clicks;
}

const clickIds = (client: SseClient) =>
  client.events.map((event) => (JSON.parse(event.data) as ClickBody).click_id);

describe('GET /v1/stream/clicks', () => {
  it('streams the workspace’s processed clicks as they are stored, filtered like GET /v1/clicks', async () => {
    const people = await stream();
    const everyone = await stream('?include_bots=true');
    expect(people.status).toBe(200);
    expect(String(people.headers['content-type'])).toMatch(/^text\/event-stream/);
    expect(people.headers['ratelimit-limit']).toBeDefined();
    expect(people.headers['cache-control']).toBe('no-store');

    const foreignLink = await createLink(other.api, { destination_url: 'https://example.com/theirs' });
    await log.append([
      seedClick({ workspaceId: other.workspaceId, linkId: foreignLink.link_id, occurredAt: BASE }),
    ]);
    const seeded = await seed([{ client: 'desktop' }, { client: 'crawler' }, { client: 'mobile' }]);

    await everyone.waitFor((c) => c.events.length >= 3);
    await people.waitFor((c) => c.events.length >= 2);
    expect(clickIds(everyone)).toEqual(seeded.map((c) => c.clickId));
    expect(clickIds(people)).toEqual([seeded[0]!.clickId, seeded[2]!.clickId]);
    const first = JSON.parse(people.events[0]!.data) as ClickBody;
    expect(people.events[0]!.event).toBe('click');
    expect(first).toMatchObject({ workspace_id: ws, link_id: link.link_id, traffic_class: 'human' });
    // The same resource GET /v1/clicks/{id} returns.
    const single = await api('GET', `/v1/clicks/${first.click_id}`);
    expect(JSON.parse(people.events[0]!.data)).toEqual(single.body);
  });

  it('resumes right after Last-Event-ID: nothing missed, nothing repeated', async () => {
    const first = await stream();
    const before = await seed([{}, {}, {}]);
    await first.waitFor((c) => c.events.length >= 3);
    const resumeFrom = first.events[0]!.id!;
    first.close();

    const missed = await seed([{}, {}]);
    const resumed = await stream('', { 'last-event-id': resumeFrom });
    expect(resumed.status).toBe(200);
    await resumed.waitFor((c) => c.events.length >= 4);
    expect(clickIds(resumed)).toEqual([...before.slice(1), ...missed].map((c) => c.clickId));
    // Event ids are the same whichever stream carried them.
    expect(resumed.events[0]!.id).toBe(first.events[1]!.id);

    const later = await seed([{}]);
    await resumed.waitFor((c) => c.events.length >= 5);
    expect(clickIds(resumed).at(-1)).toBe(later[0]!.clickId);
    expect(new Set(clickIds(resumed)).size).toBe(resumed.events.length);
  });

  it('sends heartbeat comment lines while nothing happens', async () => {
    const idle = await stream('?link_id=lnk_01E0000000000000000000000A');
    await idle.waitFor((c) => c.comments.includes('heartbeat'));
    expect(idle.events).toEqual([]);
  });

  it('refuses a forged or foreign Last-Event-ID, naming the header', async () => {
    const mine = await stream();
    await seed([{}]);
    await mine.waitFor((c) => c.events.length >= 1);
    const id = mine.events[0]!.id!;
    const invalid = (answer: Parameters<typeof expectProblem>[0]) =>
      expectProblem(answer, 400, 'CW_ERR_INVALID_CURSOR', 'invalid-cursor', 'headers/last-event-id');
    for (const bad of [`${id}x`, 'not-an-id']) {
      invalid(await api('GET', '/v1/stream/clicks', { headers: { 'last-event-id': bad } }));
    }
    invalid(await other.api('GET', '/v1/stream/clicks', { headers: { 'last-event-id': id } }));
  });

  it('needs a key with clicks:read, and takes only the filters it knows', async () => {
    const anonymous = await apiClient(server.apiUrl, null)('GET', '/v1/stream/clicks');
    expectProblem(anonymous, 401, 'CW_ERR_UNAUTHENTICATED', 'unauthenticated');
    const { key } = await createKey(api, ['links:read']);
    expectProblem(
      await apiClient(server.apiUrl, key)('GET', '/v1/stream/clicks'),
      403,
      'CW_ERR_INSUFFICIENT_SCOPE',
      'insufficient-scope',
    );
    expectProblem(
      await api('GET', '/v1/stream/clicks?tag=x'),
      400,
      'CW_ERR_VALIDATION',
      'validation-failed',
      'querystring/tag',
    );
  });

  it('drops a reader that does not keep up, and only that one', async () => {
    const dropped = () =>
      apiClient(server.apiUrl, null)<string>('GET', '/metrics').then((answer) =>
        parsePrometheusText(answer.text).sum('clickwire_stream_readers_dropped_total'),
      );
    const droppedBefore = await dropped();
    const slow = await stream('', {}, { paused: true });
    const fast = await stream();
    let sent = 0;
    // Each round adds clicks until the slow reader's socket buffers are full and ours passes its bound.
    for (let round = 0; round < 40 && (await dropped()) === droppedBefore; round++) {
      await seed(Array.from({ length: 500 }, () => ({})));
      sent += 500;
    }
    expect(await dropped()).toBe(droppedBefore + 1);
    await fast.waitFor((c) => c.events.length >= sent, 150_000);
    expect(fast.ended).toBe(false);
    expect(new Set(clickIds(fast)).size).toBe(sent);

    slow.resume();
    await slow.waitFor((c) => c.ended, 150_000);
    expect(slow.events.length).toBeLessThan(sent);
  }, 180_000);
});
