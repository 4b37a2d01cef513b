import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Api, createKey, expectProblem, expectValidation } from './api-test-kit.js';

interface ClickView {
  click_id: string;
  ip_hash: string | null;
  country: string | null;
  asn: number | null;
  referrer_host: string | null;
  language: string | null;
  privacy_mode: string;
  privacy: Record<string, string>;
}

const BROWSER = {
  'user-agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  accept: 'text/html',
  'accept-language': 'de-DE,de;q=0.9',
  referer: 'https://news.example.org/story?id=42',
  'sec-fetch-site': 'cross-site',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
};

describe('GET/PATCH /v1/workspace/settings — retention and privacy options', () => {
  let server: TestServer;
  let api: Api;

  beforeAll(async () => {
    server = await startTestServer({ env: { CLICKWIRE_TRUSTED_PROXIES: '127.0.0.1/32' } });
    api = apiClient(server.apiUrl, server.adminKey);
  });
  afterAll(async () => server.close());

  async function clicksOf(linkId: string, count: number): Promise<ClickView[]> {
    for (;;) {
      const page = await api<{ data: ClickView[] }>('GET', `/v1/clicks?link_id=${linkId}&include_bots=true`);
      if (page.body.data.length >= count) return page.body.data;
      await sleep(20);
    }
  }

  it('shows the defaults: raw clicks 90 days, events 30, rollups forever, everything collected', async () => {
    const answer = await api('GET', '/v1/workspace/settings');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      workspace_id: server.running.defaultWorkspaceId,
      uniqueness_rule: 'link_visitor_24h',
      timezone: 'UTC',
      retention: { raw_clicks_days: 90, events_days: 30, rollups_days: null },
      privacy: {
        ip_hash: true,
        ip_prefix: true,
        country: true,
        asn: true,
        referrer: 'host',
        language: true,
        user_agent: 'raw_retention',
      },
      privacy_mode: {
        ip: 'prefix/24+hash-daily',
        geo: 'country+asn',
        referrer: 'host',
        language: 'primary',
        user_agent: 'raw-retention',
      },
    });
  });

  it('refuses out-of-range retention and unknown options, naming the field', async () => {
    for (const [body, field] of [
      [{ retention: { raw_clicks_days: 0 } }, 'body/retention/raw_clicks_days'],
      [{ retention: { raw_clicks_days: 3651 } }, 'body/retention/raw_clicks_days'],
      [{ retention: { events_days: 1.5 } }, 'body/retention/events_days'],
      [{ privacy: { referrer: 'full' } }, 'body/privacy/referrer'],
      [{ privacy: { ip_hash: 'no' } }, 'body/privacy/ip_hash'],
      [{ privacy: { colour: true } }, 'body/privacy/colour'],
      [{ timezone: 'Mars/Olympus' }, 'body/timezone'],
    ] as const) {
      expectValidation(await api('PATCH', '/v1/workspace/settings', { body }), field);
    }
    expectValidation(await api('PATCH', '/v1/workspace/settings', { body: {} }));
    const reader = await createKey(api, ['clicks:read']);
    expectProblem(
      await apiClient(server.apiUrl, reader.key)('PATCH', '/v1/workspace/settings', {
        body: { retention: { raw_clicks_days: 5 } },
      }),
      403,
      'CW_ERR_INSUFFICIENT_SCOPE',
      'insufficient-scope',
    );
  });

  it('applies the options at the edge to the next click, and every click states the mode it had', async () => {
    const link = await api<{ link_id: string }>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', alias: 'privacy-modes' },
    });
    const linkId = link.body.link_id;
    const from = { ...BROWSER, 'x-forwarded-for': '81.2.69.142' };
    expect((await click(server.edgeUrl, '/privacy-modes', { headers: from })).status).toBe(302);
    const [before] = await clicksOf(linkId, 1);
    expect(before!.ip_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(before!.referrer_host).toBe('news.example.org');
    expect(before!.privacy_mode).toBe('hashed_ip_truncated_prefix');
    expect(before!.privacy.ip).toBe('prefix/24+hash-daily');

    const patched = await api<{ privacy_mode: Record<string, string>; retention: object }>(
      'PATCH',
      '/v1/workspace/settings',
      {
        body: {
          retention: { raw_clicks_days: 30, rollups_days: 730 },
          privacy: { ip_hash: false, country: false, asn: false, referrer: 'off', language: false },
        },
      },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.retention).toEqual({ raw_clicks_days: 30, events_days: 30, rollups_days: 730 });
    expect(patched.body.privacy_mode).toEqual({
      ip: 'prefix/24',
      geo: 'none',
      referrer: 'none',
      language: 'none',
      user_agent: 'raw-retention',
    });

    expect((await click(server.edgeUrl, '/privacy-modes', { headers: from })).status).toBe(302);
    const clicks = await clicksOf(linkId, 2);
    const after = clicks.find((c) => c.click_id !== before!.click_id)!;
    expect(after.ip_hash).toBeNull();
    expect([after.country, after.asn, after.referrer_host, after.language]).toEqual([null, null, null, null]);
    expect(after.privacy).toEqual(patched.body.privacy_mode);
    // The click captured before keeps the mode it had.
    expect(clicks.find((c) => c.click_id === before!.click_id)!.privacy.ip).toBe('prefix/24+hash-daily');

    // A simulated click goes through the same options.
    const simulated = await api<{ click_id: string }>('POST', '/v1/clicks/simulate', {
      body: { link_id: linkId, ip: '81.2.69.142', referer: 'https://a.example/x?y=z' },
    });
    expect(simulated.status).toBe(202);
    let view: ClickView | undefined;
    while (!view) {
      const answer = await api<ClickView>('GET', `/v1/clicks/${simulated.body.click_id}`);
      if (answer.status === 200) view = answer.body;
      else await sleep(20);
    }
    expect([view.ip_hash, view.country, view.referrer_host]).toEqual([null, null, null]);
    expect(view.privacy).toEqual(patched.body.privacy_mode);

    // The old keys still answer, and the workspace resource is unchanged in shape.
    expect((await api('GET', '/v1/workspace')).body).toMatchObject({ uniqueness_rule: 'link_visitor_24h' });
    await api('PATCH', '/v1/workspace/settings', {
      body: { privacy: { ip_hash: true, country: true, asn: true, referrer: 'host', language: true } },
    });
  });

  it('says when a click query reaches before raw retention, and aggregates state mode and retention', async () => {
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    const old = new Date(Date.now() - 400 * 86_400_000).toISOString();
    const inside = await api<{ retention: { range_within_raw_retention: boolean; raw_clicks_days: number } }>(
      'GET',
      `/v1/clicks?occurred_after=${recent}`,
    );
    expect(inside.body.retention).toMatchObject({ range_within_raw_retention: true, raw_clicks_days: 30 });
    const outside = await api<{
      retention: { range_within_raw_retention: boolean; raw_clicks_from: string };
    }>('GET', `/v1/clicks?occurred_after=${old}`);
    expect(outside.body.retention.range_within_raw_retention).toBe(false);
    expect(Date.parse(outside.body.retention.raw_clicks_from)).toBeGreaterThan(Date.parse(old));
    const unbounded = await api<{ retention: { range_within_raw_retention: boolean } }>('GET', '/v1/clicks');
    expect(unbounded.body.retention.range_within_raw_retention).toBe(false);

    const daily = await api<{
      privacy: Record<string, string>;
      retention: { range_within_raw_retention: boolean };
    }>('GET', `/v1/analytics/clicks/daily?occurred_after=${old}`);
    expect(daily.status).toBe(200);
    expect(daily.body.privacy).toMatchObject({ ip: 'prefix/24+hash-daily' });
    expect(daily.body.retention.range_within_raw_retention).toBe(false);
  });
});
