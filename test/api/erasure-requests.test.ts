import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Api, createKey, createWorkspace, expectProblem, expectValidation } from './api-test-kit.js';

const SAFARI =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

interface Receipt {
  erasure_request_id: string;
  status: string;
  selector: Record<string, unknown>;
  counts: Record<string, number>;
  href: string;
}

describe('POST/GET /v1/privacy/erasure-requests', () => {
  let server: TestServer;
  let api: Api;

  beforeAll(async () => {
    server = await startTestServer({ env: { CLICKWIRE_TRUSTED_PROXIES: '127.0.0.1/32' } });
    api = apiClient(server.apiUrl, server.adminKey);
  });
  afterAll(async () => server.close());

  async function link(alias: string): Promise<string> {
    const answer = await api<{ link_id: string }>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', alias },
    });
    return answer.body.link_id;
  }

  async function visit(alias: string, ip: string, ua: string): Promise<void> {
    const headers = { 'user-agent': ua, accept: 'text/html', 'x-forwarded-for': ip };
    expect((await click(server.edgeUrl, `/${alias}`, { headers })).status).toBe(302);
  }

  async function clicksOn(linkId: string, atLeast = 0): Promise<string[]> {
    for (;;) {
      const page = await api<{ data: { click_id: string }[] }>(
        'GET',
        `/v1/clicks?link_id=${linkId}&include_bots=true&order=asc`,
      );
      if (page.body.data.length >= atLeast) return page.body.data.map((c) => c.click_id);
      await sleep(20);
    }
  }

  async function finished(receipt: Receipt): Promise<Receipt> {
    for (;;) {
      const answer = await api<Receipt>('GET', receipt.href);
      if (answer.body.status === 'completed' || answer.body.status === 'failed') return answer.body;
      await sleep(20);
    }
  }

  it('erases by address and user agent: only that agent’s clicks from that address', async () => {
    const linkId = await link('erase-ua');
    await visit('erase-ua', '192.0.2.10', SAFARI);
    await visit('erase-ua', '192.0.2.10', FIREFOX);
    await visit('erase-ua', '192.0.2.11', SAFARI);
    const before = await clicksOn(linkId, 3);
    const answer = await api<Receipt>('POST', '/v1/privacy/erasure-requests', {
      body: { visitor: { ip: '192.0.2.10', user_agent: SAFARI } },
    });
    expect(answer.status).toBe(202);
    expect(answer.body.selector).toEqual({ kind: 'visitor', with_user_agent: true });
    const done = await finished(answer.body);
    expect(done.counts).toMatchObject({ clicks_erased: 1, raw_clicks_erased: 1 });
    expect(await clicksOn(linkId)).toEqual([before[1], before[2]]);
  });

  it('erases by link and by time range, idempotently', async () => {
    const gone = await link('erase-link');
    const stays = await link('erase-keep');
    await visit('erase-link', '192.0.2.20', FIREFOX);
    await visit('erase-link', '192.0.2.21', FIREFOX);
    await visit('erase-keep', '192.0.2.22', FIREFOX);
    await clicksOn(gone, 2);
    await clicksOn(stays, 1);
    const byLink = await api<Receipt>('POST', '/v1/privacy/erasure-requests', { body: { link_id: gone } });
    expect(byLink.status).toBe(202);
    expect((await finished(byLink.body)).counts).toMatchObject({ clicks_erased: 2, raw_clicks_erased: 2 });
    expect(await clicksOn(gone)).toEqual([]);
    expect(await clicksOn(stays)).toHaveLength(1);
    const repeat = await api<Receipt>('POST', '/v1/privacy/erasure-requests', { body: { link_id: gone } });
    expect([repeat.status, repeat.body.erasure_request_id, repeat.body.status]).toEqual([
      200,
      byLink.body.erasure_request_id,
      'completed',
    ]);

    const range = {
      occurred_after: new Date(Date.now() - 3_600_000).toISOString(),
      occurred_before: new Date(Date.now() + 60_000).toISOString(),
    };
    const byTime = await api<Receipt>('POST', '/v1/privacy/erasure-requests', { body: range });
    expect(byTime.body.selector).toEqual({ kind: 'time_range', ...range });
    expect((await finished(byTime.body)).counts.clicks_erased).toBeGreaterThanOrEqual(1);
    expect(await clicksOn(stays)).toEqual([]);
  });

  it('refuses what is not a request, naming the field', async () => {
    expectValidation(
      await api('POST', '/v1/privacy/erasure-requests', { body: { visitor: { ip: 'not-an-ip' } } }),
      'body/visitor/ip',
    );
    expectValidation(await api('POST', '/v1/privacy/erasure-requests', { body: {} }));
    expectValidation(
      await api('POST', '/v1/privacy/erasure-requests', {
        body: { link_id: 'lnk_x', visitor: { ip: '192.0.2.1' } },
      }),
    );
    expectProblem(
      await api('POST', '/v1/privacy/erasure-requests', {
        body: { occurred_after: '2026-11-02T00:00:00Z', occurred_before: '2026-11-01T00:00:00Z' },
      }),
      422,
      'CW_ERR_UNPROCESSABLE',
      'unprocessable',
      'body/occurred_before',
    );
  });

  it('needs privacy:write to ask and privacy:read to look; never shows another workspace’s', async () => {
    const asked = await api<Receipt>('POST', '/v1/privacy/erasure-requests', {
      body: { visitor: { ip: '192.0.2.99' } },
    });
    const reader = apiClient(server.apiUrl, (await createKey(api, ['privacy:read'])).key);
    const writer = apiClient(server.apiUrl, (await createKey(api, ['privacy:write'])).key);
    expect((await reader('GET', asked.body.href)).status).toBe(200);
    expectProblem(
      await reader('POST', '/v1/privacy/erasure-requests', { body: { visitor: { ip: '192.0.2.98' } } }),
      403,
      'CW_ERR_INSUFFICIENT_SCOPE',
      'insufficient-scope',
    );
    expect(
      (await writer('POST', '/v1/privacy/erasure-requests', { body: { visitor: { ip: '192.0.2.98' } } }))
        .status,
    ).toBe(202);
    expectProblem(
      await writer('GET', asked.body.href),
      403,
      'CW_ERR_INSUFFICIENT_SCOPE',
      'insufficient-scope',
    );
    const other = apiClient(server.apiUrl, (await createWorkspace(server)).key);
    expectProblem(await other('GET', asked.body.href), 404, 'CW_ERR_NOT_FOUND', 'not-found');
    expectValidation(await api('GET', '/v1/privacy/erasure-requests/era_nope'), 'params/erasure_request_id');
  });
});
