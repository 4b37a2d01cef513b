import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.js';
import { ServerClickLog, waitUntilStored } from '../support/server-click-log.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  type Api,
  createKey,
  createLink,
  createWorkspace,
  expectForbidden,
  expectNotFound,
  expectProblem,
  expectValidation,
  linkEvents,
  type Page,
} from './api-test-kit.js';
import { type EnvelopeBody, seedClick } from './query-test-kit.js';

let server: TestServer;
let api: Api;
let log: ServerClickLog;
let other: { workspaceId: string; api: Api };
let ws: string;

type Answer = { status: number; text: string; body: Page<EnvelopeBody> };

/** Follows `next_cursor` while `has_more`; returns the events and the cursor to come back with. */
async function follow(query: string, from: string | null = null, client: Api = api) {
  const events: EnvelopeBody[] = [];
  let cursor = from;
  for (let pages = 0; pages < 1000; pages++) {
    const answer: Answer = await client<Page<EnvelopeBody>>(
      'GET',
      `/v1/events?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(answer.status, answer.text).toBe(200);
    events.push(...answer.body.data);
    cursor = answer.body.next_cursor;
    if (!answer.body.has_more) return { events, cursor };
  }
  throw new Error('the walk did not end');
}

const ids = (events: readonly EnvelopeBody[]) => events.map((event) => event.event_id);

async function clickOn(linkId: string, workspaceId = ws, client = api) {
  const click = seedClick({ workspaceId, linkId, occurredAt: Date.now() });
  await log.append([click]);
  await waitUntilStored(client, click.clickId);
  return click;
}

beforeAll(async () => {
  server = await startTestServer();
  api = apiClient(server.apiUrl, server.adminKey);
  ws = server.running.defaultWorkspaceId;
  log = new ServerClickLog(server);
  other = await createWorkspace(server, 'Events: other workspace');
  const first = await createLink(api, { destination_url: 'https://example.com/1', tags: ['email'] });
  await clickOn(first.link_id);
  await api('PATCH', `/v1/links/${first.link_id}`, { body: { campaign_id: 'autumn' } });
  await clickOn(first.link_id);
  const theirs = await createLink(other.api, { destination_url: 'https://example.com/theirs' });
  await clickOn(theirs.link_id, other.workspaceId, other.api);
}, 60_000);
afterAll(async () => {
  await log?.close();
  await server?.close();
});

describe('GET /v1/events', () => {
  it('lists the workspace’s events oldest first, each envelope exactly as stored', async () => {
    const { events, cursor } = await follow('limit=1000');
    expect(events.map((e) => e.event_type)).toEqual([
      'link.created',
      'click.created',
      'link.updated',
      'click.created',
    ]);
    expect(events.every((e) => e.workspace_id === ws && e.schema_version === 1)).toBe(true);
    expect(typeof cursor).toBe('string');
    const linkId = (events[0]!.data.link as { link_id: string }).link_id;
    const stored = linkEvents(server, linkId);
    const listed = await api('GET', '/v1/events?limit=1000');
    for (const row of stored) expect(listed.text).toContain(row.payload);
  });

  it('filters by type (repeated or comma-separated) and by when events were written', async () => {
    const all = (await follow('limit=1000')).events;
    expect(ids((await follow('type=click.created')).events)).toEqual(
      ids(all.filter((e) => e.event_type === 'click.created')),
    );
    const links = all.filter((e) => e.event_type.startsWith('link.'));
    expect(ids((await follow('type=link.created,link.updated')).events)).toEqual(ids(links));
    expect(ids((await follow('type=link.created&type=link.updated&type=link.deleted')).events)).toEqual(
      ids(links),
    );
    expect((await follow('type=link.deleted')).events).toEqual([]);

    const second = all[1]!;
    const writtenAt = (event: EnvelopeBody) => decodeTime(event.event_id);
    const after = await follow(`created_after=${new Date(writtenAt(second)).toISOString()}`);
    expect(ids(after.events)).toEqual(ids(all.filter((e) => writtenAt(e) >= writtenAt(second))));
    const before = await follow(`created_before=${new Date(writtenAt(second)).toISOString()}`);
    expect(ids(before.events)).toEqual(ids(all.filter((e) => writtenAt(e) < writtenAt(second))));
    expect(await follow(`created_after=${new Date(Date.now() + 3_600_000).toISOString()}`)).toMatchObject({
      events: [],
    });
  });

  it('pages while events keep arriving without repeating or skipping one, and a follower comes back for new ones', async () => {
    const link = await createLink(api, { destination_url: 'https://example.com/busy' });
    let { events: collected, cursor } = await follow('limit=2');
    const written: string[] = [];
    for (let round = 0; round < 5; round++) {
      // Events from two writers at once: the API (links) and the processor (clicks).
      const [created] = await Promise.all([
        createLink(api, { destination_url: `https://example.com/r${round}` }),
        log.append([seedClick({ workspaceId: ws, linkId: link.link_id, occurredAt: Date.now() })]),
      ]);
      written.push(created.link_id);
      const page = await follow('limit=2', cursor);
      collected.push(...page.events);
      cursor = page.cursor;
    }
    await clickOn(link.link_id);
    collected.push(...(await follow('limit=2', cursor)).events);
    const all = (await follow('limit=1000')).events;
    expect(new Set(ids(collected)).size).toBe(collected.length);
    expect(ids(collected)).toEqual(ids(all));
    for (const linkId of written) {
      expect(collected.some((e) => (e.data.link as { link_id?: string }).link_id === linkId)).toBe(true);
    }
  });

  it('refuses forged cursors and cursors issued for other filters', async () => {
    const page = await api<Page<EnvelopeBody>>('GET', '/v1/events?limit=1');
    const cursor = page.body.next_cursor!;
    const [body, signature] = cursor.split('.') as [string, string];
    const edited = Buffer.from(JSON.stringify({ l: 'events', p: { s: 0 } })).toString('base64url');
    for (const bad of [`${edited}.${signature}`, `${body}.x${signature.slice(1)}`, 'junk']) {
      expectProblem(
        await api('GET', `/v1/events?limit=1&cursor=${encodeURIComponent(bad)}`),
        400,
        'CW_ERR_INVALID_CURSOR',
        'invalid-cursor',
        'querystring/cursor',
      );
    }
    expectProblem(
      await api('GET', `/v1/events?type=click.created&cursor=${encodeURIComponent(cursor)}`),
      400,
      'CW_ERR_INVALID_CURSOR',
      'invalid-cursor',
      'querystring/cursor',
    );
    expectProblem(
      await other.api('GET', `/v1/events?cursor=${encodeURIComponent(cursor)}`),
      400,
      'CW_ERR_INVALID_CURSOR',
      'invalid-cursor',
      'querystring/cursor',
    );
    expect((await api('GET', `/v1/events?limit=50&cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
  });

  it('refuses bad parameters with 400 naming the field', async () => {
    for (const [query, field] of [
      ['type=click.exploded', 'querystring/type'],
      ['type=click.created,,link.created', 'querystring/type'],
      ['created_after=yesterday', 'querystring/created_after'],
      ['created_before=2026-02-30', 'querystring/created_before'],
      ['limit=0', 'querystring/limit'],
      ['limit=1001', 'querystring/limit'],
      ['colour=red', 'querystring/colour'],
      [Array.from({ length: 21 }, () => 'type=click.created').join('&'), 'querystring/type'],
    ]) {
      expectValidation(await api('GET', `/v1/events?${query}`), field);
    }
  });
});

describe('GET /v1/events/{event_id}', () => {
  it('answers the stored envelope byte for byte', async () => {
    const [first] = (await follow('type=link.created&limit=1')).events;
    const stored = linkEvents(server, (first!.data.link as { link_id: string }).link_id)[0]!;
    const answer = await api('GET', `/v1/events/${first!.event_id}`);
    expect(answer.status).toBe(200);
    expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
    expect(answer.text).toBe(stored.payload);
  });

  it('404 for unknown ids and other workspaces’ events; 400 for malformed ids', async () => {
    const [mine] = (await follow('limit=1')).events;
    const [theirs] = (await follow('limit=1', null, other.api)).events;
    expectNotFound(await other.api('GET', `/v1/events/${mine!.event_id}`));
    expectNotFound(await api('GET', `/v1/events/${theirs!.event_id}`));
    expectNotFound(await api('GET', '/v1/events/evt_01E0000000000000000000000A'));
    expectValidation(await api('GET', '/v1/events/evt_nope'), 'params/event_id');
  });
});

describe('access', () => {
  it('needs webhooks:read', async () => {
    const hooks = apiClient(server.apiUrl, (await createKey(api, ['webhooks:read'])).key);
    expect((await hooks('GET', '/v1/events')).status).toBe(200);
    const [event] = (await follow('limit=1')).events;
    expect((await hooks('GET', `/v1/events/${event!.event_id}`)).status).toBe(200);
    for (const scopes of [['clicks:read'], ['links:read'], ['analytics:read']]) {
      const client = apiClient(server.apiUrl, (await createKey(api, scopes)).key);
      expectForbidden(await client('GET', '/v1/events'));
      expectForbidden(await client('GET', `/v1/events/${event!.event_id}`));
    }
  });

  it('another workspace lists only its own events', async () => {
    const theirs = (await follow('limit=1000', null, other.api)).events;
    expect(theirs.map((e) => e.event_type)).toEqual(['link.created', 'click.created']);
    expect(theirs.every((e) => e.workspace_id === other.workspaceId)).toBe(true);
  });
});

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The time in an event id (ULID). */
function decodeTime(eventId: string): number {
  return [...eventId.slice(4, 14)].reduce((time, char) => time * 32 + CROCKFORD.indexOf(char), 0);
}
