import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/kernel/logger.js';
import type { CaptureRequest } from '../../../src/redirect/capture-request.js';
import { ThreadedClickCapture } from '../../../src/redirect/capture-thread.js';
import { UncapturableRequestError } from '../../../src/redirect/click-capture.js';
import { makeTempDir } from '../../support/temp-dir.js';

function request(slug: string, overrides: Partial<CaptureRequest> = {}): CaptureRequest {
  return {
    occurredAt: Date.now(),
    workspaceId: 'ws_01JD3Z8Q6N5V0000000000TEST',
    linkId: null,
    domainId: null,
    slug,
    method: 'GET',
    redirectStatus: 'not_found',
    blockReason: null,
    headers: { 'user-agent': 'Mozilla/5.0 — ünïcödé 🚀', referer: 'https://news.example.org/a?b=c' },
    clientAddress: '203.0.113.9',
    ...overrides,
  };
}

describe('ThreadedClickCapture', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let capture: ThreadedClickCapture | null = null;

  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(async () => {
    await capture?.stop();
    capture = null;
    temp.remove();
  });

  function rows(): { slug: string; headers: string }[] {
    const log = new Database(path.join(temp.dir, 'clicklog.db'), { readonly: true });
    try {
      return log.prepare('SELECT slug, headers FROM raw_clicks ORDER BY position').all() as {
        slug: string;
        headers: string;
      }[];
    } finally {
      log.close();
    }
  }

  it('makes every request durable before it resolves, across batches handed over while others commit', async () => {
    const config = loadConfig({ CLICKWIRE_DATA_DIR: temp.dir, CLICKWIRE_LOG_LEVEL: 'silent' });
    capture = await ThreadedClickCapture.start(config, createLogger('silent'));
    const started = capture;
    // Waves spread over event-loop turns, so some arrive while a batch is in flight.
    const waves = await Promise.all(
      Array.from({ length: 20 }, async (_, wave) => {
        await new Promise((resolve) => setTimeout(resolve, wave % 5));
        await Promise.all(Array.from({ length: 25 }, (_, i) => started.capture(request(`w${wave}-${i}`))));
      }),
    );
    expect(waves).toHaveLength(20);
    const stored = rows();
    expect(stored).toHaveLength(500);
    expect(new Set(stored.map((row) => row.slug)).size).toBe(500);
    expect(JSON.parse(stored[0]!.headers)).toEqual({
      'user-agent': 'Mozilla/5.0 — ünïcödé 🚀',
      referer: 'https://news.example.org/',
    });
  });

  it('rejects only the request without a usable address; the rest of its batch is recorded', async () => {
    const config = loadConfig({ CLICKWIRE_DATA_DIR: temp.dir, CLICKWIRE_LOG_LEVEL: 'silent' });
    capture = await ThreadedClickCapture.start(config, createLogger('silent'));
    const outcomes = await Promise.allSettled([
      capture.capture(request('a')),
      capture.capture(request('bad', { clientAddress: 'not-an-address' })),
      capture.capture(request('c')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(UncapturableRequestError);
    expect(rows().map((row) => row.slug)).toEqual(['a', 'c']);
  });

  it('answers everything handed over before stop, then stops', async () => {
    const config = loadConfig({ CLICKWIRE_DATA_DIR: temp.dir, CLICKWIRE_LOG_LEVEL: 'silent' });
    const started = await ThreadedClickCapture.start(config, createLogger('silent'));
    const first = started.capture(request('first'));
    // Let the first batch go over, then queue more behind it and stop at once.
    await new Promise((resolve) => setImmediate(resolve));
    const later = Array.from({ length: 10 }, (_, i) => started.capture(request(`later-${i}`)));
    await started.stop();
    await expect(Promise.all([first, ...later])).resolves.toHaveLength(11);
    expect(rows()).toHaveLength(11);
  });
});
