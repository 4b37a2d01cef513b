import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  type Api,
  type ApiKeyBody,
  BAD_AUTHORIZATIONS,
  createKey,
  createLink,
  createWorkspace,
  expectForbidden,
  expectMalformedJson,
  expectUnauthenticated,
  expectValidation,
  ID_FORMAT,
  ISO_TIME,
  type LinkBody,
  type Page,
} from './api-test-kit.js';

interface WorkspaceBody {
  readonly workspace_id: string;
  readonly name: string;
  readonly created_at: string;
}

let server: TestServer;
let operator: Api;

beforeAll(async () => {
  server = await startTestServer();
  operator = apiClient(server.apiUrl, server.adminKey);
});
afterAll(async () => server?.close());

describe('POST /v1/workspaces', () => {
  it('creates a workspace with its first admin key, shown once', async () => {
    const answer = await operator<{ workspace: WorkspaceBody; api_key: ApiKeyBody }>(
      'POST',
      '/v1/workspaces',
      {
        body: { name: 'Acme Marketing' },
      },
    );
    expect(answer.status).toBe(201);
    expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
    const { workspace, api_key: key } = answer.body;
    expect(Object.keys(answer.body).sort()).toEqual(['api_key', 'workspace']);
    expect(workspace).toEqual({
      workspace_id: expect.stringMatching(ID_FORMAT.workspace),
      name: 'Acme Marketing',
      created_at: expect.stringMatching(ISO_TIME),
      uniqueness_rule: 'link_visitor_24h',
      timezone: 'UTC',
    });
    expect(workspace.workspace_id).not.toBe(server.running.defaultWorkspaceId);
    expect(key).toEqual({
      key_id: expect.stringMatching(ID_FORMAT.apiKey),
      workspace_id: workspace.workspace_id,
      name: expect.any(String),
      scopes: ['admin'],
      key_hint: key.key!.slice(-4),
      created_at: expect.stringMatching(ISO_TIME),
      last_used_at: null,
      key: expect.stringMatching(/^cw_live_[A-Za-z0-9_-]{32,}$/),
    });

    const admin = apiClient(server.apiUrl, key.key!);
    const keys = await admin<Page<ApiKeyBody>>('GET', '/v1/api-keys');
    expect(keys.status).toBe(200);
    expect(keys.body.data.map((k) => k.key_id)).toEqual([key.key_id]);
    expect(keys.text).not.toContain(key.key!);
  });

  it('gives the new workspace an empty, separate world', async () => {
    await createLink(operator, { destination_url: 'https://example.com/in-default', alias: 'in-default' });
    const fresh = await createWorkspace(server, 'Empty');
    const links = await fresh.api<Page<LinkBody>>('GET', '/v1/links');
    expect(links.status).toBe(200);
    expect(links.body.data).toEqual([]);
    const domains = await fresh.api<Page<unknown>>('GET', '/v1/domains');
    expect(domains.body.data).toEqual([]);
    const link = await createLink(fresh.api, { destination_url: 'https://example.com/fresh' });
    expect(link.workspace_id).toBe(fresh.workspaceId);
  });

  it('allows two workspaces with the same name', async () => {
    const a = await createWorkspace(server, 'Twin');
    const b = await createWorkspace(server, 'Twin');
    expect(a.workspaceId).not.toBe(b.workspaceId);
  });

  it.each([
    ['no name', {}, 'body/name'],
    ['an empty name', { name: '' }, 'body/name'],
    ['a 129-character name', { name: 'w'.repeat(129) }, 'body/name'],
    ['an object for name', { name: { en: 'Acme' } }, 'body/name'],
    ['an array of names', { name: ['Acme', 'Beta'] }, 'body/name'],
    ['an unknown field', { name: 'Acme', plan: 'pro' }, 'body/plan'],
    [
      'an attempt to set the id',
      { name: 'Acme', workspace_id: 'ws_01E0000000000000000000000A' },
      'body/workspace_id',
    ],
  ])('400 for %s', async (_label, body, field) => {
    expectValidation(await operator('POST', '/v1/workspaces', { body }), field);
  });

  it('400 for malformed JSON', async () => {
    expectMalformedJson(
      await operator('POST', '/v1/workspaces', {
        rawBody: "{'name': 'single quotes'}",
        headers: { 'content-type': 'application/json' },
      }),
    );
  });

  it('401 without a valid key', async () => {
    expectUnauthenticated(await operator('POST', '/v1/workspaces', { key: null, body: { name: 'x' } }));
    for (const [, authorization] of BAD_AUTHORIZATIONS) {
      expectUnauthenticated(
        await operator('POST', '/v1/workspaces', {
          key: null,
          headers: { authorization },
          body: { name: 'x' },
        }),
      );
    }
  });

  it('403 for any key but the operator’s: another workspace’s admin, or an admin key of the default workspace', async () => {
    const before = await operator<{ data: WorkspaceBody[] }>('GET', '/v1/workspaces');
    const otherAdmin = await createWorkspace(server, 'Not an operator');
    const { key: defaultAdmin } = await createKey(operator, ['admin'], 'default admin, not operator');
    const { key: everything } = await createKey(operator, [
      'links:read',
      'links:write',
      'clicks:read',
      'analytics:read',
      'webhooks:read',
      'webhooks:write',
      'privacy:write',
      'admin',
    ]);
    for (const key of [otherAdmin.key, defaultAdmin, everything]) {
      expectForbidden(await operator('POST', '/v1/workspaces', { key, body: { name: 'Sneaky' } }));
    }
    const after = await operator<{ data: WorkspaceBody[] }>('GET', '/v1/workspaces');
    expect(after.body.data.some((w) => w.name === 'Sneaky')).toBe(false);
    expect(after.body.data).toHaveLength(before.body.data.length + 1);
  });
});

