import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Api, createLink, type LinkBody, type Page } from './api-test-kit.js';

/**
 * Without `CLICKWIRE_PUBLIC_URL`, short URLs on the default domain point at the edge itself. The test
 * server's edge listens on an ephemeral port (port 0): the short URL must name the port it got.
 */

let server: TestServer;
let api: Api;

beforeAll(async () => {
  server = await startTestServer();
  api = apiClient(server.apiUrl, server.adminKey);
});
afterAll(async () => server?.close());

describe('short_url without a configured public URL', () => {
  it('names the port the edge is bound to, not :0', async () => {
    expect(server.config.edgePort).toBe(0);
    const link = await createLink(api, {
      destination_url: 'https://example.com/ephemeral',
      alias: 'ephemeral',
    });
    expect(link.short_url).toBe(`${server.edgeUrl}/ephemeral`);
    expect(link.short_url).not.toMatch(/:0\//);
  });

  it('is a URL that redirects', async () => {
    const link = await createLink(api, {
      destination_url: 'https://example.com/followed',
      alias: 'followed',
    });
    const url = new URL(link.short_url);
    const answer = await click(url.origin, url.pathname);
    expect(answer.status).toBe(302);
    expect(answer.location).toBe('https://example.com/followed');
  });

  it('is the same in every answer: get, list and patch', async () => {
    const link = await createLink(api, { destination_url: 'https://example.com/same', alias: 'same-before' });
    expect((await api<LinkBody>('GET', `/v1/links/${link.link_id}`)).body.short_url).toBe(link.short_url);
    const list = await api<Page<LinkBody>>('GET', '/v1/links?limit=100');
    expect(list.body.data.find((l) => l.link_id === link.link_id)?.short_url).toBe(link.short_url);
    const renamed = await api<LinkBody>('PATCH', `/v1/links/${link.link_id}`, {
      body: { alias: 'same-after' },
    });
    expect(renamed.body.short_url).toBe(`${server.edgeUrl}/same-after`);
  });

  it('leaves branded domains alone', async () => {
    const domain = await api<{ domain_id: string }>('POST', '/v1/domains', {
      body: { hostname: 'short.example.test' },
    });
    expect(domain.status).toBe(201);
    const link = await createLink(api, {
      destination_url: 'https://example.com/branded',
      alias: 'branded',
      domain_id: domain.body.domain_id,
    });
    expect(link.short_url).toBe('https://short.example.test/branded');
  });
});
