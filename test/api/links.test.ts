import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CursorCodec } from '../../src/api/cursor-codec.js';
import { apiClient, click } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  type Api,
  BAD_AUTHORIZATIONS,
  createKey,
  createLink,
  createWorkspace,
  expectForbidden,
  expectMalformedJson,
  expectNotFound,
  expectProblem,
  expectUnauthenticated,
  expectValidation,
  ID_FORMAT,
  IMPOSSIBLE_IDS,
  ISO_TIME,
  type LinkBody,
  linkEvents,
  openStoreReadOnly,
  type Page,
  UNKNOWN_IDS,
} from './api-test-kit.js';

const PUBLIC_URL = 'https://clk.example.test';

let server: TestServer;
let api: Api;
/** A second workspace: must never see nor change the first one's links. */
let other: { workspaceId: string; api: Api };
let readOnlyKey: string;
let clicksOnlyKey: string;
let writeOnlyKey: string;
let aliasCounter = 0;

/** Aliases unique within this file, so tests do not depend on each other. */
const uniqueAlias = (stem: string) => `${stem}-${++aliasCounter}`;

const expectUnsafe = (answer: Parameters<typeof expectProblem>[0], field = 'body/destination_url') =>
  expectProblem(answer, 422, 'CW_ERR_UNSAFE_DESTINATION', 'unsafe-destination', field);

beforeAll(async () => {
  server = await startTestServer({ env: { CLICKWIRE_PUBLIC_URL: PUBLIC_URL } });
  api = apiClient(server.apiUrl, server.adminKey);
  other = await createWorkspace(server, 'Links: other workspace');
  readOnlyKey = (await createKey(api, ['links:read'])).key;
  clicksOnlyKey = (await createKey(api, ['clicks:read'])).key;
  writeOnlyKey = (await createKey(api, ['links:write'])).key;
});
afterAll(async () => server?.close());

