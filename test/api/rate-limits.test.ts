import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/kernel/clock.js';
import { type ApiAnswer, apiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Api, createKey, expectProblem, expectUnauthenticated } from './api-test-kit.js';

const RAW = 6;
const AGGREGATE = 3;
const WINDOW_MS = 60_000;

let server: TestServer;
let clock: ManualClock;
let api: Api;

beforeAll(async () => {
  // Start in the middle of a window, far from its end: the test moves time itself.
  const start = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS + 1000;
  clock = new ManualClock(start);
  server = await startTestServer({
    clock,
    env: {
      CLICKWIRE_API_RATE_LIMIT_RAW: String(RAW),
      CLICKWIRE_API_RATE_LIMIT_AGGREGATE: String(AGGREGATE),
      CLICKWIRE_API_RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
    },
  });
  api = apiClient(server.apiUrl, server.adminKey);
});
afterAll(async () => server?.close());

/** A fresh key of the default workspace: budgets are per key, so each test starts with full ones. */
async function freshKey(): Promise<Api> {
  // Made with the admin key, whose own raw budget this draws on: move to a new window first.
  clock.advance(WINDOW_MS);
  const { key } = await createKey(api, ['links:read', 'clicks:read', 'analytics:read', 'links:write']);
  return apiClient(server.apiUrl, key);
}

function limits(answer: ApiAnswer) {
  return {
    limit: Number(answer.headers['ratelimit-limit']),
    remaining: Number(answer.headers['ratelimit-remaining']),
    reset: Number(answer.headers['ratelimit-reset']),
  };
}

const expectRateLimited = (answer: ApiAnswer) => {
  expectProblem(answer, 429, 'CW_ERR_RATE_LIMITED', 'rate-limited');
  const retryAfter = Number(answer.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(retryAfter).toBe(limits(answer).reset);
};

describe('rate limits per API key', () => {
  it('every answer carries RateLimit-Limit, -Remaining and -Reset, counting down within the window', async () => {
    const client = await freshKey();
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await client('GET', '/v1/links');
      expect(answer.status, answer.text).toBe(200);
      const { limit, remaining, reset } = limits(answer);
      expect(limit).toBe(RAW);
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(WINDOW_MS / 1000);
      seen.push(remaining);
    }
    expect(seen).toEqual([RAW - 1, RAW - 2, RAW - 3]);
    // Problems count and carry the headers too.
    const missing = await client('GET', '/v1/links/lnk_01E0000000000000000000000A');
    expect(missing.status).toBe(404);
    expect(limits(missing)).toMatchObject({ limit: RAW, remaining: RAW - 4 });
  });

  it('answers 429 with Retry-After once the raw budget is used, until the window ends', async () => {
    const client = await freshKey();
    for (let i = 0; i < RAW; i++) expect((await client('GET', '/v1/links')).status).toBe(200);
    const refused = await client('GET', '/v1/links');
    expectRateLimited(refused);
    expect(limits(refused)).toMatchObject({ limit: RAW, remaining: 0 });
    // A refused write is refused before it runs: no link is made.
    const write = await client('POST', '/v1/links', { body: { destination_url: 'https://example.com/x' } });
    expectRateLimited(write);

    clock.advance(limits(refused).reset * 1000);
    const again = await client('GET', '/v1/links');
    expect(again.status, again.text).toBe(200);
    expect(limits(again).remaining).toBe(RAW - 1);
  });

  it('raw and aggregate routes have separate budgets', async () => {
    const client = await freshKey();
    const daily = '/v1/analytics/clicks/daily';
    for (let i = 0; i < AGGREGATE; i++) {
      const answer = await client('GET', daily);
      expect(answer.status, answer.text).toBe(200);
      expect(limits(answer)).toMatchObject({ limit: AGGREGATE, remaining: AGGREGATE - 1 - i });
    }
    expectRateLimited(await client('GET', '/v1/analytics/clicks/by-country'));
    // The raw budget is untouched by the analytics calls…
    const raw = await client('GET', '/v1/clicks');
    expect(raw.status, raw.text).toBe(200);
    expect(limits(raw)).toMatchObject({ limit: RAW, remaining: RAW - 1 });
    // …and using it up leaves analytics refused only for its own reason.
    for (let i = 1; i < RAW; i++) expect((await client('GET', '/v1/clicks')).status).toBe(200);
    expectRateLimited(await client('GET', '/v1/links'));
  });

  it('keys have budgets of their own', async () => {
    const first = await freshKey();
    const { key } = await createKey(api, ['links:read']);
    const second = apiClient(server.apiUrl, key);
    for (let i = 0; i < RAW; i++) await first('GET', '/v1/links');
    expectRateLimited(await first('GET', '/v1/links'));
    const other = await second('GET', '/v1/links');
    expect(other.status).toBe(200);
    expect(limits(other).remaining).toBe(RAW - 1);
  });

  it('health, readiness, metrics and the OpenAPI document are not limited; unauthenticated calls carry no budget', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      for (let i = 0; i < RAW + 1; i++) {
        const answer = await apiClient(server.apiUrl, null)('GET', path);
        expect(answer.status, path).toBe(200);
        expect(answer.headers['ratelimit-limit'], path).toBeUndefined();
      }
    }
    const anonymous = await apiClient(server.apiUrl, null)('GET', '/v1/links');
    expectUnauthenticated(anonymous);
    expect(anonymous.headers['ratelimit-limit']).toBeUndefined();
  });
});
