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
  expectValidation,
  type LinkBody,
  type Page,
} from './api-test-kit.js';
import { type ClickBody, HOUR, type SeedSpec, seedClick } from './query-test-kit.js';

interface Counts {
  clicks: number;
  unique_clicks: number;
}
interface AnalyticsBody<T> {
  data: T[];
  totals: Counts & { bot_clicks: Record<string, number> };
  range: { from: string; to: string };
  timezone: string;
  as_of: string | null;
}
type Day = Counts & { date: string; start: string; hours: number };
type Hour = Counts & { start: string; local_start: string };

let server: TestServer;
let api: Api;
let log: ServerClickLog;
let other: { workspaceId: string; api: Api };
let ws: string;
let links: { a: LinkBody; b: LinkBody; c: LinkBody };
/** Every seeded click of the workspace, from /v1/clicks: the oracle for the counts. */
let clicks: ClickBody[];

const at = (iso: string) => Date.parse(iso);
const q = (params: Record<string, string | number | boolean>) =>
  Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
    .join('&');

/** Europe/Berlin: clocks go forward on 2026-03-29 at 01:00 UTC and back on 2026-10-25 at 01:00 UTC. */
const SPRING = { occurred_after: '2026-03-27T23:00:00.000Z', occurred_before: '2026-03-30T22:00:00.000Z' };
const AUTUMN = { occurred_after: '2026-10-24T22:00:00.000Z', occurred_before: '2026-10-26T23:00:00.000Z' };
/** Everything seeded here lies in this range. */
const ALL = { occurred_after: '2026-03-01T00:00:00.000Z', occurred_before: '2026-11-01T00:00:00.000Z' };