describe('POST /v1/links', () => {
  it('creates a link with every field and answers 201 with the link', async () => {
    const answer = await api<LinkBody>('POST', '/v1/links', {
      body: {
        destination_url: 'https://shop.example.com/spring?src=cw',
        alias: 'Spring_Sale-2026',
        redirect_type: 307,
        campaign_id: 'spring-2026',
        channel: 'email',
        tags: ['newsletter', 'email', 'email'],
        expires_at: '2999-01-01T00:00:00.000Z',
        disabled: false,
        forward_query: true,
        fallback_url: 'https://shop.example.com/',
      },
    });
    expect(answer.status).toBe(201);
    expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
    const link = answer.body;
    expect(link).toEqual({
      link_id: expect.stringMatching(ID_FORMAT.link),
      workspace_id: server.running.defaultWorkspaceId,
      alias: 'Spring_Sale-2026',
      domain_id: null,
      short_url: `${PUBLIC_URL}/Spring_Sale-2026`,
      destination_url: 'https://shop.example.com/spring?src=cw',
      redirect_type: 307,
      campaign_id: 'spring-2026',
      channel: 'email',
      tags: ['email', 'newsletter'],
      expires_at: '2999-01-01T00:00:00.000Z',
      disabled: false,
      forward_query: true,
      fallback_url: 'https://shop.example.com/',
      created_at: expect.stringMatching(ISO_TIME),
      updated_at: expect.stringMatching(ISO_TIME),
    });
    expect(link.updated_at).toBe(link.created_at);

    const fetched = await api<LinkBody>('GET', `/v1/links/${link.link_id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(link);
  });

  it('fills in the defaults when only a destination is given', async () => {
    const link = await createLink(api, { destination_url: 'https://example.com/defaults' });
    expect(link).toMatchObject({
      domain_id: null,
      redirect_type: 302,
      campaign_id: null,
      channel: null,
      tags: [],
      expires_at: null,
      disabled: false,
      forward_query: false,
      fallback_url: null,
    });
  });

  it('generates an alias of at least 7 base62 characters when none is given, and it redirects', async () => {
    const aliases = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const link = await createLink(api, { destination_url: `https://example.com/generated/${i}` });
      expect(link.alias).toMatch(/^[A-Za-z0-9]{7,}$/);
      expect(link.short_url).toBe(`${PUBLIC_URL}/${link.alias}`);
      aliases.add(link.alias);
      const answer = await click(server.edgeUrl, `/${link.alias}`);
      expect(answer.status).toBe(302);
      expect(answer.location).toBe(`https://example.com/generated/${i}`);
    }
    expect(aliases.size).toBe(5);
  });

  it('stores the normalised destination, which is what the edge sends', async () => {
    const alias = uniqueAlias('normalised');
    const link = await createLink(api, { destination_url: 'HTTPS://Example.COM:443/a/../b?q=1 2', alias });
    expect(link.destination_url).toBe('https://example.com/b?q=1%202');
    const answer = await click(server.edgeUrl, `/${alias}`);
    expect(answer.location).toBe('https://example.com/b?q=1%202');
  });

  it('accepts every redirect type and the edge answers with it', async () => {
    for (const redirectType of [301, 302, 307, 308]) {
      const alias = uniqueAlias(`status-${redirectType}`);
      await createLink(api, {
        destination_url: 'https://example.com/status',
        alias,
        redirect_type: redirectType,
      });
      const answer = await click(server.edgeUrl, `/${alias}`);
      expect(answer.status).toBe(redirectType);
      expect(answer.location).toBe('https://example.com/status');
      expect(answer.headers['cache-control']).toBe('private, max-age=0');
      const head = await click(server.edgeUrl, `/${alias}`, { method: 'HEAD' });
      expect(head.status).toBe(redirectType);
    }
  });

  it('forwards the click query string only when forward_query is set', async () => {
    const forwarding = uniqueAlias('fwd');
    const plain = uniqueAlias('nofwd');
    await createLink(api, {
      destination_url: 'https://example.com/p?a=1',
      alias: forwarding,
      forward_query: true,
    });
    await createLink(api, { destination_url: 'https://example.com/p?a=1', alias: plain });
    expect((await click(server.edgeUrl, `/${forwarding}?utm=x`)).location).toBe(
      'https://example.com/p?a=1&utm=x',
    );
    expect((await click(server.edgeUrl, `/${plain}?utm=x`)).location).toBe('https://example.com/p?a=1');
  });

  describe('400: the body breaks the schema', () => {
    const cases: [string, unknown, string | undefined][] = [
      ['no destination_url', { alias: 'x1' }, 'body/destination_url'],
      ['an empty destination_url', { destination_url: '' }, 'body/destination_url'],
      ['an unknown field', { destination_url: 'https://example.com/', colour: 'red' }, 'body/colour'],
      [
        'a misspelt field',
        { destination_url: 'https://example.com/', redirectType: 301 },
        'body/redirectType',
      ],
      ['an alias with a slash', { destination_url: 'https://example.com/', alias: 'a/b' }, 'body/alias'],
      ['an alias with a space', { destination_url: 'https://example.com/', alias: 'a b' }, 'body/alias'],
      ['an alias with a dot', { destination_url: 'https://example.com/', alias: 'a.b' }, 'body/alias'],
      [
        'an alias of non-ASCII letters',
        { destination_url: 'https://example.com/', alias: 'grüße' },
        'body/alias',
      ],
      ['an empty alias', { destination_url: 'https://example.com/', alias: '' }, 'body/alias'],
      [
        'a 65-character alias',
        { destination_url: 'https://example.com/', alias: 'a'.repeat(65) },
        'body/alias',
      ],
      [
        'redirect_type 303',
        { destination_url: 'https://example.com/', redirect_type: 303 },
        'body/redirect_type',
      ],
      [
        'redirect_type 200',
        { destination_url: 'https://example.com/', redirect_type: 200 },
        'body/redirect_type',
      ],
      [
        'a word for redirect_type',
        { destination_url: 'https://example.com/', redirect_type: 'temporary' },
        'body/redirect_type',
      ],
      ['a word for disabled', { destination_url: 'https://example.com/', disabled: 'yes' }, 'body/disabled'],
      [
        'an object for forward_query',
        { destination_url: 'https://example.com/', forward_query: {} },
        'body/forward_query',
      ],
      [
        'an object for destination_url',
        { destination_url: { href: 'https://example.com/' } },
        'body/destination_url',
      ],
      ['an object for tags', { destination_url: 'https://example.com/', tags: { a: 1 } }, 'body/tags'],
      [
        '21 tags',
        { destination_url: 'https://example.com/', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) },
        'body/tags',
      ],
      ['an empty tag', { destination_url: 'https://example.com/', tags: [''] }, 'body/tags/0'],
      [
        'a 65-character tag',
        { destination_url: 'https://example.com/', tags: ['t'.repeat(65)] },
        'body/tags/0',
      ],
      [
        'a campaign_id of 129 characters',
        { destination_url: 'https://example.com/', campaign_id: 'c'.repeat(129) },
        'body/campaign_id',
      ],
      [
        'a channel of 129 characters',
        { destination_url: 'https://example.com/', channel: 'c'.repeat(129) },
        'body/channel',
      ],
      [
        'expires_at that is not a time',
        { destination_url: 'https://example.com/', expires_at: 'tomorrow' },
        'body/expires_at',
      ],
      [
        'a domain_id that is not a domain id',
        { destination_url: 'https://example.com/', domain_id: 'lnk_01E0000000000000000000000A' },
        'body/domain_id',
      ],
      ['an array body', [], 'body'],
      ['a string body', 'https://example.com/', 'body'],
      ['a null body', null, 'body'],
    ];
    it.each(cases)('%s', async (_label, body, field) => {
      const answer = await api('POST', '/v1/links', {
        rawBody: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      expectValidation(answer, field);
    });

    it('malformed JSON', async () => {
      const answer = await api('POST', '/v1/links', {
        rawBody: '{"destination_url": "https://example.com/",',
        headers: { 'content-type': 'application/json' },
      });
      expectMalformedJson(answer);
    });

    it('an empty JSON body', async () => {
      const answer = await api('POST', '/v1/links', {
        rawBody: '',
        headers: { 'content-type': 'application/json' },
      });
      expectMalformedJson(answer);
    });

    it('creates nothing', async () => {
      const before = await api<Page<LinkBody>>('GET', '/v1/links?limit=100');
      await api('POST', '/v1/links', {
        body: { destination_url: 'https://example.com/', alias: 'nope-1', colour: 'x' },
      });
      const after = await api<Page<LinkBody>>('GET', '/v1/links?limit=100');
      expect(after.body.data.map((l) => l.link_id)).toEqual(before.body.data.map((l) => l.link_id));
    });
  });

  describe('422: the destination is not allowed', () => {
    const unsafe: [string, string][] = [
      ['javascript:', 'javascript:alert(document.cookie)'],
      ['JavaScript: in mixed case', 'JaVaScRiPt:alert(1)'],
      ['data:', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
      ['file:', 'file:///etc/passwd'],
      ['ftp:', 'ftp://ftp.example.com/file.txt'],
      ['mailto:', 'mailto:someone@example.com'],
      ['a relative URL', '/just/a/path'],
      ['a scheme-relative URL', '//example.com/x'],
      ['no URL at all', 'not a url'],
      ['user and password', 'https://user:secret@example.com/'],
      ['a user name only', 'https://bank.example.com@evil.example/'],
      ['CR LF (header injection)', 'https://example.com/\r\nSet-Cookie: a=b'],
      ['a tab', 'https://example.com/\tx'],
    ];
    it.each(unsafe)('%s', async (_label, destination) => {
      const answer = await api('POST', '/v1/links', {
        body: { destination_url: destination, alias: uniqueAlias('unsafe') },
      });
      expectUnsafe(answer);
    });

    it('a destination one byte over 2,048 bytes (the limit itself is fine)', async () => {
      const base = 'https://example.com/';
      const atLimit = base + 'a'.repeat(2048 - base.length);
      expect(Buffer.byteLength(atLimit)).toBe(2048);
      const fits = await createLink(api, { destination_url: atLimit });
      expect(fits.destination_url).toBe(atLimit);

      const answer = await api('POST', '/v1/links', { body: { destination_url: `${atLimit}a` } });
      expectUnsafe(answer);
    });

    it('a destination under 2,048 characters that is over 2,048 bytes once percent-encoded', async () => {
      const destination = `https://example.com/${'ü'.repeat(400)}`;
      expect(destination.length).toBeLessThan(2048);
      const answer = await api('POST', '/v1/links', { body: { destination_url: destination } });
      expectUnsafe(answer);
    });

    it('an unsafe fallback_url, naming that field', async () => {
      const answer = await api('POST', '/v1/links', {
        body: { destination_url: 'https://example.com/', fallback_url: 'javascript:alert(1)' },
      });
      expectUnsafe(answer, 'body/fallback_url');
    });

    it.each([
      'v1',
      'V1',
      'docs',
      'DOCS',
      'Docs',
      'healthz',
      'HealthZ',
      'readyz',
      'metrics',
      'api',
      'openapi',
      'admin',
    ])('the reserved alias %s', async (alias) => {
      const answer = await api('POST', '/v1/links', {
        body: { destination_url: 'https://example.com/', alias },
      });
      expectProblem(answer, 422, 'CW_ERR_RESERVED_ALIAS', 'reserved-alias', 'body/alias');
    });

    it("another workspace's domain_id", async () => {
      const theirs = await other.api<{ domain_id: string }>('POST', '/v1/domains', {
        body: { hostname: 'links-other.example.test' },
      });
      expect(theirs.status).toBe(201);
      const answer = await api('POST', '/v1/links', {
        body: { destination_url: 'https://example.com/', domain_id: theirs.body.domain_id },
      });
      expectProblem(answer, 422, 'CW_ERR_UNPROCESSABLE', 'unprocessable', 'body/domain_id');
    });

    it('a domain_id that does not exist', async () => {
      const answer = await api('POST', '/v1/links', {
        body: { destination_url: 'https://example.com/', domain_id: UNKNOWN_IDS.domain },
      });
      expectProblem(answer, 422, 'CW_ERR_UNPROCESSABLE', 'unprocessable', 'body/domain_id');
    });
  });

  describe('409: the alias is taken', () => {
    it('refuses a second link with the same alias on the default domain', async () => {
      const alias = uniqueAlias('taken');
      const first = await createLink(api, { destination_url: 'https://example.com/first', alias });
      const answer = await api('POST', '/v1/links', {
        body: { destination_url: 'https://example.com/second', alias },
      });
      expectProblem(answer, 409, 'CW_ERR_ALIAS_TAKEN', 'alias-taken', 'body/alias');
      expect((await click(server.edgeUrl, `/${alias}`)).location).toBe('https://example.com/first');
      expect((await api<LinkBody>('GET', `/v1/links/${first.link_id}`)).body.destination_url).toBe(
        'https://example.com/first',
      );
    });

    it('allows the same alias on a registered branded domain, and refuses it twice there', async () => {
      const alias = uniqueAlias('shared');
      const domain = await api<{ domain_id: string }>('POST', '/v1/domains', {
        body: { hostname: 'links.example.test' },
      });
      expect(domain.status).toBe(201);
      await createLink(api, { destination_url: 'https://example.com/default', alias });
      const branded = await createLink(api, {
        destination_url: 'https://example.com/branded',
        alias,
        domain_id: domain.body.domain_id,
      });
      expect(branded.domain_id).toBe(domain.body.domain_id);
      expect(branded.short_url).toBe(`https://links.example.test/${alias}`);

      const again = await api('POST', '/v1/links', {
        body: { destination_url: 'https://example.com/again', alias, domain_id: domain.body.domain_id },
      });
      expectProblem(again, 409, 'CW_ERR_ALIAS_TAKEN', 'alias-taken', 'body/alias');
    });
  });

  describe('401 and 403', () => {
    it('401 without a key', async () => {
      expectUnauthenticated(
        await api('POST', '/v1/links', { key: null, body: { destination_url: 'https://example.com/' } }),
      );
    });
    it.each(BAD_AUTHORIZATIONS)('401 with %s', async (_label, authorization) => {
      const answer = await api('POST', '/v1/links', {
        key: null,
        headers: { authorization },
        body: { destination_url: 'https://example.com/' },
      });
      expectUnauthenticated(answer);
    });
    it('403 for a key with links:read only', async () => {
      const answer = await api('POST', '/v1/links', {
        key: readOnlyKey,
        body: { destination_url: 'https://example.com/' },
      });
      expectForbidden(answer);
    });
    it('403 for a key with clicks:read only', async () => {
      const answer = await api('POST', '/v1/links', {
        key: clicksOnlyKey,
        body: { destination_url: 'https://example.com/' },
      });
      expectForbidden(answer);
    });
    it('201 for a key with links:write only', async () => {
      const answer = await api<LinkBody>('POST', '/v1/links', {
        key: writeOnlyKey,
        body: { destination_url: 'https://example.com/write-only' },
      });
      expect(answer.status).toBe(201);
      expect(answer.body.workspace_id).toBe(server.running.defaultWorkspaceId);
    });
  });
});

describe('GET /v1/links/{link_id}', () => {
  let link: LinkBody;
  beforeAll(async () => {
    link = await createLink(api, { destination_url: 'https://example.com/get', alias: uniqueAlias('get') });
  });

  it('answers the link', async () => {
    const answer = await api<LinkBody>('GET', `/v1/links/${link.link_id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(link);
  });

  it('answers for a links:read key, 403 for a key without it', async () => {
    expect((await api('GET', `/v1/links/${link.link_id}`, { key: readOnlyKey })).status).toBe(200);
    expectForbidden(await api('GET', `/v1/links/${link.link_id}`, { key: clicksOnlyKey }));
  });

  it('401 without a valid key', async () => {
    expectUnauthenticated(await api('GET', `/v1/links/${link.link_id}`, { key: null }));
    for (const [, authorization] of BAD_AUTHORIZATIONS) {
      expectUnauthenticated(
        await api('GET', `/v1/links/${link.link_id}`, { key: null, headers: { authorization } }),
      );
    }
  });

  it('404 for an unknown id and for a pattern-valid id that no ULID can have', async () => {
    expectNotFound(await api('GET', `/v1/links/${UNKNOWN_IDS.link}`));
    expectNotFound(await api('GET', `/v1/links/${IMPOSSIBLE_IDS.link}`));
  });

  it('400 naming link_id for an id of the wrong shape', async () => {
    for (const id of [
      'nope',
      'lnk_123',
      UNKNOWN_IDS.domain,
      link.link_id.toLowerCase(),
      `${link.link_id}X`,
    ]) {
      expectValidation(await api('GET', `/v1/links/${id}`), 'params/link_id');
    }
  });

  it("404 for another workspace's link", async () => {
    expectNotFound(await other.api('GET', `/v1/links/${link.link_id}`));
  });
});

describe('GET /v1/links (list and pagination)', () => {
  /** A fresh workspace, so the list holds exactly the links made here. */
  let ws: { workspaceId: string; key: string; api: Api };
  let created: LinkBody[];

  beforeAll(async () => {
    ws = await createWorkspace(server, 'Pagination');
    created = [];
    for (let i = 0; i < 25; i++) {
      created.push(
        await createLink(ws.api, { destination_url: `https://example.com/page/${i}`, alias: `page-${i}` }),
      );
    }
  });

  async function readAll(client: Api, limit: number) {
    const seen: LinkBody[] = [];
    const pages: Page<LinkBody>[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor
        ? `?limit=${limit}&cursor=${encodeURIComponent(cursor)}`
        : `?limit=${limit}`;
      const answer = await client<Page<LinkBody>>('GET', `/v1/links${query}`);
      expect(answer.status, answer.text).toBe(200);
      pages.push(answer.body);
      seen.push(...answer.body.data);
      cursor = answer.body.next_cursor;
      expect(pages.length).toBeLessThan(20);
    } while (cursor !== null);
    return { seen, pages };
  }

  it('pages with limit=10: every link exactly once, newest first, then no cursor', async () => {
    const { seen, pages } = await readAll(ws.api, 10);
    expect(pages.map((page) => page.data.length)).toEqual([10, 10, 5]);
    expect(pages.map((page) => page.has_more)).toEqual([true, true, false]);
    expect(pages.map((page) => page.next_cursor === null)).toEqual([false, false, true]);
    expect(seen.map((link) => link.link_id)).toEqual(created.map((link) => link.link_id).reverse());
    expect(new Set(seen.map((link) => link.link_id)).size).toBe(25);
    expect(seen[0]).toEqual(created.at(-1));
  });

  it('defaults to one page of up to 50', async () => {
    const answer = await ws.api<Page<LinkBody>>('GET', '/v1/links');
    expect(answer.status).toBe(200);
    expect(answer.body.data).toHaveLength(25);
    expect(answer.body.has_more).toBe(false);
    expect(answer.body.next_cursor).toBeNull();
  });

  it('ends exactly at a page boundary with has_more false', async () => {
    const first = await ws.api<Page<LinkBody>>('GET', '/v1/links?limit=25');
    expect(first.body.data).toHaveLength(25);
    expect(first.body.has_more).toBe(false);
    expect(first.body.next_cursor).toBeNull();
  });

  it('neither repeats nor skips when links are created between pages', async () => {
    const scratch = await createWorkspace(server, 'Pagination while writing');
    const before: string[] = [];
    for (let i = 0; i < 6; i++)
      before.push((await createLink(scratch.api, { destination_url: `https://example.com/w/${i}` })).link_id);
    const first = await scratch.api<Page<LinkBody>>('GET', '/v1/links?limit=4');
    const added = await createLink(scratch.api, { destination_url: 'https://example.com/w/new' });
    const second = await scratch.api<Page<LinkBody>>(
      'GET',
      `/v1/links?limit=4&cursor=${encodeURIComponent(first.body.next_cursor!)}`,
    );
    const ids = [...first.body.data, ...second.body.data].map((link) => link.link_id);
    expect(ids).toEqual([...before].reverse());
    expect(ids).not.toContain(added.link_id);
    expect(second.body.has_more).toBe(false);
  });

  it('shows only the caller’s workspace', async () => {
    const mine = await api<Page<LinkBody>>('GET', '/v1/links?limit=100');
    expect(mine.status).toBe(200);
    expect(mine.body.data.length).toBeGreaterThan(0);
    expect(mine.body.data.every((link) => link.workspace_id === server.running.defaultWorkspaceId)).toBe(
      true,
    );
    const ids = new Set(created.map((link) => link.link_id));
    expect(mine.body.data.some((link) => ids.has(link.link_id))).toBe(false);
  });

  it("a cursor does not open another workspace's links", async () => {
    const first = await ws.api<Page<LinkBody>>('GET', '/v1/links?limit=10');
    const answer = await api<Page<LinkBody>>(
      'GET',
      `/v1/links?limit=100&cursor=${encodeURIComponent(first.body.next_cursor!)}`,
    );
    if (answer.status === 200) {
      expect(answer.body.data.every((link) => link.workspace_id === server.running.defaultWorkspaceId)).toBe(
        true,
      );
    } else {
      expectProblem(answer, 400, 'CW_ERR_INVALID_CURSOR', 'invalid-cursor', 'querystring/cursor');
    }
  });

  describe('400 invalid-cursor', () => {
    let cursor: string;
    beforeAll(async () => {
      cursor = (await ws.api<Page<LinkBody>>('GET', '/v1/links?limit=10')).body.next_cursor!;
    });
    const expectInvalidCursor = async (value: string) =>
      expectProblem(
        await ws.api('GET', `/v1/links?limit=10&cursor=${encodeURIComponent(value)}`),
        400,
        'CW_ERR_INVALID_CURSOR',
        'invalid-cursor',
        'querystring/cursor',
      );

    it('for a cursor whose position was edited (signature kept)', async () => {
      const [body, signature] = cursor.split('.');
      const position = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as {
        l: string;
        p: { before: string };
      };
      const edited = { ...position, p: { before: created[20]!.link_id } };
      await expectInvalidCursor(`${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${signature}`);
    });

    it('for a cursor with one character of its signature changed', async () => {
      const last = cursor.at(-1) === 'A' ? 'B' : 'A';
      await expectInvalidCursor(`${cursor.slice(0, -1)}${last}`);
    });

    it('for a truncated cursor, a cursor with an extra part, and junk', async () => {
      await expectInvalidCursor(cursor.slice(0, -3));
      await expectInvalidCursor(`${cursor}.x`);
      await expectInvalidCursor(cursor.split('.')[0]!);
      await expectInvalidCursor('not-a-cursor');
      await expectInvalidCursor('..');
    });

    it('for a correctly signed cursor issued for a different list', async () => {
      const db = openStoreReadOnly(server);
      let key: string;
      try {
        key = (
          db.prepare("SELECT value FROM instance_settings WHERE name = 'cursor_signing_key'").get() as {
            value: string;
          }
        ).value;
      } finally {
        db.close();
      }
      const codec = new CursorCodec(Buffer.from(key, 'hex'));
      // Sanity: the same codec makes a cursor this list accepts, so only the list name differs below.
      const own = codec.encode('links', { before: created[10]!.link_id });
      const ok = await ws.api<Page<LinkBody>>('GET', `/v1/links?limit=100&cursor=${encodeURIComponent(own)}`);
      expect(ok.status).toBe(200);
      expect(ok.body.data.map((link) => link.link_id)).toEqual(
        created
          .slice(0, 10)
          .map((link) => link.link_id)
          .reverse(),
      );
      await expectInvalidCursor(codec.encode('clicks', { before: created[10]!.link_id }));
    });
  });

  it('400 naming the parameter for a bad limit or an unknown parameter', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=-1', 'limit=ten', 'limit=1.5']) {
      expectValidation(await ws.api('GET', `/v1/links?${query}`), 'querystring/limit');
    }
    expectValidation(await ws.api('GET', '/v1/links?sort=alias'), 'querystring/sort');
    expectValidation(await ws.api('GET', `/v1/links?cursor=${'a'.repeat(513)}`), 'querystring/cursor');
  });

  it('401 without a valid key, 403 without links:read', async () => {
    expectUnauthenticated(await api('GET', '/v1/links', { key: null }));
    for (const [, authorization] of BAD_AUTHORIZATIONS) {
      expectUnauthenticated(await api('GET', '/v1/links', { key: null, headers: { authorization } }));
    }
    expectForbidden(await api('GET', '/v1/links', { key: clicksOnlyKey }));
    expectForbidden(await api('GET', '/v1/links', { key: writeOnlyKey }));
    expect((await api('GET', '/v1/links', { key: readOnlyKey })).status).toBe(200);
  });
});

