import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawClick } from '../../src/click-log/raw-click.js';
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
  expectUnauthenticated,
  expectValidation,
  type LinkBody,
  type Page,
  PROBLEM_BASE,
  UNKNOWN_IDS,
} from './api-test-kit.js';
import { type ClickBody, DAY, type EnvelopeBody, HOUR, type SeedSpec, seedClick } from './query-test-kit.js';

let server: TestServer;
let api: Api;
let log: ServerClickLog;
let other: { workspaceId: string; api: Api };
let reader: Api;
let ws: string;
let links: { spring: LinkBody; summer: LinkBody; plain: LinkBody };
/** Every seeded click of the default workspace as the API returns it, newest first. */
let everything: ClickBody[];
const seededIds = new Set<string>();

const BASE = Date.now() - (Date.now() % HOUR) - 10 * DAY;

const expectInvalidCursor = (answer: Parameters<typeof expectProblem>[0]) =>
  expectProblem(answer, 400, 'CW_ERR_INVALID_CURSOR', 'invalid-cursor', 'querystring/cursor');

async function seed(specs: Omit<SeedSpec, 'workspaceId'>[], workspaceId = ws): Promise<RawClick[]> {
  const clicks = specs.map((spec) => seedClick({ workspaceId, ...spec }));
  await log.append(clicks);
  for (const click of clicks) seededIds.add(click.clickId);
  return clicks;
}

