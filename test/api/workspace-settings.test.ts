import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Api, createKey, createWorkspace, expectProblem, expectValidation } from './api-test-kit.js';

describe('GET/PATCH /v1/workspace — the caller’s workspace settings', () => {
  let server: TestServer;
  let api: Api;

  beforeAll(async () => {
    server = await startTestServer();
    api = apiClient(server.apiUrl, server.adminKey);
  });
  afterAll(async () => server.close());

  it('shows the defaults: 24 h uniqueness, UTC', async () => {
    const answer = await api('GET', '/v1/workspace');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      workspace_id: server.running.defaultWorkspaceId,
      uniqueness_rule: 'link_visitor_24h',
      timezone: 'UTC',
    });
  });

  it('changes the uniqueness rule and time zone, and keeps them', async () => {
    const answer = await api('PATCH', '/v1/workspace', {
      body: { uniqueness_rule: 'link_visitor_day', timezone: 'Europe/Berlin' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ uniqueness_rule: 'link_visitor_day', timezone: 'Europe/Berlin' });
    expect((await api('PATCH', '/v1/workspace', { body: { timezone: 'Asia/Kolkata' } })).body).toMatchObject({
      uniqueness_rule: 'link_visitor_day',
      timezone: 'Asia/Kolkata',
    });
    expect((await api('GET', '/v1/workspace')).body).toMatchObject({
      uniqueness_rule: 'link_visitor_day',
      timezone: 'Asia/Kolkata',
    });
  });

  it('refuses unknown rules, unknown zones, unknown fields and empty bodies', async () => {
    expectValidation(
      await api('PATCH', '/v1/workspace', { body: { uniqueness_rule: 'forever' } }),
      'body/uniqueness_rule',
    );
    expectValidation(
      await api('PATCH', '/v1/workspace', { body: { timezone: 'Mars/Olympus' } }),
      'body/timezone',
    );
    expectValidation(await api('PATCH', '/v1/workspace', { body: { timezone: 42 } }), 'body/timezone');
    expectValidation(await api('PATCH', '/v1/workspace', { body: { colour: 'red' } }), 'body/colour');
    expectValidation(await api('PATCH', '/v1/workspace', { body: {} }));
  });

  it('needs the admin scope, and only ever touches the caller’s own workspace', async () => {
    const reader = await createKey(api, ['links:read']);
    expectProblem(
      await apiClient(server.apiUrl, reader.key)('PATCH', '/v1/workspace', { body: { timezone: 'UTC' } }),
      403,
      'CW_ERR_INSUFFICIENT_SCOPE',
      'insufficient-scope',
    );
    expectProblem(
      await apiClient(server.apiUrl, null)('GET', '/v1/workspace'),
      401,
      'CW_ERR_UNAUTHENTICATED',
      'unauthenticated',
    );

    const other = await createWorkspace(server);
    const otherApi = apiClient(server.apiUrl, other.key);
    await otherApi('PATCH', '/v1/workspace', { body: { timezone: 'America/New_York' } });
    expect((await otherApi('GET', '/v1/workspace')).body).toMatchObject({
      workspace_id: other.workspaceId,
      timezone: 'America/New_York',
    });
    expect((await api('GET', '/v1/workspace')).body).toMatchObject({ timezone: 'Asia/Kolkata' });
  });
});