describe('GET /v1/workspaces', () => {
  it('lists every workspace, the default one included, and no keys', async () => {
    const made = await createWorkspace(server, 'Listed');
    const answer = await operator<{ data: WorkspaceBody[] }>('GET', '/v1/workspaces');
    expect(answer.status).toBe(200);
    const ids = answer.body.data.map((workspace) => workspace.workspace_id);
    expect(ids).toContain(server.running.defaultWorkspaceId);
    expect(ids).toContain(made.workspaceId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(answer.body.data.find((w) => w.workspace_id === made.workspaceId)).toEqual({
      workspace_id: made.workspaceId,
      name: 'Listed',
      created_at: expect.stringMatching(ISO_TIME),
      uniqueness_rule: 'link_visitor_24h',
      timezone: 'UTC',
    });
    expect(answer.text).not.toContain('cw_live_');
    expect(answer.text).not.toContain(made.key);
  });

  it('400 naming the parameter for any query parameter: the list takes none', async () => {
    expectValidation(await operator('GET', '/v1/workspaces?name=Listed'), 'querystring/name');
    expect((await operator('GET', '/v1/workspaces?')).status).toBe(200);
  });

  it('401 without a valid key', async () => {
    expectUnauthenticated(await operator('GET', '/v1/workspaces', { key: null }));
    for (const [, authorization] of BAD_AUTHORIZATIONS) {
      expectUnauthenticated(
        await operator('GET', '/v1/workspaces', { key: null, headers: { authorization } }),
      );
    }
  });

  it('403 for another workspace’s admin and for scoped keys of the default workspace', async () => {
    const otherAdmin = await createWorkspace(server, 'Curious');
    expectForbidden(await otherAdmin.api('GET', '/v1/workspaces'));
    const { key: reader } = await createKey(operator, ['links:read']);
    expectForbidden(await operator('GET', '/v1/workspaces', { key: reader }));
    const { key: admin } = await createKey(operator, ['admin']);
    expectForbidden(await operator('GET', '/v1/workspaces', { key: admin }));
  });

  it('a new workspace’s admin key that revokes itself is refused at once', async () => {
    const made = await createWorkspace(server, 'Revoked admin');
    const keys = await made.api<Page<ApiKeyBody>>('GET', '/v1/api-keys');
    expect((await made.api('DELETE', `/v1/api-keys/${keys.body.data[0]!.key_id}`)).status).toBe(204);
    expectUnauthenticated(await made.api('GET', '/v1/links'));
  });
});
