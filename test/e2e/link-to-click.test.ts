import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** A loopback address no other part of the setup uses, so finding it on disk can only mean a leak. */
const CLIENT_IP = '127.0.0.23';

describe('create a link, click it, find the raw click in the log', () => {
  let server: TestServer;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    server = await startTestServer();
    api = apiClient(server.apiUrl, server.adminKey);
  });
  afterAll(async () => server.close());

  it('redirects to the destination and records the click with derived network facts only', async () => {
    const created = await api<{ link_id: string; alias: string }>('POST', '/v1/links', {
      body: {
        destination_url: 'https://shop.example.com/sale?src=cw#top',
        alias: 'spring-sale',
        forward_query: true,
        tags: ['email'],
        campaign_id: 'spring-2026',
      },
    });
    expect(created.status).toBe(201);

    const answer = await click(server.edgeUrl, '/spring-sale?utm_source=newsletter', {
      headers: {
        'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Safari/605.1.15',
        'accept-language': 'de-DE,de;q=0.9',
        referer: 'https://mail.google.com/mail/u/0/',
      },
      from: CLIENT_IP,
    });
    expect(answer.status).toBe(302);
    expect(answer.location).toBe('https://shop.example.com/sale?src=cw&utm_source=newsletter#top');
    expect(answer.headers['cache-control']).toBe('private, max-age=0');

    const entries = await readLog(server);
    const clickEntry = entries.find((entry) => entry.click.slug === 'spring-sale');
    expect(clickEntry).toBeDefined();
    const raw = clickEntry!.click;
    expect(raw.clickId).toMatch(/^clk_[0-9A-Z]{26}$/);
    expect(raw.linkId).toBe(created.body.link_id);
    expect(raw.workspaceId).toBe(server.running.defaultWorkspaceId);
    expect(raw.method).toBe('GET');
    expect(raw.redirectStatus).toBe('success');
    expect(raw.headers['accept-language']).toBe('de-DE,de;q=0.9');
    expect(raw.ipPrefix).toBe('127.0.0.0/24');
    expect(raw.ipHash).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(raw)).not.toContain(CLIENT_IP);
  });

  it('never writes the client address to any file in the data directory', async () => {
    await click(server.edgeUrl, '/spring-sale', { from: CLIENT_IP });
    await click(server.edgeUrl, '/no-such-link', { from: CLIENT_IP, method: 'HEAD' });
    const files = fs.readdirSync(server.dataDir);
    expect(files).toContain('clicklog.db');
    for (const file of files) {
      const bytes = fs.readFileSync(path.join(server.dataDir, file));
      expect(bytes.includes(CLIENT_IP), `${file} contains the client IP`).toBe(false);
    }
  });
});

async function readLog(server: TestServer) {
  // The running backend's own click log: the same SQLite file the edge appends to.
  const { SqliteClickLog } = await import('../../src/adapters/sqlite/sqlite-click-log.js');
  const log = new SqliteClickLog({
    file: path.join(server.dataDir, 'clicklog.db'),
    synchronous: 'NORMAL',
    maxBatch: 10,
  });
  try {
    return await log.readAfter(0, 1000);
  } finally {
    await log.close();
  }
}
