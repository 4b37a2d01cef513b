import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/cli/export-command.js';
import { CSV_COLUMNS } from '../../src/clicks/click-csv.js';
import { apiClient, click } from '../support/api-client.js';
import { makeTempDir } from '../support/temp-dir.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Api, createKey, expectProblem } from './api-test-kit.js';

const BROWSER = {
  'user-agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  accept: 'text/html',
  'sec-fetch-site': 'none',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
};

describe('GET /v1/exports/clicks and clickwire export', () => {
  let server: TestServer;
  let api: Api;
  let out: { dir: string; remove: () => void };
  let first: string;
  let order: string[];

  beforeAll(async () => {
    server = await startTestServer();
    api = apiClient(server.apiUrl, server.adminKey);
    out = makeTempDir('clickwire-export-');
    for (const alias of ['export-a', 'export-b']) {
      const link = await api<{ link_id: string }>('POST', '/v1/links', {
        body: { destination_url: 'https://example.com/', alias },
      });
      if (alias === 'export-a') first = link.body.link_id;
    }
    for (let i = 0; i < 5; i++) await click(server.edgeUrl, '/export-a', { headers: BROWSER });
    for (let i = 0; i < 3; i++) await click(server.edgeUrl, '/export-b', { headers: BROWSER });
    for (;;) {
      const page = await api<{ data: { click_id: string }[] }>(
        'GET',
        '/v1/clicks?order=asc&include_bots=true',
      );
      if (page.body.data.length >= 8) {
        order = page.body.data.map((c) => c.click_id);
        break;
      }
      await sleep(20);
    }
  });
  afterAll(async () => {
    await server.close();
    out.remove();
  });

  /** The export as sent: NDJSON is not one JSON document, so no client-side parsing. */
  async function exported(query: string, headers: Record<string, string> = {}) {
    const response = await request(`${server.apiUrl}/v1/exports/clicks?include_bots=true${query}`, {
      headers: { authorization: `Bearer ${server.adminKey}`, ...headers },
    });
    const text = await response.body.text();
    const problem = String(response.headers['content-type']).startsWith('application/problem+json');
    return {
      status: response.statusCode,
      headers: response.headers,
      text,
      body: problem ? (JSON.parse(text) as unknown) : text,
    };
  }

  it('streams every click as NDJSON, in ingestion order, as the click resource', async () => {
    const answer = await exported('');
    expect(answer.status).toBe(200);
    expect(String(answer.headers['content-type'])).toMatch(/^application\/x-ndjson/);
    const rows = answer.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { click_id: string; privacy: object; ip_hash: string });
    expect(rows.map((row) => row.click_id)).toEqual(order);
    const resource = await api('GET', `/v1/clicks/${order[0]}`);
    expect(rows[0]).toEqual(resource.body);
    expect(answer.text).not.toContain('user_agent":"Mozilla');
  });

  it('answers CSV for Accept: text/csv or format=csv, with the filters of the click list', async () => {
    const byAccept = await exported(`&link_id=${first}`, { accept: 'text/csv' });
    expect(String(byAccept.headers['content-type'])).toMatch(/^text\/csv/);
    const lines = byAccept.text.trimEnd().split('\r\n');
    expect(lines[0]!.split(',')).toEqual([...CSV_COLUMNS]);
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(order.slice(0, 5));
    const byFormat = await exported(`&link_id=${first}&format=csv`, { accept: 'application/x-ndjson' });
    expect(byFormat.text).toBe(byAccept.text);
  });

  it('resumes after the last click received, and refuses a cursor it does not know', async () => {
    const rest = await exported(`&cursor=${order[2]}`);
    expect(
      rest.text
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as { click_id: string }).click_id),
    ).toEqual(order.slice(3));
    expectProblem(
      await exported('&cursor=clk_01JD0000000000000000000000'),
      400,
      'CW_ERR_INVALID_CURSOR',
      'invalid-cursor',
      'querystring/cursor',
    );
    expectProblem(
      await exported('&format=xml'),
      400,
      'CW_ERR_VALIDATION',
      'validation-failed',
      'querystring/format',
    );
  });

  it('needs clicks:read', async () => {
    const writer = await createKey(api, ['links:write']);
    expectProblem(
      await apiClient(server.apiUrl, writer.key)('GET', '/v1/exports/clicks'),
      403,
      'CW_ERR_INSUFFICIENT_SCOPE',
      'insufficient-scope',
    );
  });

  it('the CLI writes the same file, and --resume finishes one an interrupted run cut mid-row', async () => {
    const file = path.join(out.dir, 'clicks.ndjson');
    const command = {
      apiUrl: server.apiUrl,
      apiKey: server.adminKey,
      format: 'ndjson' as const,
      out: file,
      filters: { include_bots: 'true' },
      resume: false,
      progress: null,
    };
    expect(await runExport(command)).toMatchObject({ rows: 8 });
    const whole = fs.readFileSync(file, 'utf8');
    expect(whole).toBe((await exported('')).text);

    // An interrupted run: three rows and part of the fourth.
    const lines = whole.split('\n');
    fs.writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n${lines[3]!.slice(0, 40)}`);
    expect(await runExport({ ...command, resume: true })).toMatchObject({ rows: 5 });
    expect(fs.readFileSync(file, 'utf8')).toBe(whole);

    const csv = path.join(out.dir, 'clicks.csv');
    await runExport({ ...command, format: 'csv', out: csv });
    const csvWhole = fs.readFileSync(csv, 'utf8');
    const csvLines = csvWhole.split('\r\n');
    fs.writeFileSync(csv, `${csvLines.slice(0, 4).join('\r\n')}\r\n${csvLines[4]!.slice(0, 10)}`);
    await runExport({ ...command, format: 'csv', out: csv, resume: true });
    expect(fs.readFileSync(csv, 'utf8')).toBe(csvWhole);
  });
});
