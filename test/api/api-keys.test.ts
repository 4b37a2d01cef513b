import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  type Api,
  type ApiKeyBody,
  BAD_AUTHORIZATIONS,
  createKey,
  createWorkspace,
  expectForbidden,
  expectMalformedJson,
  expectNotFound,
  expectUnauthenticated,
  expectValidation,
  ID_FORMAT,
  IMPOSSIBLE_IDS,
  ISO_TIME,
  openStoreReadOnly,
  type Page,
  UNKNOWN_IDS,
} from './api-test-kit.js';

const ALL_SCOPES = [
  'links:read',
  'links:write',
  'clicks:read',
  'analytics:read',
  'webhooks:read',
  'webhooks:write',
  'privacy:write',
  'admin',
];

let server: TestServer;
let api: Api;
let other: { workspaceId: string; key: string; api: Api };

beforeAll(async () => {
  server = await startTestServer();
  api = apiClient(server.apiUrl, server.adminKey);
  other = await createWorkspace(server, 'Keys: other workspace');
});
afterAll(async () => server?.close());

describe('POST /v1/api-keys', () => {
  it('answers 201 with the key, shown this once with the cw_live_ prefix', async () => {
    const answer = await api<ApiKeyBody>('POST', '/v1/api-keys', {
      body: { name: 'Reporting', scopes: ['links:read', 'clicks:read'] },
    });
    expect(answer.status).toBe(201);
    expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
    const created = answer.body;
    expect(created).toEqual({
      key_id: expect.stringMatching(ID_FORMAT.apiKey),
      workspace_id: server.running.defaultWorkspaceId,
      name: 'Reporting',
      scopes: ['links:read', 'clicks:read'],
      key_hint: created.key!.slice(-4),
      created_at: expect.stringMatching(ISO_TIME),
      last_used_at: null,
      key: expect.stringMatching(/^cw_live_[A-Za-z0-9_-]{32,}$/),
    });
  });

  it('issues a different key each time', async () => {
    const first = await createKey(api, ['links:read'], 'same name');
    const second = await createKey(api, ['links:read'], 'same name');
    expect(first.key).not.toBe(second.key);
    expect(first.keyId).not.toBe(second.keyId);
  });

  it('issues a key that works at once, within its scopes only', async () => {
    const { key } = await createKey(api, ['links:read']);
    const reader = apiClient(server.apiUrl, key);
    expect((await reader('GET', '/v1/links')).status).toBe(200);
    expectForbidden(await reader('POST', '/v1/links', { body: { destination_url: 'https://example.com/' } }));
    expectForbidden(await reader('GET', '/v1/api-keys'));
  });

  it('an admin key of the workspace may manage keys', async () => {
    const { key } = await createKey(api, ['admin']);
    const admin = apiClient(server.apiUrl, key);
    const made = await admin<ApiKeyBody>('POST', '/v1/api-keys', {
      body: { name: 'by admin', scopes: ['links:write'] },
    });
    expect(made.status).toBe(201);
    expect(made.body.workspace_id).toBe(server.running.defaultWorkspaceId);
  });

  it('accepts every scope of DESIGN §3', async () => {
    const answer = await api<ApiKeyBody>('POST', '/v1/api-keys', {
      body: { name: 'everything', scopes: ALL_SCOPES },
    });
    expect(answer.status).toBe(201);
    expect([...answer.body.scopes].sort()).toEqual([...ALL_SCOPES].sort());
  });

  it('stores only a hash of the key', async () => {
    const { key, keyId } = await createKey(api, ['links:read'], 'hashed');
    const db = openStoreReadOnly(server);
    try {
      const row = db.prepare('SELECT * FROM api_keys WHERE key_id = ?').get(keyId) as Record<string, unknown>;
      expect(row).toBeDefined();
      expect(JSON.stringify(row)).not.toContain(key);
      expect(JSON.stringify(row)).not.toContain(key.slice('cw_live_'.length));
    } finally {
      db.close();
    }
  });

  it.each([
    ['no name', { scopes: ['links:read'] }, 'body/name'],
    ['an empty name', { name: '', scopes: ['links:read'] }, 'body/name'],
    ['a 129-character name', { name: 'n'.repeat(129), scopes: ['links:read'] }, 'body/name'],
    ['an object for name', { name: { first: 'x' }, scopes: ['links:read'] }, 'body/name'],
    ['no scopes', { name: 'k' }, 'body/scopes'],
    ['an empty scope list', { name: 'k', scopes: [] }, 'body/scopes'],
    ['an unknown scope', { name: 'k', scopes: ['links:delete'] }, 'body/scopes/0'],
    ['a scope in the wrong case', { name: 'k', scopes: ['ADMIN'] }, 'body/scopes/0'],
    ['a repeated scope', { name: 'k', scopes: ['links:read', 'links:read'] }, 'body/scopes'],
    ['an object for scopes', { name: 'k', scopes: { admin: true } }, 'body/scopes'],
    [
      'an unknown field',
      { name: 'k', scopes: ['links:read'], expires_at: '2030-01-01T00:00:00Z' },
      'body/expires_at',
    ],
    [
      'an attempt to choose the key',
      { name: 'k', scopes: ['links:read'], key: 'cw_live_my_own_choice_000000000000000' },
      'body/key',
    ],
    [
      'an attempt to become operator',
      { name: 'k', scopes: ['admin'], is_operator: true },
      'body/is_operator',
    ],
  ])('400 for %s', async (_label, body, field) => {
    expectValidation(await api('POST', '/v1/api-keys', { body }), field);
  });

  it('400 for malformed JSON', async () => {
    expectMalformedJson(
      await api('POST', '/v1/api-keys', {
        rawBody: '{"name": "k", "scopes": [',
        headers: { 'content-type': 'application/json' },
      }),
    );
  });

  it('401 without a valid key', async () => {
    const body = { name: 'k', scopes: ['admin'] };
    expectUnauthenticated(await api('POST', '/v1/api-keys', { key: null, body }));
    for (const [, authorization] of BAD_AUTHORIZATIONS) {
      expectUnauthenticated(
        await api('POST', '/v1/api-keys', { key: null, headers: { authorization }, body }),
      );
    }
  });

  it('403 for keys without admin, whatever else they hold', async () => {
    const { key } = await createKey(
      api,
      ALL_SCOPES.filter((scope) => scope !== 'admin'),
      'all but admin',
    );
    const answer = await api('POST', '/v1/api-keys', { key, body: { name: 'escalate', scopes: ['admin'] } });
    expectForbidden(answer);
  });
});

