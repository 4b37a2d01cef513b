import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  type Api,
  BAD_AUTHORIZATIONS,
  createKey,
  createLink,
  createWorkspace,
  type DomainBody,
  expectForbidden,
  expectMalformedJson,
  expectNotFound,
  expectProblem,
  expectUnauthenticated,
  expectValidation,
  ID_FORMAT,
  IMPOSSIBLE_IDS,
  ISO_TIME,
  type Page,
  UNKNOWN_IDS,
} from './api-test-kit.js';

let server: TestServer;
let api: Api;
let other: { workspaceId: string; api: Api };
let readOnlyKey: string;
let writeOnlyKey: string;
let clicksOnlyKey: string;

const expectHostnameTaken = (answer: Parameters<typeof expectProblem>[0]) =>
  expectProblem(answer, 409, 'CW_ERR_HOSTNAME_TAKEN', 'hostname-taken', 'body/hostname');

async function register(client: Api, hostname: string): Promise<DomainBody> {
  const answer = await client<DomainBody>('POST', '/v1/domains', { body: { hostname } });
  expect(answer.status, answer.text).toBe(201);
  return answer.body;
}

beforeAll(async () => {
  server = await startTestServer();
  api = apiClient(server.apiUrl, server.adminKey);
  other = await createWorkspace(server, 'Domains: other workspace');
  readOnlyKey = (await createKey(api, ['links:read'])).key;
  writeOnlyKey = (await createKey(api, ['links:write'])).key;
  clicksOnlyKey = (await createKey(api, ['clicks:read'])).key;
});
afterAll(async () => server?.close());

describe('POST /v1/domains', () => {
  it('registers a hostname and answers 201 with the domain, stored lower-case', async () => {
    const answer = await api<DomainBody>('POST', '/v1/domains', { body: { hostname: 'Go.Example.TEST' } });
    expect(answer.status).toBe(201);
    expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
    expect(answer.body).toEqual({
      domain_id: expect.stringMatching(ID_FORMAT.domain),
      workspace_id: server.running.defaultWorkspaceId,
      hostname: 'go.example.test',
      created_at: expect.stringMatching(ISO_TIME),
    });
    const fetched = await api<DomainBody>('GET', `/v1/domains/${answer.body.domain_id}`);
    expect(fetched.body).toEqual(answer.body);
  });

  it('409 for a hostname already registered, in any letter case, by this or another workspace', async () => {
    await register(api, 'dup.example.test');
    expectHostnameTaken(await api('POST', '/v1/domains', { body: { hostname: 'dup.example.test' } }));
    expectHostnameTaken(await api('POST', '/v1/domains', { body: { hostname: 'DUP.Example.Test' } }));
    expectHostnameTaken(await other.api('POST', '/v1/domains', { body: { hostname: 'dup.example.test' } }));
  });

  it.each([
    ['a single label', { hostname: 'localhost' }, 'body/hostname'],
    ['a URL instead of a hostname', { hostname: 'https://go.example.test' }, 'body/hostname'],
    ['a hostname with a port', { hostname: 'go.example.test:8080' }, 'body/hostname'],
    ['a hostname with a path', { hostname: 'go.example.test/x' }, 'body/hostname'],
    ['a space', { hostname: 'go example.test' }, 'body/hostname'],
    ['a label starting with a hyphen', { hostname: '-go.example.test' }, 'body/hostname'],
    ['a trailing dot', { hostname: 'go.example.test.' }, 'body/hostname'],
    ['an IPv4 address', { hostname: '192.0.2.1' }, 'body/hostname'],
    ['a 64-character label', { hostname: `${'a'.repeat(64)}.example.test` }, 'body/hostname'],
    ['an empty hostname', { hostname: '' }, 'body/hostname'],
    ['no hostname', {}, 'body/hostname'],
    ['an object for hostname', { hostname: { name: 'go.example.test' } }, 'body/hostname'],
    ['an unknown field', { hostname: 'ok.example.test', verified: true }, 'body/verified'],
  ])('400 for %s', async (_label, body, field) => {
    expectValidation(await api('POST', '/v1/domains', { body }), field);
  });

  it('400 for malformed JSON', async () => {
    expectMalformedJson(
      await api('POST', '/v1/domains', {
        rawBody: '{hostname: "x.example.test"}',
        headers: { 'content-type': 'application/json' },
      }),
    );
  });

  it('401 without a valid key', async () => {
    expectUnauthenticated(
      await api('POST', '/v1/domains', { key: null, body: { hostname: 'anon.example.test' } }),
    );
    for (const [, authorization] of BAD_AUTHORIZATIONS) {
      expectUnauthenticated(
        await api('POST', '/v1/domains', {
          key: null,
          headers: { authorization },
          body: { hostname: 'anon.example.test' },
        }),
      );
    }
  });

  it('403 for keys without admin, even with links:write', async () => {
    for (const key of [readOnlyKey, writeOnlyKey, clicksOnlyKey]) {
      expectForbidden(await api('POST', '/v1/domains', { key, body: { hostname: 'scoped.example.test' } }));
    }
    const list = await api<Page<DomainBody>>('GET', '/v1/domains');
    expect(list.body.data.some((d) => d.hostname === 'scoped.example.test')).toBe(false);
  });
});