describe('PATCH /v1/links/{link_id}', () => {
  it('changes only the fields sent and moves updated_at, not created_at', async () => {
    const link = await createLink(api, {
      destination_url: 'https://example.com/before',
      alias: uniqueAlias('patch'),
      campaign_id: 'c1',
      tags: ['a'],
    });
    const answer = await api<LinkBody>('PATCH', `/v1/links/${link.link_id}`, { body: { channel: 'social' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ...link, channel: 'social', updated_at: answer.body.updated_at });
    expect(Date.parse(answer.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(link.updated_at));
    expect((await api<LinkBody>('GET', `/v1/links/${link.link_id}`)).body).toEqual(answer.body);
  });

  it('null clears each nullable field; an empty list clears tags', async () => {
    const domain = await api<{ domain_id: string }>('POST', '/v1/domains', {
      body: { hostname: 'patch.example.test' },
    });
    expect(domain.status).toBe(201);
    const link = await createLink(api, {
      destination_url: 'https://example.com/full',
      alias: uniqueAlias('clear'),
      domain_id: domain.body.domain_id,
      campaign_id: 'camp',
      channel: 'chan',
      tags: ['x', 'y'],
      expires_at: '2999-01-01T00:00:00.000Z',
      fallback_url: 'https://example.com/fallback',
    });
    const answer = await api<LinkBody>('PATCH', `/v1/links/${link.link_id}`, {
      body: {
        domain_id: null,
        campaign_id: null,
        channel: null,
        expires_at: null,
        fallback_url: null,
        tags: [],
      },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({
      domain_id: null,
      campaign_id: null,
      channel: null,
      expires_at: null,
      fallback_url: null,
      tags: [],
      destination_url: 'https://example.com/full',
      short_url: `${PUBLIC_URL}/${link.alias}`,
    });
    expect((await api<LinkBody>('GET', `/v1/links/${link.link_id}`)).body).toEqual(answer.body);
  });

  it('serves a new destination at once, even right after the edge served the old one', async () => {
    const alias = uniqueAlias('fresh');
    const link = await createLink(api, { destination_url: 'https://example.com/old', alias });
    expect((await click(server.edgeUrl, `/${alias}`)).location).toBe('https://example.com/old');
    await api('PATCH', `/v1/links/${link.link_id}`, { body: { destination_url: 'https://example.com/new' } });
    expect((await click(server.edgeUrl, `/${alias}`)).location).toBe('https://example.com/new');
  });

  it('a disabled link answers 410, its fallback_url when it has one, and redirects again when re-enabled', async () => {
    const alias = uniqueAlias('disable');
    const link = await createLink(api, { destination_url: 'https://example.com/live', alias });
    expect((await click(server.edgeUrl, `/${alias}`)).status).toBe(302);

    const disabled = await api<LinkBody>('PATCH', `/v1/links/${link.link_id}`, { body: { disabled: true } });
    expect(disabled.body.disabled).toBe(true);
    const gone = await click(server.edgeUrl, `/${alias}`);
    expect(gone.status).toBe(410);
    expect(gone.location).toBeUndefined();
    expect(gone.headers['cache-control']).toBe('private, max-age=0');

    await api('PATCH', `/v1/links/${link.link_id}`, { body: { fallback_url: 'https://example.com/sorry' } });
    const fallback = await click(server.edgeUrl, `/${alias}`);
    expect(fallback.status).toBe(302);
    expect(fallback.location).toBe('https://example.com/sorry');

    await api('PATCH', `/v1/links/${link.link_id}`, { body: { fallback_url: null } });
    expect((await click(server.edgeUrl, `/${alias}`)).status).toBe(410);

    await api('PATCH', `/v1/links/${link.link_id}`, { body: { disabled: false } });
    const back = await click(server.edgeUrl, `/${alias}`);
    expect(back.status).toBe(302);
    expect(back.location).toBe('https://example.com/live');
  });

  it('expires_at in the past answers 410; clearing it redirects again', async () => {
    const alias = uniqueAlias('expire');
    const link = await createLink(api, {
      destination_url: 'https://example.com/timed',
      alias,
      expires_at: '2999-12-31T23:59:59.000Z',
    });
    expect((await click(server.edgeUrl, `/${alias}`)).status).toBe(302);
    const expired = await api<LinkBody>('PATCH', `/v1/links/${link.link_id}`, {
      body: { expires_at: '2001-01-01T00:00:00.000Z' },
    });
    expect(expired.body.expires_at).toBe('2001-01-01T00:00:00.000Z');
    expect((await click(server.edgeUrl, `/${alias}`)).status).toBe(410);
    expect((await click(server.edgeUrl, `/${alias}`, { method: 'HEAD' })).status).toBe(410);
    await api('PATCH', `/v1/links/${link.link_id}`, { body: { expires_at: null } });
    expect((await click(server.edgeUrl, `/${alias}`)).status).toBe(302);
  });

  it('a link created already expired answers 410 or its fallback', async () => {
    const alias = uniqueAlias('born-expired');
    await createLink(api, {
      destination_url: 'https://example.com/x',
      alias,
      expires_at: '2001-01-01T00:00:00Z',
      fallback_url: 'https://example.com/expired',
    });
    const answer = await click(server.edgeUrl, `/${alias}`);
    expect(answer.status).toBe(302);
    expect(answer.location).toBe('https://example.com/expired');
  });

  it('honours each redirect_type set by PATCH', async () => {
    const alias = uniqueAlias('retype');
    const link = await createLink(api, { destination_url: 'https://example.com/t', alias });
    for (const redirectType of [301, 307, 308, 302]) {
      const answer = await api<LinkBody>('PATCH', `/v1/links/${link.link_id}`, {
        body: { redirect_type: redirectType },
      });
      expect(answer.body.redirect_type).toBe(redirectType);
      expect((await click(server.edgeUrl, `/${alias}`)).status).toBe(redirectType);
    }
  });

  it('renaming the alias frees the old one at once', async () => {
    const oldAlias = uniqueAlias('rename-old');
    const newAlias = uniqueAlias('rename-new');
    const link = await createLink(api, { destination_url: 'https://example.com/renamed', alias: oldAlias });
    expect((await click(server.edgeUrl, `/${oldAlias}`)).status).toBe(302);
    expect((await click(server.edgeUrl, `/${newAlias}`)).status).toBe(404);
    const answer = await api<LinkBody>('PATCH', `/v1/links/${link.link_id}`, { body: { alias: newAlias } });
    expect(answer.body.alias).toBe(newAlias);
    expect(answer.body.short_url).toBe(`${PUBLIC_URL}/${newAlias}`);
    expect((await click(server.edgeUrl, `/${oldAlias}`)).status).toBe(404);
    expect((await click(server.edgeUrl, `/${newAlias}`)).location).toBe('https://example.com/renamed');
    await createLink(api, { destination_url: 'https://example.com/reused', alias: oldAlias });
  });

  describe('errors', () => {
    let link: LinkBody;
    beforeAll(async () => {
      link = await createLink(api, {
        destination_url: 'https://example.com/guarded',
        alias: uniqueAlias('guarded'),
      });
    });
    const patch = (body: unknown, key?: string | null) =>
      api('PATCH', `/v1/links/${link.link_id}`, {
        rawBody: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
        ...(key === undefined ? {} : { key }),
      });

    it('400 for an empty patch', async () => {
      expectValidation(await patch({}));
    });

    it.each([
      ['an unknown field', { destination: 'https://example.com/' }, 'body/destination'],
      ['a read-only field', { link_id: UNKNOWN_IDS.link }, 'body/link_id'],
      ['created_at', { created_at: '2020-01-01T00:00:00.000Z' }, 'body/created_at'],
      ['a bad alias', { alias: 'no way' }, 'body/alias'],
      ['redirect_type 303', { redirect_type: 303 }, 'body/redirect_type'],
      ['a word for disabled', { disabled: 'off' }, 'body/disabled'],
      [
        'an object for destination_url',
        { destination_url: { href: 'https://example.com/' } },
        'body/destination_url',
      ],
      ['null for destination_url', { destination_url: null }, 'body/destination_url'],
      ['an empty destination_url', { destination_url: '' }, 'body/destination_url'],
      ['expires_at that is not a time', { expires_at: 'next week' }, 'body/expires_at'],
      ['a tag list that is too long', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'body/tags'],
    ])('400 for %s', async (_label, body, field) => {
      expectValidation(await patch(body), field);
    });

    it('400 for malformed JSON', async () => {
      expectMalformedJson(
        await api('PATCH', `/v1/links/${link.link_id}`, {
          rawBody: '{"disabled": tru',
          headers: { 'content-type': 'application/json' },
        }),
      );
    });

    it('422 for unsafe destinations and fallbacks, reserved aliases and foreign domains', async () => {
      expectUnsafe(await patch({ destination_url: 'javascript:alert(1)' }));
      expectUnsafe(await patch({ destination_url: 'data:text/plain,hi' }));
      expectUnsafe(await patch({ destination_url: 'file:///etc/hosts' }));
      expectUnsafe(await patch({ destination_url: 'ftp://example.com/' }));
      expectUnsafe(await patch({ destination_url: 'https://a:b@example.com/' }));
      expectUnsafe(await patch({ destination_url: `https://example.com/${'x'.repeat(2100)}` }));
      expectUnsafe(await patch({ fallback_url: 'data:text/html,<b>x</b>' }), 'body/fallback_url');
      for (const alias of ['v1', 'DOCS', 'Healthz']) {
        expectProblem(await patch({ alias }), 422, 'CW_ERR_RESERVED_ALIAS', 'reserved-alias', 'body/alias');
      }
      const theirs = await other.api<{ domain_id: string }>('POST', '/v1/domains', {
        body: { hostname: 'patch-other.example.test' },
      });
      expect(theirs.status).toBe(201);
      expectProblem(
        await patch({ domain_id: theirs.body.domain_id }),
        422,
        'CW_ERR_UNPROCESSABLE',
        'unprocessable',
        'body/domain_id',
      );
    });

    it('409 for an alias another link has on the same domain', async () => {
      const taken = await createLink(api, {
        destination_url: 'https://example.com/holder',
        alias: uniqueAlias('holder'),
      });
      expectProblem(
        await patch({ alias: taken.alias }),
        409,
        'CW_ERR_ALIAS_TAKEN',
        'alias-taken',
        'body/alias',
      );
    });

    it('leaves the link unchanged after every refused patch', async () => {
      const now = await api<LinkBody>('GET', `/v1/links/${link.link_id}`);
      expect(now.body).toEqual(link);
      expect((await click(server.edgeUrl, `/${link.alias}`)).location).toBe('https://example.com/guarded');
    });

    it('401, 403 and 404', async () => {
      expectUnauthenticated(await patch({ disabled: true }, null));
      for (const [, authorization] of BAD_AUTHORIZATIONS) {
        expectUnauthenticated(
          await api('PATCH', `/v1/links/${link.link_id}`, {
            key: null,
            headers: { authorization },
            body: { disabled: true },
          }),
        );
      }
      expectForbidden(await patch({ disabled: true }, readOnlyKey));
      expectForbidden(await patch({ disabled: true }, clicksOnlyKey));
      expectNotFound(await api('PATCH', `/v1/links/${UNKNOWN_IDS.link}`, { body: { disabled: true } }));
      expectNotFound(await api('PATCH', `/v1/links/${IMPOSSIBLE_IDS.link}`, { body: { disabled: true } }));
      expectValidation(
        await api('PATCH', '/v1/links/lnk_nope', { body: { disabled: true } }),
        'params/link_id',
      );
      expect((await api<LinkBody>('GET', `/v1/links/${link.link_id}`)).body).toEqual(link);
    });

    it("404 for another workspace's link, which stays as it was", async () => {
      const answer = await other.api('PATCH', `/v1/links/${link.link_id}`, {
        body: { destination_url: 'https://evil.example/', disabled: true },
      });
      expectNotFound(answer);
      expect((await api<LinkBody>('GET', `/v1/links/${link.link_id}`)).body).toEqual(link);
      expect((await click(server.edgeUrl, `/${link.alias}`)).location).toBe('https://example.com/guarded');
    });
  });
});

/**
 * JSON bodies are validated as sent, without type coercion: query strings need coercion (they are
 * text), bodies do not, and coercing them turned `"301"` into 301, `["x"]` into `"x"` and `null` into `false`.
 */
describe('JSON body types are not coerced', () => {
  it('400 for a string where redirect_type wants a number', async () => {
    const answer = await api('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', redirect_type: '301' },
    });
    expectValidation(answer, 'body/redirect_type');
  });

  it('400 for a number where alias wants a string', async () => {
    const answer = await api('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', alias: 4711 },
    });
    expectValidation(answer, 'body/alias');
  });

  it('400 for a one-element array where destination_url wants a string', async () => {
    const link = await createLink(api, {
      destination_url: 'https://example.com/coerced',
      alias: uniqueAlias('coerce'),
    });
    const answer = await api('PATCH', `/v1/links/${link.link_id}`, {
      body: { destination_url: ['https://example.com/'] },
    });
    expectValidation(answer, 'body/destination_url');
  });

  it('400 for null where disabled (not nullable) wants a boolean', async () => {
    const link = await createLink(api, {
      destination_url: 'https://example.com/off',
      alias: uniqueAlias('off'),
      disabled: true,
    });
    const answer = await api('PATCH', `/v1/links/${link.link_id}`, { body: { disabled: null } });
    expectValidation(answer, 'body/disabled');
  });
});