describe('GET /v1/api-keys', () => {
  it('lists the live keys without ever showing a key', async () => {
    const made = await createKey(api, ['links:write'], 'listed');
    const answer = await api<Page<ApiKeyBody>>('GET', '/v1/api-keys');
    expect(answer.status).toBe(200);
    expect(answer.body.has_more).toBe(false);
    expect(answer.body.next_cursor).toBeNull();
    const listed = answer.body.data.find((key) => key.key_id === made.keyId);
    expect(listed).toEqual({
      key_id: made.keyId,
      workspace_id: server.running.defaultWorkspaceId,
      name: 'listed',
      scopes: ['links:write'],
      key_hint: made.key.slice(-4),
      created_at: expect.stringMatching(ISO_TIME),
      last_used_at: null,
    });
    for (const key of answer.body.data) {
      expect(Object.keys(key)).not.toContain('key');
      expect(Object.keys(key)).not.toContain('key_hash');
    }
    expect(answer.text).not.toContain(made.key);
    expect(answer.text).not.toContain(server.adminKey);
    expect(answer.text).not.toContain('cw_live_');
  });

  it('includes the bootstrap key, with admin scope', async () => {
    const answer = await api<Page<ApiKeyBody>>('GET', '/v1/api-keys');
    const bootstrap = answer.body.data.filter(
      (key) => key.key_hint === server.adminKey.slice(-4) && key.name === 'Admin key',
    );
    expect(bootstrap).toHaveLength(1);
    expect(bootstrap[0]!.scopes).toEqual(['admin']);
  });

  it('shows each workspace its own keys only', async () => {
    const mine = await api<Page<ApiKeyBody>>('GET', '/v1/api-keys');
    const theirs = await other.api<Page<ApiKeyBody>>('GET', '/v1/api-keys');
    expect(theirs.status).toBe(200);
    expect(mine.body.data.every((key) => key.workspace_id === server.running.defaultWorkspaceId)).toBe(true);
    expect(theirs.body.data.every((key) => key.workspace_id === other.workspaceId)).toBe(true);
    expect(theirs.body.data).toHaveLength(1);
    const mineIds = new Set(mine.body.data.map((key) => key.key_id));
    expect(theirs.body.data.some((key) => mineIds.has(key.key_id))).toBe(false);
  });

  it('400 naming the parameter for any query parameter: the list takes none', async () => {
    expectValidation(await api('GET', '/v1/api-keys?scope=admin'), 'querystring/scope');
    expectValidation(await api('GET', '/v1/api-keys?include_revoked=true'), 'querystring/include_revoked');
    expectValidation(await api('GET', '/v1/api-keys?limit=10'), 'querystring/limit');
    expect((await api('GET', '/v1/api-keys?')).status).toBe(200);
  });

  it('401 without a valid key; 403 without admin', async () => {
    expectUnauthenticated(await api('GET', '/v1/api-keys', { key: null }));
    for (const [, authorization] of BAD_AUTHORIZATIONS) {
      expectUnauthenticated(await api('GET', '/v1/api-keys', { key: null, headers: { authorization } }));
    }
    for (const scopes of [['links:read'], ['links:write'], ['webhooks:write', 'privacy:write']]) {
      const { key } = await createKey(api, scopes);
      expectForbidden(await api('GET', '/v1/api-keys', { key }));
    }
  });
});