/** Follows `next_cursor` to the end; the query must not carry `cursor`. */
async function walk(query: string, client: Api = api): Promise<ClickBody[]> {
  const seen: ClickBody[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const answer: { status: number; text: string; body: Page<ClickBody> } = await client<Page<ClickBody>>(
      'GET',
      `/v1/clicks?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(answer.status, answer.text).toBe(200);
    seen.push(...answer.body.data);
    if (!answer.body.has_more) return seen;
    cursor = answer.body.next_cursor;
  }
  throw new Error('the walk did not end');
}

const ids = (clicks: readonly { click_id: string }[]) => clicks.map((click) => click.click_id);
const newestFirst = (a: ClickBody, b: ClickBody) =>
  Date.parse(b.occurred_at) - Date.parse(a.occurred_at) || 0;

beforeAll(async () => {
  server = await startTestServer();
  api = apiClient(server.apiUrl, server.adminKey);
  ws = server.running.defaultWorkspaceId;
  log = new ServerClickLog(server);
  other = await createWorkspace(server, 'Clicks: other workspace');
  reader = apiClient(server.apiUrl, (await createKey(api, ['clicks:read'])).key);
  links = {
    spring: await createLink(api, {
      destination_url: 'https://example.com/s',
      campaign_id: 'spring',
      tags: ['email', 'promo'],
    }),
    summer: await createLink(api, {
      destination_url: 'https://example.com/u',
      campaign_id: 'summer',
      tags: ['email'],
    }),
    plain: await createLink(api, { destination_url: 'https://example.com/p' }),
  };
  const { spring, summer, plain } = links;
  const t = (hours: number) => BASE + hours * HOUR;
  const clicks = await seed([
    { linkId: spring.link_id, occurredAt: t(1), client: 'desktop', country: 'DE', visitor: 1 },
    { linkId: spring.link_id, occurredAt: t(2), client: 'desktop', country: 'DE', visitor: 1 }, // repeat: not unique
    { linkId: spring.link_id, occurredAt: t(3), client: 'mobile', country: 'FR', referer: 'social' },
    { linkId: spring.link_id, occurredAt: t(3), client: 'mobile', country: 'FR', referer: 'search' }, // a tie
    { linkId: spring.link_id, occurredAt: t(3), client: 'desktop', country: 'US', datacenter: true },
    { linkId: spring.link_id, occurredAt: t(4), client: 'crawler', country: 'US' },
    { linkId: summer.link_id, occurredAt: t(5), client: 'preview', country: null },
    { linkId: summer.link_id, occurredAt: t(6), client: 'prefetch', country: 'DE' },
    { linkId: summer.link_id, occurredAt: t(7), client: 'mobile', country: 'DE', referer: 'social' },
    { linkId: summer.link_id, occurredAt: t(30), client: 'desktop', country: 'FR', referer: 'search' },
    { linkId: plain.link_id, occurredAt: t(31), client: 'desktop', country: 'DE' },
    { linkId: plain.link_id, occurredAt: t(31), client: 'crawler', country: 'DE' },
    { linkId: plain.link_id, occurredAt: t(50), client: 'mobile', country: 'US', datacenter: true },
    { linkId: null, occurredAt: t(51), client: 'desktop', country: 'DE', slug: 'no-such-link' },
  ]);
  const foreign = await createLink(other.api, { destination_url: 'https://example.com/f', tags: ['email'] });
  const foreignClick = (await seed([{ linkId: foreign.link_id, occurredAt: t(3) }], other.workspaceId))[0]!;
  await waitUntilStored(other.api, foreignClick.clickId);
  await waitUntilStored(api, clicks.at(-1)!.clickId);
  everything = await walk('include_bots=true&include_simulated=true&limit=1000');
}, 60_000);
afterAll(async () => {
  await log?.close();
  await server?.close();
});

describe('the seeded set', () => {
  it('holds every seeded click of the workspace once, newest first, and the classes the filters need', () => {
    expect(everything).toHaveLength(14);
    expect(new Set(ids(everything)).size).toBe(14);
    expect(ids(everything).every((id) => seededIds.has(id))).toBe(true);
    expect([...everything].sort(newestFirst).map((c) => c.occurred_at)).toEqual(
      everything.map((c) => c.occurred_at),
    );
    const classes = new Set(everything.map((c) => c.traffic_class));
    expect(classes).toEqual(new Set(['human', 'bot', 'link_preview', 'prefetch']));
    expect(everything.some((c) => c.is_suspicious && c.traffic_class === 'human')).toBe(true);
    expect(everything.some((c) => !c.is_unique && c.traffic_class === 'human')).toBe(true);
    expect(new Set(everything.map((c) => c.device_type))).toEqual(new Set(['desktop', 'mobile', 'bot']));
    expect(new Set(everything.map((c) => c.referrer_category))).toEqual(
      new Set(['direct', 'social', 'search']),
    );
  });
});

describe('GET /v1/clicks', () => {
  /** The filter semantics, checked against the full set the API itself returned. */
  const cases: [query: string, keep: (c: ClickBody) => boolean][] = [
    ['', (c) => c.traffic_class === 'human' && !c.simulated],
    ['include_bots=true', (c) => !c.simulated],
    ['include_bots=false&include_suspicious=false', (c) => c.traffic_class === 'human' && !c.is_suspicious],
    ['is_suspicious=true', (c) => c.traffic_class === 'human' && c.is_suspicious],
    ['is_suspicious=true&include_suspicious=false', (c) => c.traffic_class === 'human' && c.is_suspicious],
    ['traffic_class=bot', (c) => c.traffic_class === 'bot'],
    ['traffic_class=link_preview&include_bots=false', (c) => c.traffic_class === 'link_preview'],
    ['include_bots=true&is_unique=true', (c) => c.is_unique],
    ['is_unique=false', (c) => c.traffic_class === 'human' && !c.is_unique],
    ['country=FR', (c) => c.traffic_class === 'human' && c.country === 'FR'],
    [
      'include_bots=true&country=US&device_type=desktop',
      (c) => c.country === 'US' && c.device_type === 'desktop',
    ],
    ['device_type=mobile', (c) => c.traffic_class === 'human' && c.device_type === 'mobile'],
    ['referrer_category=social', (c) => c.traffic_class === 'human' && c.referrer_category === 'social'],
    ['include_bots=true&campaign_id=spring', (c) => c.campaign_id === 'spring'],
    [
      'campaign_id=summer&country=DE',
      (c) => c.traffic_class === 'human' && c.campaign_id === 'summer' && c.country === 'DE',
    ],
    [
      'include_bots=true&tag=email',
      (c) => c.link_id === links.spring.link_id || c.link_id === links.summer.link_id,
    ],
    ['include_bots=true&tag=promo', (c) => c.link_id === links.spring.link_id],
    ['tag=promo&campaign_id=summer', () => false],
    ['tag=no-such-tag&include_bots=true', () => false],
  ];

  it('applies each filter and their combinations', async () => {
    for (const [query, keep] of cases) {
      const expected = everything.filter(keep);
      expect(ids(await walk(`${query}&limit=1000`)), query).toEqual(ids(expected));
    }
  });

  it('filters by link, including clicks on unknown slugs never (they have no link)', async () => {
    for (const link of Object.values(links)) {
      const expected = everything.filter((c) => c.link_id === link.link_id);
      expect(ids(await walk(`include_bots=true&link_id=${link.link_id}`))).toEqual(ids(expected));
    }
    expect(everything.filter((c) => c.link_id === null)).toHaveLength(1);
  });

  it('bounds occurred_at: after inclusive, before exclusive', async () => {
    const at = everything.find((c) => c.occurred_at === new Date(BASE + 3 * HOUR).toISOString())!.occurred_at;
    const before = await walk(`include_bots=true&occurred_before=${at}`);
    expect(ids(before)).toEqual(ids(everything.filter((c) => Date.parse(c.occurred_at) < Date.parse(at))));
    const after = await walk(
      `include_bots=true&occurred_after=${at}&occurred_before=${encodeURIComponent(new Date(BASE + 31 * HOUR + 1).toISOString())}`,
    );
    expect(ids(after)).toEqual(
      ids(
        everything.filter(
          (c) => Date.parse(c.occurred_at) >= Date.parse(at) && Date.parse(c.occurred_at) <= BASE + 31 * HOUR,
        ),
      ),
    );
  });

  it('pages with limit, ties on occurred_at included, the same clicks as one big page', async () => {
    for (const limit of [1, 2, 3, 5]) {
      expect(
        ids(await walk(`include_bots=true&include_simulated=true&limit=${limit}`)),
        `limit ${limit}`,
      ).toEqual(ids(everything));
    }
    const first = await api<Page<ClickBody>>('GET', '/v1/clicks?limit=2');
    expect(first.body.data).toHaveLength(2);
    expect(first.body.has_more).toBe(true);
    expect(typeof first.body.next_cursor).toBe('string');
    const all = await api<Page<ClickBody>>(
      'GET',
      '/v1/clicks?include_bots=true&include_simulated=true&limit=1000',
    );
    expect(all.body).toMatchObject({ has_more: false, next_cursor: null });
  });

  it('defaults to 100 per page and refuses more than 1,000', async () => {
    const fresh = await seed(
      Array.from({ length: 105 }, (_, i) => ({
        linkId: links.plain.link_id,
        occurredAt: BASE - DAY - i * 1000,
      })),
    );
    await waitUntilStored(api, fresh.at(-1)!.clickId);
    const page = await api<Page<ClickBody>>('GET', `/v1/clicks?link_id=${links.plain.link_id}`);
    expect(page.body.data).toHaveLength(100);
    expect(page.body.has_more).toBe(true);
    expectValidation(await api('GET', '/v1/clicks?limit=1001'), 'querystring/limit');
    expectValidation(await api('GET', '/v1/clicks?limit=0'), 'querystring/limit');
    everything = await walk('include_bots=true&include_simulated=true&limit=1000');
  });

  it('paging newest first while clicks keep arriving neither repeats nor skips: the walk is its first page’s snapshot', async () => {
    const query = 'include_bots=true&limit=4';
    const snapshot = ids(await walk('include_bots=true&limit=1000'));
    const walked: string[] = [];
    let cursor: string | null = null;
    let round = 0;
    let lastAppended = '';
    do {
      const answer: { body: Page<ClickBody> } = await api<Page<ClickBody>>(
        'GET',
        `/v1/clicks?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      walked.push(...ids(answer.body.data));
      cursor = answer.body.next_cursor;
      // Meanwhile: new clicks on top, late ones deep in the past and right around the cursor.
      const last = answer.body.data.at(-1);
      const arriving = await seed([
        { linkId: links.spring.link_id, occurredAt: Date.now() - 1000 },
        { linkId: links.summer.link_id, occurredAt: BASE - 30 * DAY },
        ...(last ? [{ linkId: links.plain.link_id, occurredAt: Date.parse(last.occurred_at) }] : []),
      ]);
      lastAppended = arriving.at(-1)!.clickId;
      round++;
      if (round % 3 === 0) await waitUntilStored(api, lastAppended);
    } while (cursor !== null);
    expect(walked).toEqual(snapshot);
    await waitUntilStored(api, lastAppended);
    const after = ids(await walk('include_bots=true&limit=1000'));
    expect(after).toHaveLength(snapshot.length + round * 3);
    expect(new Set(after).size).toBe(after.length);
    everything = await walk('include_bots=true&include_simulated=true&limit=1000');
  });

  it('sync mode (order=asc) returns every click exactly once as it arrives, late-processed included', async () => {
    const follow = async (cursor: string | null) => {
      const got: ClickBody[] = [];
      for (;;) {
        const answer: { status: number; body: Page<ClickBody> } = await reader<Page<ClickBody>>(
          'GET',
          `/v1/clicks?order=asc&include_bots=true&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(answer.status).toBe(200);
        got.push(...answer.body.data);
        // Always a cursor: a follower keeps it to come back.
        expect(typeof answer.body.next_cursor).toBe('string');
        cursor = answer.body.next_cursor;
        if (!answer.body.has_more) return { got, cursor };
      }
    };
    let { got, cursor } = await follow(null);
    const collected = [...got];
    let lastAppended = '';
    for (let round = 0; round < 6; round++) {
      const arriving = await seed([
        { linkId: links.spring.link_id, occurredAt: Date.now() },
        { linkId: links.plain.link_id, occurredAt: BASE - 60 * DAY - round }, // processed late, occurred long ago
        { linkId: links.summer.link_id, occurredAt: BASE + 3 * HOUR, client: 'crawler' },
      ]);
      lastAppended = arriving.at(-1)!.clickId;
      ({ got, cursor } = await follow(cursor));
      collected.push(...got);
    }
    await waitUntilStored(api, lastAppended);
    ({ got } = await follow(cursor));
    collected.push(...got);
    const all = await walk('include_bots=true&limit=1000');
    expect(new Set(ids(collected)).size).toBe(collected.length);
    expect(new Set(ids(collected))).toEqual(new Set(ids(all)));
    // In ingestion order: each click's processed_at is not before the one listed before it.
    const processed = collected.map((c) => Date.parse(c.processed_at));
    expect([...processed].sort((a, b) => a - b)).toEqual(processed);
    everything = await walk('include_bots=true&include_simulated=true&limit=1000');
  });

  it('refuses forged, edited and foreign cursors, and cursors issued for other filters or order', async () => {
    const page = await api<Page<ClickBody>>('GET', '/v1/clicks?include_bots=true&limit=2');
    const cursor = page.body.next_cursor!;
    const [body, signature] = cursor.split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(body, 'base64url').toString()) as { p: Record<string, number> };
    const edited = Buffer.from(JSON.stringify({ ...decoded, p: { ...decoded.p, s: 1 } })).toString(
      'base64url',
    );
    const flip = (text: string) => text.slice(0, -1) + (text.endsWith('A') ? 'B' : 'A');
    for (const bad of [
      `${edited}.${signature}`,
      `${body}.${flip(signature)}`,
      `${flip(body)}.${signature}`,
      body,
      `${cursor}.extra`,
      'not-a-cursor',
    ]) {
      expectInvalidCursor(
        await api('GET', `/v1/clicks?include_bots=true&limit=2&cursor=${encodeURIComponent(bad)}`),
      );
    }
    const linkPage = await api<Page<LinkBody>>('GET', '/v1/links?limit=1');
    expectInvalidCursor(
      await api(
        'GET',
        `/v1/clicks?include_bots=true&cursor=${encodeURIComponent(linkPage.body.next_cursor!)}`,
      ),
    );
    for (const otherQuery of [
      'include_bots=false',
      'include_bots=true&country=DE',
      'include_bots=true&order=asc',
    ]) {
      const answer = await api(
        'GET',
        `/v1/clicks?${otherQuery}&limit=2&cursor=${encodeURIComponent(cursor)}`,
      );
      const problem = expectInvalidCursor(answer);
      expect(problem.detail).toMatch(/other filters/);
    }
    // Naming a default explicitly is the same filter; the limit may change between pages.
    expect(
      (
        await api(
          'GET',
          `/v1/clicks?include_bots=true&include_simulated=false&limit=5&cursor=${encodeURIComponent(cursor)}`,
        )
      ).status,
    ).toBe(200);
    // Another workspace's key cannot use it, even with the same filters.
    expectInvalidCursor(
      await other.api('GET', `/v1/clicks?include_bots=true&limit=2&cursor=${encodeURIComponent(cursor)}`),
    );
  });

  it('refuses bad parameters with 400 naming the field', async () => {
    for (const [query, field] of [
      ['link_id=lnk_nope', 'querystring/link_id'],
      ['country=de', 'querystring/country'],
      ['country=DEU', 'querystring/country'],
      ['device_type=toaster', 'querystring/device_type'],
      ['referrer_category=carrier-pigeon', 'querystring/referrer_category'],
      ['traffic_class=robot', 'querystring/traffic_class'],
      ['is_unique=maybe', 'querystring/is_unique'],
      ['include_bots=yes', 'querystring/include_bots'],
      ['occurred_after=yesterday', 'querystring/occurred_after'],
      ['occurred_before=2026-13-01T00:00:00Z', 'querystring/occurred_before'],
      ['order=sideways', 'querystring/order'],
      ['limit=ten', 'querystring/limit'],
      ['country=DE&country=FR', 'querystring/country'],
      ['colour=red', 'querystring/colour'],
      [`cursor=${'x'.repeat(513)}`, 'querystring/cursor'],
    ]) {
      expectValidation(await api('GET', `/v1/clicks?${query}`), field);
    }
  });

  it('needs clicks:read, and a key', async () => {
    for (const scopes of [['links:read'], ['analytics:read'], ['webhooks:read']]) {
      const client = apiClient(server.apiUrl, (await createKey(api, scopes)).key);
      expectForbidden(await client('GET', '/v1/clicks'));
      expectForbidden(await client('GET', `/v1/clicks/${everything[0]!.click_id}`));
    }
    expectUnauthenticated(await apiClient(server.apiUrl, null)('GET', '/v1/clicks'));
    expect((await reader('GET', '/v1/clicks')).status).toBe(200);
  });

  it('another workspace sees none of these clicks, whatever it filters on', async () => {
    const theirs = await walk('include_bots=true&include_simulated=true&limit=1000', other.api);
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((c) => c.workspace_id === other.workspaceId)).toBe(true);
    expect(theirs.some((c) => everything.some((mine) => mine.click_id === c.click_id))).toBe(false);
    for (const query of [`link_id=${links.spring.link_id}`, 'campaign_id=spring', 'tag=promo']) {
      expect(await walk(`include_bots=true&${query}`, other.api), query).toEqual([]);
    }
    // And ours does not see theirs through a tag both workspaces use.
    expect((await walk('include_bots=true&tag=email&limit=1000')).every((c) => c.workspace_id === ws)).toBe(
      true,
    );
  });
});

describe('GET /v1/clicks/{click_id}', () => {
  it('answers the full click: the click.created payload, plus its ids', async () => {
    const human = everything.find((c) => c.traffic_class === 'human' && c.referrer_category === 'social')!;
    const answer = await reader<ClickBody>('GET', `/v1/clicks/${human.click_id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(human);
    expect(answer.body).toMatchObject({
      workspace_id: ws,
      link_id: expect.any(String),
      campaign_id: expect.any(String),
      simulated: false,
      privacy_mode: 'hashed_ip_truncated_prefix',
    });
    const created = await api<Page<EnvelopeBody>>('GET', '/v1/events?type=click.created&limit=1000');
    const event = created.body.data.find(
      (e) => (e.data.click as { click_id: string }).click_id === human.click_id,
    )!;
    const { workspace_id, link_id, campaign_id, ...payload } = answer.body;
    expect(event.data.click).toEqual(payload);
    expect(event.workspace_id).toBe(workspace_id);
    expect(event.data.link).toMatchObject({ link_id, campaign_id });
  });

  it('404 for unknown ids and for other workspaces’ clicks; 400 for malformed ids', async () => {
    expectNotFound(await api('GET', '/v1/clicks/clk_01E0000000000000000000000A'));
    const theirs = (await walk('include_bots=true', other.api))[0]!;
    expectNotFound(await api('GET', `/v1/clicks/${theirs.click_id}`));
    expectNotFound(await other.api('GET', `/v1/clicks/${everything[0]!.click_id}`));
    expectValidation(await api('GET', '/v1/clicks/not-a-click'), 'params/click_id');
    expectValidation(await api('GET', `/v1/clicks/${UNKNOWN_IDS.link}`), 'params/click_id');
  });
});

describe('POST /v1/clicks/simulate', () => {
  it('records a simulated click through the pipeline: 202, then stored, marked and reported', async () => {
    const answer = await api<{ click_id: string; simulated: boolean; status: string; href: string }>(
      'POST',
      '/v1/clicks/simulate',
      {
        body: {
          link_id: links.spring.link_id,
          referer: 'https://www.facebook.com/some/post?id=1',
          accept_language: 'pt-BR,pt;q=0.9',
          country: 'BR',
        },
      },
    );
    expect(answer.status, answer.text).toBe(202);
    expect(answer.body).toEqual({
      click_id: expect.stringMatching(/^clk_[0-9A-HJKMNP-TV-Z]{26}$/),
      simulated: true,
      status: 'accepted',
      href: `/v1/clicks/${answer.body.click_id}`,
    });
    expect(answer.headers.location).toBe(answer.body.href);
    await waitUntilStored(api, answer.body.click_id);
    const click = (await api<ClickBody>('GET', answer.body.href)).body;
    expect(click).toMatchObject({
      link_id: links.spring.link_id,
      campaign_id: 'spring',
      simulated: true,
      traffic_class: 'human',
      country: 'BR',
      language: 'pt',
      referrer_category: 'social',
      referrer_host: 'www.facebook.com',
      redirect_status: 'success',
    });
    // Its click.created event says so too.
    const events = await api<Page<EnvelopeBody>>('GET', '/v1/events?type=click.created&limit=1000');
    const event = events.body.data.find((e) => (e.data.click as ClickBody).click_id === click.click_id)!;
    expect((event.data.click as ClickBody).simulated).toBe(true);
    // Left out of lists unless asked for.
    expect(ids(await walk('limit=1000'))).not.toContain(click.click_id);
    expect(ids(await walk('include_simulated=true&limit=1000'))).toContain(click.click_id);
  });

  it('classifies the user agent it is given, and derives the network from ip without storing it', async () => {
    const ip = '203.0.113.77';
    const answer = await api<{ click_id: string }>('POST', '/v1/clicks/simulate', {
      body: {
        link_id: links.plain.link_id,
        user_agent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
        ip,
      },
    });
    expect(answer.status).toBe(202);
    await waitUntilStored(api, answer.body.click_id);
    const answered = await api<ClickBody>('GET', `/v1/clicks/${answer.body.click_id}`);
    expect(answered.body).toMatchObject({
      traffic_class: 'bot',
      simulated: true,
      ip_hash: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(answered.text).not.toContain(ip);
    // Nor is it in the click log, where the raw click went.
    const raw = new ServerClickLog(server);
    try {
      const entries = await raw.entries();
      const entry = entries.find((e) => e.click.clickId === answer.body.click_id)!;
      expect(entry.click).toMatchObject({ simulated: true, ipPrefix: '203.0.113.0/24' });
      expect(JSON.stringify(entry.click)).not.toContain(ip);
    } finally {
      await raw.close();
    }
  });

  it('refuses bad bodies naming the field, and links it cannot use with 422', async () => {
    expectValidation(await api('POST', '/v1/clicks/simulate', { body: {} }), 'body/link_id');
    expectValidation(await api('POST', '/v1/clicks/simulate', { body: { link_id: 'x' } }), 'body/link_id');
    for (const [body, field] of [
      [{ ip: 'not-an-ip' }, 'body/ip'],
      [{ ip: '1.2.3' }, 'body/ip'],
      [{ country: 'br' }, 'body/country'],
      [{ user_agent: 'x'.repeat(1025) }, 'body/user_agent'],
      [{ user_agent: 42 }, 'body/user_agent'],
      [{ colour: 'red' }, 'body/colour'],
    ] as const) {
      expectValidation(
        await api('POST', '/v1/clicks/simulate', { body: { link_id: links.plain.link_id, ...body } }),
        field,
      );
    }
    expectProblem(
      await api('POST', '/v1/clicks/simulate', { body: { link_id: UNKNOWN_IDS.link } }),
      422,
      'CW_ERR_UNPROCESSABLE',
      'unprocessable',
      'body/link_id',
    );
  });

  it('needs admin; another workspace cannot simulate on these links', async () => {
    expectForbidden(await reader('POST', '/v1/clicks/simulate', { body: { link_id: links.plain.link_id } }));
    const before = (await walk('include_simulated=true&include_bots=true&limit=1000', other.api)).length;
    const answer = await other.api('POST', '/v1/clicks/simulate', { body: { link_id: links.plain.link_id } });
    const problem = expectProblem(answer, 422, 'CW_ERR_UNPROCESSABLE', 'unprocessable', 'body/link_id');
    expect(problem.type).toBe(`${PROBLEM_BASE}unprocessable`);
    expect((await walk('include_simulated=true&include_bots=true&limit=1000', other.api)).length).toBe(
      before,
    );
  });
});