describe('DELETE /v1/links/{link_id}', () => {
  it('answers 204, then the link is gone from the API and the edge, and its alias is free', async () => {
    const alias = uniqueAlias('delete');
    const link = await createLink(api, { destination_url: 'https://example.com/doomed', alias });
    expect((await click(server.edgeUrl, `/${alias}`)).status).toBe(302);

    const answer = await api('DELETE', `/v1/links/${link.link_id}`);
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');

    expectNotFound(await api('GET', `/v1/links/${link.link_id}`));
    expectNotFound(await api('PATCH', `/v1/links/${link.link_id}`, { body: { disabled: true } }));
    expectNotFound(await api('DELETE', `/v1/links/${link.link_id}`));
    const list = await api<Page<LinkBody>>('GET', '/v1/links?limit=100');
    expect(list.body.data.some((l) => l.link_id === link.link_id)).toBe(false);
    const edge = await click(server.edgeUrl, `/${alias}`);
    expect(edge.status).toBe(404);
    expect(edge.location).toBeUndefined();

    const reused = await createLink(api, { destination_url: 'https://example.com/reborn', alias });
    expect(reused.link_id).not.toBe(link.link_id);
    expect((await click(server.edgeUrl, `/${alias}`)).location).toBe('https://example.com/reborn');
  });

  it('401, 403, 404 and another workspace’s link', async () => {
    const link = await createLink(api, {
      destination_url: 'https://example.com/kept',
      alias: uniqueAlias('kept'),
    });
    expectUnauthenticated(await api('DELETE', `/v1/links/${link.link_id}`, { key: null }));
    for (const [, authorization] of BAD_AUTHORIZATIONS) {
      expectUnauthenticated(
        await api('DELETE', `/v1/links/${link.link_id}`, { key: null, headers: { authorization } }),
      );
    }
    expectForbidden(await api('DELETE', `/v1/links/${link.link_id}`, { key: readOnlyKey }));
    expectForbidden(await api('DELETE', `/v1/links/${link.link_id}`, { key: clicksOnlyKey }));
    expectNotFound(await api('DELETE', `/v1/links/${UNKNOWN_IDS.link}`));
    expectNotFound(await api('DELETE', `/v1/links/${IMPOSSIBLE_IDS.link}`));
    expectValidation(await api('DELETE', '/v1/links/12345'), 'params/link_id');
    expectNotFound(await other.api('DELETE', `/v1/links/${link.link_id}`));
    expect((await api<LinkBody>('GET', `/v1/links/${link.link_id}`)).body).toEqual(link);
    expect((await click(server.edgeUrl, `/${link.alias}`)).status).toBe(302);
  });
});