describe('DELETE /v1/api-keys/{key_id}', () => {
  it('revokes a key: 204, then 401 for it at once, and it leaves the list', async () => {
    const { key, keyId } = await createKey(api, ['links:read'], 'to revoke');
    const holder = apiClient(server.apiUrl, key);
    expect((await holder('GET', '/v1/links')).status).toBe(200);

    const answer = await api('DELETE', `/v1/api-keys/${keyId}`);
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');

    expectUnauthenticated(await holder('GET', '/v1/links'));
    expectUnauthenticated(await holder('GET', '/v1/domains'));
    const list = await api<Page<ApiKeyBody>>('GET', '/v1/api-keys');
    expect(list.body.data.some((k) => k.key_id === keyId)).toBe(false);
    expectNotFound(await api('DELETE', `/v1/api-keys/${keyId}`));
  });

  it('a revoked admin key can no longer manage keys', async () => {
    const { key, keyId } = await createKey(api, ['admin'], 'revoked admin');
    const admin = apiClient(server.apiUrl, key);
    expect((await admin('GET', '/v1/api-keys')).status).toBe(200);
    expect((await api('DELETE', `/v1/api-keys/${keyId}`)).status).toBe(204);
    expectUnauthenticated(await admin('GET', '/v1/api-keys'));
    expectUnauthenticated(await admin('POST', '/v1/api-keys', { body: { name: 'x', scopes: ['admin'] } }));
  });

  it('404 for unknown and impossible ids; 400 for a malformed one', async () => {
    expectNotFound(await api('DELETE', `/v1/api-keys/${UNKNOWN_IDS.apiKey}`));
    expectNotFound(await api('DELETE', `/v1/api-keys/${IMPOSSIBLE_IDS.apiKey}`));
    for (const id of ['key_1', 'cw_live_abc', UNKNOWN_IDS.link]) {
      expectValidation(await api('DELETE', `/v1/api-keys/${id}`), 'params/key_id');
    }
  });

  it('404 for another workspace’s key, which keeps working', async () => {
    const { key, keyId } = await createKey(api, ['links:read'], 'not theirs to revoke');
    expectNotFound(await other.api('DELETE', `/v1/api-keys/${keyId}`));
    expect((await apiClient(server.apiUrl, key)('GET', '/v1/links')).status).toBe(200);

    const theirs = await other.api<Page<ApiKeyBody>>('GET', '/v1/api-keys');
    const theirKeyId = theirs.body.data[0]!.key_id;
    expectNotFound(await api('DELETE', `/v1/api-keys/${theirKeyId}`));
    expect((await other.api('GET', '/v1/links')).status).toBe(200);
  });

  it('401 without a valid key; 403 without admin', async () => {
    const { keyId } = await createKey(api, ['links:read'], 'survivor');
    expectUnauthenticated(await api('DELETE', `/v1/api-keys/${keyId}`, { key: null }));
    for (const [, authorization] of BAD_AUTHORIZATIONS) {
      expectUnauthenticated(
        await api('DELETE', `/v1/api-keys/${keyId}`, { key: null, headers: { authorization } }),
      );
    }
    const { key } = await createKey(api, ['links:write', 'webhooks:write']);
    expectForbidden(await api('DELETE', `/v1/api-keys/${keyId}`, { key }));
    const list = await api<Page<ApiKeyBody>>('GET', '/v1/api-keys');
    expect(list.body.data.some((k) => k.key_id === keyId)).toBe(true);
  });
});
