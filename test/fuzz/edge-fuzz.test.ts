import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { assertProperty, encodePart, hostileHeaderValue, hostileString } from './support/hostile.js';
import { type RawAnswer, rawRequest, sendRaw } from './support/raw-http.js';

const RUNS = Number(process.env.CLICKWIRE_FUZZ_RUNS ?? 40) * 10;
const ALIASES = ['promo', 'fwd', 'gone'];

describe('edge fuzz: hostile redirect requests', () => {
  let server: TestServer;
  let port: number;

  beforeAll(async () => {
    server = await startTestServer();
    port = Number(new URL(server.edgeUrl).port);
    const api = apiClient(server.apiUrl, server.adminKey);
    await api('POST', '/v1/links', { body: { destination_url: 'https://example.com/a', alias: 'promo' } });
    await api('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/b?x=1', alias: 'fwd', forward_query: true },
    });
    const gone = await api<{ link_id: string }>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/c', alias: 'gone' },
    });
    await api('DELETE', `/v1/links/${gone.body.link_id}`);
  });
  afterAll(async () => {
    await server?.close();
  });

  const request = fc
    .record({
      method: fc.constantFrom('GET', 'HEAD', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'BREW'),
      slug: fc.oneof(fc.constantFrom(...ALIASES), hostileString),
      raw: fc.boolean(),
      query: fc.array(fc.tuple(hostileString, hostileString), { maxLength: 4 }),
      host: fc.oneof(
        { weight: 5, arbitrary: fc.constant(Buffer.from('127.0.0.1')) },
        { weight: 1, arbitrary: hostileHeaderValue },
      ),
      headers: fc.array(
        fc.tuple(
          fc.constantFrom(
            'user-agent',
            'referer',
            'accept-language',
            'x-forwarded-for',
            'forwarded',
            'sec-purpose',
            'cookie',
            'x-fuzz',
          ),
          fc.oneof(
            {
              weight: 4,
              arbitrary: hostileString.map((text) =>
                Buffer.from(text.replace(/[\r\n]/g, '').replaceAll(String.fromCharCode(0), '')),
              ),
            },
            { weight: 1, arbitrary: hostileHeaderValue },
          ),
        ),
        { maxLength: 5 },
      ),
    })
    .map((parts) => {
      const query = parts.query.map(
        ([name, value]) => `${encodePart(name, parts.raw)}=${encodePart(value, parts.raw)}`,
      );
      const target = `/${encodePart(parts.slug, parts.raw)}${query.length ? `?${query.join('&')}` : ''}`;
      return rawRequest({ method: parts.method, target, headers: [['host', parts.host], ...parts.headers] });
    });

  function describeAnswer(answer: RawAnswer, sent: Buffer): string {
    return `${sent.subarray(0, 200).toString()}\n→ ${answer.status} ${answer.body.subarray(0, 200).toString()}`;
  }

  it('answers every request with 2xx–4xx, never a 5xx, a crash or a hang', async () => {
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const statuses = new Map<number, number>();
    await assertProperty(
      fc.asyncProperty(request, async (sent) => {
        const answer = await sendRaw(port, sent);
        expect(answer.status, describeAnswer(answer, sent)).not.toBeNull();
        expect(answer.status!, describeAnswer(answer, sent)).toBeLessThan(500);
        statuses.set(answer.status!, (statuses.get(answer.status!) ?? 0) + 1);
      }),
      RUNS,
    );
    // Still redirecting afterwards.
    expect((await click(server.edgeUrl, '/promo')).status).toBe(302);
    globalThis.gc?.();
    console.info(
      `[fuzz:edge] ${RUNS} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}; heap ` +
        `${(heapBefore / 1e6).toFixed(1)} → ${(process.memoryUsage().heapUsed / 1e6).toFixed(1)} MB`,
    );
  });
});