async function get<T>(path: string, params: Record<string, string | number | boolean>, client: Api = api) {
  const answer = await client<AnalyticsBody<T>>('GET', `/v1/analytics/clicks/${path}?${q(params)}`);
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

/** The clicks /v1/clicks lists for a filter, all pages. */
async function listed(params: Record<string, string | number | boolean>): Promise<ClickBody[]> {
  const seen: ClickBody[] = [];
  let cursor: string | null = null;
  do {
    const answer: { body: Page<ClickBody> } = await api<Page<ClickBody>>(
      'GET',
      `/v1/clicks?${q({ ...params, limit: 1000 })}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    seen.push(...answer.body.data);
    cursor = answer.body.next_cursor;
  } while (cursor !== null);
  return seen;
}

beforeAll(async () => {
  server = await startTestServer();
  api = apiClient(server.apiUrl, server.adminKey);
  ws = server.running.defaultWorkspaceId;
  log = new ServerClickLog(server);
  other = await createWorkspace(server, 'Analytics: other workspace');
  links = {
    a: await createLink(api, {
      destination_url: 'https://example.com/a',
      campaign_id: 'spring',
      tags: ['email'],
    }),
    b: await createLink(api, {
      destination_url: 'https://example.com/b',
      campaign_id: 'spring',
      tags: ['social'],
    }),
    c: await createLink(api, { destination_url: 'https://example.com/c', tags: ['email'] }),
  };
  const { a, b, c } = links;
  const specs: Omit<SeedSpec, 'workspaceId'>[] = [
    // Around the spring change.
    { linkId: a.link_id, occurredAt: at('2026-03-28T22:30:00Z'), country: 'DE' }, // Sat 23:30 CET
    {
      linkId: a.link_id,
      occurredAt: at('2026-03-28T23:30:00Z'),
      client: 'mobile',
      referer: 'social',
      country: 'FR',
    }, // Sun 00:30 CET
    { linkId: b.link_id, occurredAt: at('2026-03-29T00:30:00Z'), referer: 'search', visitor: 7 }, // Sun 01:30 CET
    { linkId: c.link_id, occurredAt: at('2026-03-29T01:30:00Z'), client: 'crawler', country: 'US' }, // Sun 03:30 CEST
    { linkId: a.link_id, occurredAt: at('2026-03-29T02:30:00Z'), client: 'preview' },
    { linkId: b.link_id, occurredAt: at('2026-03-29T21:30:00Z'), visitor: 7, country: null }, // Sun 23:30 CEST, repeat
    { linkId: a.link_id, occurredAt: at('2026-03-29T22:30:00Z'), country: 'DE' }, // Mon 00:30 CEST
    // Around the autumn change: 02:30 happens twice on Sunday 25 October.
    { linkId: c.link_id, occurredAt: at('2026-10-24T22:30:00Z') }, // Sun 00:30 CEST
    { linkId: c.link_id, occurredAt: at('2026-10-25T00:30:00Z'), client: 'mobile' }, // 02:30 CEST
    { linkId: c.link_id, occurredAt: at('2026-10-25T01:30:00Z'), client: 'mobile' }, // 02:30 CET
    { linkId: a.link_id, occurredAt: at('2026-10-25T22:30:00Z'), client: 'prefetch' }, // 23:30 CET
    { linkId: a.link_id, occurredAt: at('2026-10-25T22:40:00Z') }, // 23:40 CET
    { linkId: b.link_id, occurredAt: at('2026-10-25T23:30:00Z'), country: 'FR' }, // Mon 00:30 CET
    // Asia/Kolkata (+05:30): 18:40 UTC is 00:10 the next day, in the hour that began at 23:30.
    { linkId: b.link_id, occurredAt: at('2026-06-10T18:40:00Z'), country: 'IN' },
    { linkId: b.link_id, occurredAt: at('2026-06-10T19:10:00Z'), country: 'IN' },
    // Never counted: a request for an unknown slug.
    { linkId: null, occurredAt: at('2026-03-29T00:30:00Z'), slug: 'nope' },
  ];
  const seeded = specs.map((spec) => seedClick({ workspaceId: ws, ...spec }));
  // Never counted either: a simulated click.
  seeded.push({
    ...seedClick({ workspaceId: ws, linkId: a.link_id, occurredAt: at('2026-03-29T00:10:00Z') }),
    simulated: true,
  });
  await log.append(seeded);
  const foreign = await createLink(other.api, { destination_url: 'https://example.com/f', tags: ['email'] });
  const theirs = seedClick({
    workspaceId: other.workspaceId,
    linkId: foreign.link_id,
    occurredAt: at('2026-03-29T00:30:00Z'),
  });
  await log.append([theirs]);
  await waitUntilStored(other.api, theirs.clickId);
  clicks = await listed({ include_bots: true, include_simulated: true });
  expect(clicks).toHaveLength(seeded.length);
}, 60_000);
afterAll(async () => {
  await log?.close();
  await server?.close();
});

describe('GET /v1/analytics/clicks/daily', () => {
  it('follows the time zone across the spring clock change: a 23-hour day', async () => {
    const berlin = await get<Day>('daily', { ...SPRING, timezone: 'Europe/Berlin' });
    expect(berlin.timezone).toBe('Europe/Berlin');
    expect(berlin.data).toEqual([
      { date: '2026-03-28', start: '2026-03-27T23:00:00.000Z', hours: 24, clicks: 1, unique_clicks: 1 },
      { date: '2026-03-29', start: '2026-03-28T23:00:00.000Z', hours: 23, clicks: 3, unique_clicks: 2 },
      { date: '2026-03-30', start: '2026-03-29T22:00:00.000Z', hours: 24, clicks: 1, unique_clicks: 1 },
    ]);
    expect(berlin.totals).toEqual({
      clicks: 5,
      unique_clicks: 4,
      bot_clicks: { bot: 1, link_preview: 1, prefetch: 0, security_scanner: 0 },
    });
    // The same hours in UTC fall on other days.
    const utc = await get<Day>('daily', { ...SPRING, timezone: 'UTC' });
    expect(utc.data.map((day) => [day.date, day.hours, day.clicks])).toEqual([
      ['2026-03-27', 1, 0],
      ['2026-03-28', 24, 2],
      ['2026-03-29', 24, 3],
      ['2026-03-30', 22, 0],
    ]);
  });

  it('follows the time zone across the autumn clock change: a 25-hour day', async () => {
    const berlin = await get<Day>('daily', { ...AUTUMN, timezone: 'Europe/Berlin', include_bots: true });
    expect(berlin.data).toEqual([
      { date: '2026-10-25', start: '2026-10-24T22:00:00.000Z', hours: 25, clicks: 5, unique_clicks: 4 },
      { date: '2026-10-26', start: '2026-10-25T23:00:00.000Z', hours: 24, clicks: 1, unique_clicks: 1 },
    ]);
    expect(berlin.totals.bot_clicks.prefetch).toBe(1);
    const people = await get<Day>('daily', { ...AUTUMN, timezone: 'Europe/Berlin' });
    expect(people.data.map((day) => day.clicks)).toEqual([4, 1]);
  });

  it('counts an hour that straddles midnight in a half-hour zone toward the day it starts in', async () => {
    const kolkata = await get<Day>('daily', {
      occurred_after: '2026-06-09T19:00:00Z',
      occurred_before: '2026-06-11T19:00:00Z',
      timezone: 'Asia/Kolkata',
    });
    expect(kolkata.data).toEqual([
      { date: '2026-06-10', start: '2026-06-09T19:00:00.000Z', hours: 24, clicks: 1, unique_clicks: 1 },
      { date: '2026-06-11', start: '2026-06-10T19:00:00.000Z', hours: 24, clicks: 1, unique_clicks: 1 },
    ]);
  });

  it('counts unique clicks only with unique=true, and bots with include_bots=true', async () => {
    const unique = await get<Day>('daily', { ...SPRING, timezone: 'Europe/Berlin', unique: true });
    expect(unique.data.map((day) => day.clicks)).toEqual([1, 2, 1]);
    expect(unique.totals).toMatchObject({ clicks: 4, unique_clicks: 4 });
    expect(unique.totals.bot_clicks).toEqual({ bot: 1, link_preview: 1, prefetch: 0, security_scanner: 0 });
    const all = await get<Day>('daily', { ...SPRING, timezone: 'Europe/Berlin', include_bots: true });
    expect(all.data.map((day) => day.clicks)).toEqual([1, 5, 1]);
    expect(all.totals.clicks).toBe(7);
  });

  it('uses the workspace’s time zone by default, and lists 30 local days ending today', async () => {
    await other.api('PATCH', '/v1/workspace', { body: { timezone: 'America/New_York' } });
    const answer = await get<Day>('daily', {}, other.api);
    expect(answer.timezone).toBe('America/New_York');
    expect(answer.data).toHaveLength(30);
    expect(answer.data.every((day) => day.clicks === 0)).toBe(true);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date());
    expect(answer.data.at(-1)!.date).toBe(today);
    expect(Date.parse(answer.range.to)).toBeGreaterThan(Date.now());
    expect(Date.parse(answer.range.to) - Date.now()).toBeLessThanOrEqual(HOUR);
  });
});

describe('GET /v1/analytics/clicks/hourly', () => {
  it('lists every UTC hour of the range with its local time, zeros included', async () => {
    const answer = await get<Hour>('hourly', {
      occurred_after: '2026-10-24T23:00:00Z',
      occurred_before: '2026-10-25T03:00:00Z',
      timezone: 'Europe/Berlin',
    });
    expect(answer.data).toEqual([
      {
        start: '2026-10-24T23:00:00.000Z',
        local_start: '2026-10-25T01:00:00+02:00',
        clicks: 0,
        unique_clicks: 0,
      },
      {
        start: '2026-10-25T00:00:00.000Z',
        local_start: '2026-10-25T02:00:00+02:00',
        clicks: 1,
        unique_clicks: 1,
      },
      {
        start: '2026-10-25T01:00:00.000Z',
        local_start: '2026-10-25T02:00:00+01:00',
        clicks: 1,
        unique_clicks: 1,
      },
      {
        start: '2026-10-25T02:00:00.000Z',
        local_start: '2026-10-25T03:00:00+01:00',
        clicks: 0,
        unique_clicks: 0,
      },
    ]);
  });

  it('widens the range to whole hours and says so', async () => {
    const answer = await get<Hour>('hourly', {
      occurred_after: '2026-10-25T00:15:00Z',
      occurred_before: '2026-10-25T01:05:00Z',
    });
    expect(answer.range).toEqual({ from: '2026-10-25T00:00:00.000Z', to: '2026-10-25T02:00:00.000Z' });
    expect(answer.data.map((hour) => hour.clicks)).toEqual([1, 1]);
    expect(answer.data[0]!.local_start).toBe('2026-10-25T00:00:00+00:00');
  });
});

describe('breakdowns', () => {
  const count = (list: ClickBody[], key: (c: ClickBody) => string | null) => {
    const totals = new Map<string | null, Counts>();
    for (const click of list) {
      const entry = totals.get(key(click)) ?? { clicks: 0, unique_clicks: 0 };
      entry.clicks++;
      if (click.is_unique) entry.unique_clicks++;
      totals.set(key(click), entry);
    }
    return [...totals]
      .map(([k, counts]) => ({ k, ...counts }))
      .sort((x, y) => y.clicks - x.clicks || String(x.k ?? '').localeCompare(String(y.k ?? '')));
  };
  const counted = (includeBots: boolean) =>
    clicks.filter((c) => c.link_id !== null && !c.simulated && (includeBots || c.traffic_class === 'human'));

  it('by country, device, referrer and top links agree with the clicks themselves', async () => {
    for (const includeBots of [false, true]) {
      const base = counted(includeBots);
      for (const [path, field] of [
        ['by-country', 'country'],
        ['by-device', 'device_type'],
        ['by-referrer', 'referrer_category'],
        ['top-links', 'link_id'],
      ] as const) {
        const answer = await get<Record<string, string | null> & Counts>(path, {
          ...ALL,
          include_bots: includeBots,
        });
        expect(
          answer.data.map((row) => ({ k: row[field], clicks: row.clicks, unique_clicks: row.unique_clicks })),
          `${path} include_bots=${includeBots}`,
        ).toEqual(count(base, (c) => c[field]));
        expect(answer.totals.clicks).toBe(base.length);
      }
    }
    const top = await get<Counts & { link_id: string }>('top-links', { ...ALL, limit: 1 });
    expect(top.data).toHaveLength(1);
  });

  it('filters by link, campaign and tag (by the links’ campaign and tags now)', async () => {
    const cases: [Record<string, string>, (c: ClickBody) => boolean][] = [
      [{ link_id: links.a.link_id }, (c) => c.link_id === links.a.link_id],
      [{ campaign_id: 'spring' }, (c) => c.link_id === links.a.link_id || c.link_id === links.b.link_id],
      [{ tag: 'email' }, (c) => c.link_id === links.a.link_id || c.link_id === links.c.link_id],
      [{ tag: 'email', campaign_id: 'spring' }, (c) => c.link_id === links.a.link_id],
      [{ tag: 'social', link_id: links.a.link_id }, () => false],
    ];
    for (const [filter, keep] of cases) {
      for (const includeBots of [false, true]) {
        const expected = counted(includeBots).filter(keep);
        const daily = await get<Day>('daily', {
          ...ALL,
          ...filter,
          include_bots: includeBots,
          timezone: 'UTC',
        });
        const label = JSON.stringify({ filter, includeBots });
        expect(daily.totals.clicks, label).toBe(expected.length);
        expect(daily.totals.unique_clicks, label).toBe(expected.filter((c) => c.is_unique).length);
        expect(
          daily.data.reduce((sum, day) => sum + day.clicks, 0),
          label,
        ).toBe(expected.length);
        const byCountry = await get<Counts>('by-country', { ...ALL, ...filter, include_bots: includeBots });
        expect(
          byCountry.data.reduce((sum, row) => sum + row.clicks, 0),
          label,
        ).toBe(expected.length);
      }
    }
  });

  it('never counts simulated clicks, nor requests for unknown slugs', async () => {
    expect(clicks.filter((c) => c.simulated)).toHaveLength(1);
    expect(clicks.filter((c) => c.link_id === null)).toHaveLength(1);
    const answer = await get<Day>('daily', { ...ALL, include_bots: true, timezone: 'UTC' });
    expect(answer.totals.clicks).toBe(clicks.length - 2);
  });
});

describe('every analytics route', () => {
  const PATHS = ['daily', 'hourly', 'by-country', 'by-device', 'by-referrer', 'top-links'];

  it('says how fresh the rollups are', async () => {
    const answer = await get<Day>('by-device', ALL);
    const newest = Math.max(...clicks.map((c) => Date.parse(c.processed_at)));
    expect(Date.parse(answer.as_of!)).toBeGreaterThanOrEqual(newest);
    expect(Date.parse(answer.as_of!)).toBeLessThanOrEqual(Date.now());
  });

  it('needs analytics:read', async () => {
    const analyst = apiClient(server.apiUrl, (await createKey(api, ['analytics:read'])).key);
    for (const scopes of [['clicks:read'], ['links:read']]) {
      const client = apiClient(server.apiUrl, (await createKey(api, scopes)).key);
      for (const path of PATHS) expectForbidden(await client('GET', `/v1/analytics/clicks/${path}`));
    }
    for (const path of PATHS) {
      const params = path === 'hourly' ? {} : ALL;
      expect((await analyst('GET', `/v1/analytics/clicks/${path}?${q(params)}`)).status, path).toBe(200);
    }
  });

  it('shows another workspace nothing of these clicks', async () => {
    for (const path of PATHS) {
      const params =
        path === 'hourly'
          ? { occurred_after: SPRING.occurred_after, occurred_before: '2026-03-30T00:00:00Z' }
          : SPRING;
      for (const filter of [
        {},
        { link_id: links.a.link_id },
        { campaign_id: 'spring' },
        { tag: 'social' },
      ] as Record<string, string>[]) {
        const answer = await get<Counts>(path, { ...params, ...filter, include_bots: true }, other.api);
        const counted = answer.data.reduce((sum, row) => sum + row.clicks, 0);
        // Theirs: one click in that range, on their own link tagged `email`.
        const expected = Object.keys(filter).length === 0 ? 1 : 0;
        expect(counted, `${path} ${JSON.stringify(filter)}`).toBe(expected);
        expect(answer.totals.clicks).toBe(expected);
      }
    }
  });

  it('refuses bad parameters with 400 naming the field', async () => {
    for (const path of PATHS) {
      for (const [query, field] of [
        ['timezone=Mars/Olympus_Mons', 'querystring/timezone'],
        ['include_bots=yes', 'querystring/include_bots'],
        ['unique=1x', 'querystring/unique'],
        ['link_id=nope', 'querystring/link_id'],
        ['occurred_after=soon', 'querystring/occurred_after'],
        [
          'occurred_after=2026-03-02T00:00:00Z&occurred_before=2026-03-01T00:00:00Z',
          'querystring/occurred_after',
        ],
        ['occurred_after=2999-01-01T00:00:00Z', 'querystring/occurred_after'],
        [
          'occurred_after=2020-01-01T00:00:00Z&occurred_before=2026-01-01T00:00:00Z',
          'querystring/occurred_after',
        ],
        ['colour=red', 'querystring/colour'],
      ]) {
        expectValidation(await api('GET', `/v1/analytics/clicks/${path}?${query}`), field);
      }
    }
    expectValidation(
      await api(
        'GET',
        `/v1/analytics/clicks/hourly?${q({ occurred_after: '2026-01-01T00:00:00Z', occurred_before: '2026-02-02T00:00:00Z' })}`,
      ),
      'querystring/occurred_after',
    );
    expectValidation(await api('GET', '/v1/analytics/clicks/top-links?limit=0'), 'querystring/limit');
    expectValidation(await api('GET', '/v1/analytics/clicks/daily?limit=5'), 'querystring/limit');
  });
});