describe('link.* events', () => {
  interface Envelope {
    schema_version: number;
    event_id: string;
    event_type: string;
    occurred_at: string;
    workspace_id: string;
    data: { link: LinkBody };
  }

  it('records link.created, link.updated and link.deleted with the DESIGN §4 envelope', async () => {
    const link = await createLink(api, {
      destination_url: 'https://example.com/evented',
      alias: uniqueAlias('evented'),
      campaign_id: 'evt-campaign',
      tags: ['email'],
    });
    const updated = await api<LinkBody>('PATCH', `/v1/links/${link.link_id}`, { body: { channel: 'email' } });
    expect(updated.status).toBe(200);
    expect((await api('DELETE', `/v1/links/${link.link_id}`)).status).toBe(204);

    const rows = linkEvents(server, link.link_id);
    expect(rows.map((row) => row.event_type)).toEqual(['link.created', 'link.updated', 'link.deleted']);
    const envelopes = rows.map((row) => JSON.parse(row.payload) as Envelope);
    for (const [i, envelope] of envelopes.entries()) {
      expect(Object.keys(envelope).sort()).toEqual(
        ['data', 'event_id', 'event_type', 'occurred_at', 'schema_version', 'workspace_id'].sort(),
      );
      expect(envelope.schema_version).toBe(1);
      expect(envelope.event_id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(envelope.event_id).toBe(rows[i]!.event_id);
      expect(envelope.event_type).toBe(rows[i]!.event_type);
      expect(envelope.occurred_at).toMatch(ISO_TIME);
      expect(envelope.workspace_id).toBe(server.running.defaultWorkspaceId);
      expect(rows[i]!.workspace_id).toBe(server.running.defaultWorkspaceId);
      expect(envelope.data.link).toMatchObject({
        link_id: link.link_id,
        alias: link.alias,
        domain_id: null,
        campaign_id: 'evt-campaign',
        tags: ['email'],
      });
    }
    expect(envelopes[0]!.data.link).toEqual(link);
    expect(envelopes[1]!.data.link).toEqual(updated.body);
    expect(envelopes[1]!.data.link.channel).toBe('email');
    expect(new Set(envelopes.map((e) => e.event_id)).size).toBe(3);
  });

  it('records nothing for refused changes', async () => {
    const link = await createLink(api, {
      destination_url: 'https://example.com/quiet',
      alias: uniqueAlias('quiet'),
    });
    await api('PATCH', `/v1/links/${link.link_id}`, { body: { destination_url: 'javascript:alert(1)' } });
    await api('PATCH', `/v1/links/${link.link_id}`, { body: { nope: 1 } });
    await other.api('PATCH', `/v1/links/${link.link_id}`, { body: { disabled: true } });
    await other.api('DELETE', `/v1/links/${link.link_id}`);
    expect(linkEvents(server, link.link_id).map((row) => row.event_type)).toEqual(['link.created']);
  });

  it("writes another workspace's link events under that workspace", async () => {
    const link = await createLink(other.api, { destination_url: 'https://example.com/theirs' });
    const rows = linkEvents(server, link.link_id);
    expect(rows.map((row) => row.event_type)).toEqual(['link.created']);
    expect(rows[0]!.workspace_id).toBe(other.workspaceId);
    expect((JSON.parse(rows[0]!.payload) as Envelope).workspace_id).toBe(other.workspaceId);
  });
});