describe('GET /v1/domains and /v1/domains/{domain_id}', () => {
  let mine: DomainBody;
  let theirs: DomainBody;
  beforeAll(async () => {
    mine = await register(api, 'mine.example.test');
    theirs = await register(other.api, 'theirs.example.test');
  });

  it('lists the workspace’s own domains only', async () => {
    const answer = await api<Page<DomainBody>>('GET', '/v1/domains');
    expect(answer.status).toBe(200);
    expect(answer.body.has_more).toBe(false);
    expect(answer.body.next_cursor).toBeNull();
    expect(answer.body.data).toContainEqual(mine);
    expect(
      answer.body.data.every((domain) => domain.workspace_id === server.running.defaultWorkspaceId),
    ).toBe(true);
    expect(answer.body.data.some((domain) => domain.domain_id === theirs.domain_id)).toBe(false);

    const theirList = await other.api<Page<DomainBody>>('GET', '/v1/domains');
    expect(theirList.body.data).toContainEqual(theirs);
    expect(theirList.body.data.some((domain) => domain.domain_id === mine.domain_id)).toBe(false);
  });

  it('400 naming the parameter for any query parameter: the list takes none', async () => {
    expectValidation(await api('GET', '/v1/domains?sort=hostname'), 'querystring/sort');
    expectValidation(await api('GET', '/v1/domains?hostname=mine.example.test'), 'querystring/hostname');
    expectValidation(await api('GET', '/v1/domains?limit=10'), 'querystring/limit');
    expect((await api('GET', '/v1/domains?')).status).toBe(200);
  });

  it('gets one domain', async () => {
    const answer = await api<DomainBody>('GET', `/v1/domains/${mine.domain_id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(mine);
  });

  it('needs links:read: 200 with it, 403 without it, 401 without a valid key', async () => {
    expect((await api('GET', '/v1/domains', { key: readOnlyKey })).status).toBe(200);
    expect((await api('GET', `/v1/domains/${mine.domain_id}`, { key: readOnlyKey })).status).toBe(200);
    expectForbidden(await api('GET', '/v1/domains', { key: clicksOnlyKey }));
    expectForbidden(await api('GET', `/v1/domains/${mine.domain_id}`, { key: clicksOnlyKey }));
    expectForbidden(await api('GET', '/v1/domains', { key: writeOnlyKey }));
    expectUnauthenticated(await api('GET', '/v1/domains', { key: null }));
    expectUnauthenticated(await api('GET', `/v1/domains/${mine.domain_id}`, { key: null }));
    for (const [, authorization] of BAD_AUTHORIZATIONS) {
      expectUnauthenticated(await api('GET', '/v1/domains', { key: null, headers: { authorization } }));
      expectUnauthenticated(
        await api('GET', `/v1/domains/${mine.domain_id}`, { key: null, headers: { authorization } }),
      );
    }
  });

  it('404 for an unknown id, an impossible one, and another workspace’s domain', async () => {
    expectNotFound(await api('GET', `/v1/domains/${UNKNOWN_IDS.domain}`));
    expectNotFound(await api('GET', `/v1/domains/${IMPOSSIBLE_IDS.domain}`));
    expectNotFound(await api('GET', `/v1/domains/${theirs.domain_id}`));
    expectNotFound(await other.api('GET', `/v1/domains/${mine.domain_id}`));
  });

  it('400 naming domain_id for an id of the wrong shape', async () => {
    for (const id of ['go.example.test', 'dom_1', UNKNOWN_IDS.link]) {
      expectValidation(await api('GET', `/v1/domains/${id}`), 'params/domain_id');
    }
  });
});

describe('DELETE /v1/domains/{domain_id}', () => {
  it('answers 204; the domain is gone and its hostname can be registered again', async () => {
    const domain = await register(api, 'gone.example.test');
    const answer = await api('DELETE', `/v1/domains/${domain.domain_id}`);
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expectNotFound(await api('GET', `/v1/domains/${domain.domain_id}`));
    expectNotFound(await api('DELETE', `/v1/domains/${domain.domain_id}`));
    const list = await api<Page<DomainBody>>('GET', '/v1/domains');
    expect(list.body.data.some((d) => d.domain_id === domain.domain_id)).toBe(false);
    const again = await register(other.api, 'gone.example.test');
    expect(again.workspace_id).toBe(other.workspaceId);
  });

  it('409 while live links use the domain; 204 once they are deleted', async () => {
    const domain = await register(api, 'busy.example.test');
    const link = await createLink(api, {
      destination_url: 'https://example.com/busy',
      alias: 'busy',
      domain_id: domain.domain_id,
    });
    expectProblem(await api('DELETE', `/v1/domains/${domain.domain_id}`), 409, 'CW_ERR_CONFLICT', 'conflict');
    expect((await api('GET', `/v1/domains/${domain.domain_id}`)).status).toBe(200);
    expect((await click(server.edgeUrl, '/busy', { headers: { host: 'busy.example.test' } })).status).toBe(
      302,
    );

    expect((await api('DELETE', `/v1/links/${link.link_id}`)).status).toBe(204);
    expect((await api('DELETE', `/v1/domains/${domain.domain_id}`)).status).toBe(204);
  });

  it('409 while a link uses the domain, also when the link was moved there by PATCH', async () => {
    const domain = await register(api, 'moved.example.test');
    const link = await createLink(api, { destination_url: 'https://example.com/moved' });
    await api('PATCH', `/v1/links/${link.link_id}`, { body: { domain_id: domain.domain_id } });
    expectProblem(await api('DELETE', `/v1/domains/${domain.domain_id}`), 409, 'CW_ERR_CONFLICT', 'conflict');
    await api('PATCH', `/v1/links/${link.link_id}`, { body: { domain_id: null } });
    expect((await api('DELETE', `/v1/domains/${domain.domain_id}`)).status).toBe(204);
  });

  it('401 without a valid key; 403 without admin', async () => {
    const domain = await register(api, 'guarded.example.test');
    expectUnauthenticated(await api('DELETE', `/v1/domains/${domain.domain_id}`, { key: null }));
    for (const [, authorization] of BAD_AUTHORIZATIONS) {
      expectUnauthenticated(
        await api('DELETE', `/v1/domains/${domain.domain_id}`, { key: null, headers: { authorization } }),
      );
    }
    for (const key of [readOnlyKey, writeOnlyKey, clicksOnlyKey]) {
      expectForbidden(await api('DELETE', `/v1/domains/${domain.domain_id}`, { key }));
    }
    expect((await api('GET', `/v1/domains/${domain.domain_id}`)).status).toBe(200);
  });

  it('404 for unknown and impossible ids, 400 for malformed ones', async () => {
    expectNotFound(await api('DELETE', `/v1/domains/${UNKNOWN_IDS.domain}`));
    expectNotFound(await api('DELETE', `/v1/domains/${IMPOSSIBLE_IDS.domain}`));
    expectValidation(await api('DELETE', '/v1/domains/busy.example.test'), 'params/domain_id');
  });

  it('404 for another workspace’s domain, which stays registered', async () => {
    const domain = await register(api, 'kept.example.test');
    expectNotFound(await other.api('DELETE', `/v1/domains/${domain.domain_id}`));
    expect((await api<DomainBody>('GET', `/v1/domains/${domain.domain_id}`)).body).toEqual(domain);
  });

  it('404, not 409, for another workspace’s domain that has live links (nothing about it leaks)', async () => {
    const domain = await register(api, 'kept-busy.example.test');
    await createLink(api, {
      destination_url: 'https://example.com/kept',
      alias: 'kept',
      domain_id: domain.domain_id,
    });
    expectNotFound(await other.api('DELETE', `/v1/domains/${domain.domain_id}`));
    expect((await api<DomainBody>('GET', `/v1/domains/${domain.domain_id}`)).body).toEqual(domain);
  });
});

describe('the edge resolves Host + alias', () => {
  let branded: DomainBody;
  beforeAll(async () => {
    branded = await register(api, 'promo.example.test');
    await createLink(api, { destination_url: 'https://example.com/default-sale', alias: 'sale' });
    await createLink(api, {
      destination_url: 'https://example.com/branded-sale',
      alias: 'sale',
      domain_id: branded.domain_id,
    });
    await createLink(api, {
      destination_url: 'https://example.com/branded-only',
      alias: 'only-branded',
      domain_id: branded.domain_id,
    });
  });

  it('sends the branded host to the branded link and any other host to the default one', async () => {
    const viaBrand = await click(server.edgeUrl, '/sale', { headers: { host: 'promo.example.test' } });
    expect(viaBrand.status).toBe(302);
    expect(viaBrand.location).toBe('https://example.com/branded-sale');

    for (const host of ['127.0.0.1', 'unregistered.example.test', 'example.test']) {
      const answer = await click(server.edgeUrl, '/sale', { headers: { host } });
      expect(answer.status, host).toBe(302);
      expect(answer.location, host).toBe('https://example.com/default-sale');
    }
    expect((await click(server.edgeUrl, '/sale')).location).toBe('https://example.com/default-sale');
  });

  it('matches the Host header in any letter case, with a port or a trailing dot', async () => {
    for (const host of ['PROMO.Example.Test', 'promo.example.test:8080', 'promo.example.test.']) {
      const answer = await click(server.edgeUrl, '/sale', { headers: { host } });
      expect(answer.location, host).toBe('https://example.com/branded-sale');
    }
  });

  it('a branded-only alias is not found on other hosts', async () => {
    expect(
      (await click(server.edgeUrl, '/only-branded', { headers: { host: 'promo.example.test' } })).status,
    ).toBe(302);
    expect(
      (await click(server.edgeUrl, '/only-branded', { headers: { host: 'other.example.test' } })).status,
    ).toBe(404);
    expect((await click(server.edgeUrl, '/only-branded')).status).toBe(404);
  });

  it('an alias only on the default domain is not found on the branded host', async () => {
    await createLink(api, { destination_url: 'https://example.com/plain', alias: 'plain-only' });
    expect((await click(server.edgeUrl, '/plain-only')).status).toBe(302);
    expect(
      (await click(server.edgeUrl, '/plain-only', { headers: { host: 'promo.example.test' } })).status,
    ).toBe(404);
  });

  it('registering a hostname takes effect on the edge at once', async () => {
    await createLink(api, { destination_url: 'https://example.com/late-default', alias: 'late' });
    expect((await click(server.edgeUrl, '/late', { headers: { host: 'late.example.test' } })).location).toBe(
      'https://example.com/late-default',
    );
    const late = await register(api, 'late.example.test');
    await createLink(api, {
      destination_url: 'https://example.com/late-branded',
      alias: 'late',
      domain_id: late.domain_id,
    });
    expect((await click(server.edgeUrl, '/late', { headers: { host: 'late.example.test' } })).location).toBe(
      'https://example.com/late-branded',
    );
  });
});
