import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('edge → click log → processor thread → stored click and event', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ env: { CLICKWIRE_PUBLIC_URL: 'https://clk.example.test' } });
  });
  afterAll(async () => server.close());

  function stored<T>(sql: string): T[] {
    const db = new Database(path.join(server.dataDir, 'clickwire.db'), { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  }

  it('classifies and stores each click within moments, with its click.created event', async () => {
    const api = apiClient(server.apiUrl, server.adminKey);
    const link = await api<{ link_id: string }>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', alias: 'pipeline', tags: ['e2e'] },
    });
    const person = {
      'user-agent':
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      accept: 'text/html',
      'accept-language': 'fr-FR,fr;q=0.9',
      'sec-fetch-site': 'none',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
    };
    expect((await click(server.edgeUrl, '/pipeline', { headers: person })).status).toBe(302);
    expect(
      (
        await click(server.edgeUrl, '/pipeline', {
          headers: { 'user-agent': 'TelegramBot (like TwitterBot)' },
        })
      ).status,
    ).toBe(302);
    expect((await click(server.edgeUrl, '/pipeline', { method: 'HEAD' })).status).toBe(302);

    let rows: {
      link_id: string;
      traffic_class: string;
      device_type: string;
      language: string | null;
      is_unique: number;
    }[] = [];
    for (let attempt = 0; attempt < 100 && rows.length < 3; attempt++) {
      await sleep(50);
      rows = stored(
        'SELECT link_id, traffic_class, device_type, language, is_unique FROM clicks ORDER BY seq',
      );
    }
    expect(rows).toEqual([
      {
        link_id: link.body.link_id,
        traffic_class: 'human',
        device_type: 'mobile',
        language: 'fr',
        is_unique: 1,
      },
      {
        link_id: link.body.link_id,
        traffic_class: 'link_preview',
        device_type: 'bot',
        language: null,
        is_unique: 0,
      },
      {
        link_id: link.body.link_id,
        traffic_class: 'prefetch',
        device_type: 'unknown',
        language: null,
        is_unique: 0,
      },
    ]);
    const created = stored<{ n: number }>(
      "SELECT count(*) AS n FROM events WHERE event_type = 'click.created'",
    );
    expect(created[0]!.n).toBe(3);
  });
});
