import { describe, expect, it } from 'vitest';
import { streakEffects } from '../../../src/adapters/sql/sql-delivery-store.js';
import { BATCH_PAYLOAD_BUDGET, chunkBatch } from '../../../src/webhooks/batch-chunks.js';
import { truncateUtf8 } from '../../../src/webhooks/delivery-attempt.js';
import type { AttemptRecord } from '../../../src/webhooks/delivery-store.js';
import { SubscriptionLimiter } from '../../../src/webhooks/subscription-limiter.js';
import { requestBody, signRequest } from '../../../src/webhooks/webhook-request.js';

const ev = (n: number, size = 10) => ({
  sequence: n,
  eventId: `evt_${n}`,
  payload: `"${'x'.repeat(size - 2)}"`,
});

describe('batch chunks', () => {
  it('cuts by count', () => {
    const chunks = chunkBatch(
      [1, 2, 3, 4, 5].map((n) => ev(n)),
      2,
      1_000,
    );
    expect(chunks.map((c) => c.map((e) => e.sequence))).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('cuts by payload bytes, never leaving a batch empty', () => {
    const chunks = chunkBatch([ev(1, 40), ev(2, 40), ev(3, 100), ev(4, 10)], 10, 90);
    expect(chunks.map((c) => c.map((e) => e.sequence))).toEqual([[1, 2], [3], [4]]);
  });

  it('counts bytes, not characters', () => {
    const wide = { sequence: 1, eventId: 'evt_1', payload: '"ééééé"' }; // 12 bytes
    expect(chunkBatch([wide, wide], 10, 20).length).toBe(2);
    expect(chunkBatch([wide, wide], 10, 24).length).toBe(1);
  });

  it('weighs a missing payload as nothing, and handles no events', () => {
    expect(chunkBatch([{ sequence: 1, eventId: 'e', payload: null }, ev(2, 5)], 10, 5).length).toBe(1);
    expect(chunkBatch([], 10, 10)).toEqual([]);
  });

  it('leaves room for the batch fields under the 256 KB payload limit', () => {
    expect(BATCH_PAYLOAD_BUDGET).toBeLessThan(256 * 1024);
    expect(BATCH_PAYLOAD_BUDGET).toBeGreaterThan(240 * 1024);
  });
});

describe('request bodies and headers', () => {
  it('sends a single event byte for byte', () => {
    const body = '{"event_id":"evt_1","data":{"é":1}}';
    expect(requestBody({ kind: 'event', sequence: 7, payload: body }, 'evt_1', 0)).toEqual({
      body,
      sequences: [7],
    });
    expect(requestBody({ kind: 'event', sequence: 7, payload: null }, 'evt_1', 0)).toBeNull();
  });

  it('wraps a batch as {batch_id, sent_at, events, sequences}, skipping events no longer stored', () => {
    const content = requestBody(
      {
        kind: 'batch',
        events: [
          { sequence: 4, eventId: 'evt_a', payload: '{"event_id":"evt_a"}' },
          { sequence: 5, eventId: 'evt_b', payload: null },
          { sequence: 9, eventId: 'evt_c', payload: '{"event_id":"evt_c"}' },
        ],
      },
      'dlv_1',
      Date.UTC(2026, 10, 27, 12, 0, 0, 5),
    );
    expect(JSON.parse(content!.body)).toEqual({
      batch_id: 'dlv_1',
      sent_at: '2026-11-27T12:00:00.005Z',
      events: [{ event_id: 'evt_a' }, { event_id: 'evt_c' }],
      sequences: [4, 9],
    });
    expect(
      requestBody({ kind: 'batch', events: [{ sequence: 1, eventId: 'e', payload: null }] }, 'dlv_1', 0),
    ).toBeNull();
  });

  it('signs with the Standard Webhooks headers and names the highest sequence', () => {
    const signed = signRequest('dlv_1', { body: '{}', sequences: [4, 9, 6] }, 1_800_000_000_999, [
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ]);
    expect(signed.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'dlv_1',
      'webhook-timestamp': '1800000000',
      'clickwire-sequence': '9',
    });
    expect(signed.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(
      signRequest('evt_1', { body: '{}', sequences: [] }, 0, ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'])
        .headers,
    ).not.toHaveProperty('clickwire-sequence');
  });

  it('cuts stored answers on a character boundary', () => {
    expect(truncateUtf8('abc', 4096)).toBe('abc');
    expect(truncateUtf8('x'.repeat(5000), 4096)).toHaveLength(4096);
    const cut = truncateUtf8('é'.repeat(3000), 4095);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(4095);
    expect(cut).toBe('é'.repeat(2047));
  });
});

describe('per-subscription limits', () => {
  it('admits at most max-in-flight requests at once', () => {
    const limiter = new SubscriptionLimiter(2, null, 0);
    expect([limiter.tryStart(0), limiter.tryStart(0), limiter.tryStart(0)]).toEqual([true, true, false]);
    expect(limiter.active).toBe(2);
    limiter.finish();
    expect(limiter.tryStart(0)).toBe(true);
    expect(limiter.freeSlots).toBe(0);
  });

  it('starts at most rate-per-second requests, refilling continuously', () => {
    const limiter = new SubscriptionLimiter(100, 4, 0);
    const started = (now: number) => {
      let n = 0;
      while (limiter.tryStart(now)) n++;
      return n;
    };
    expect(started(0)).toBe(4);
    expect(started(100)).toBe(0);
    expect(started(250)).toBe(1);
    expect(started(1_250)).toBe(4); // a full second refills the bucket, no more
    expect(started(10_000)).toBe(4);
  });

  it('takes a new rate or concurrency without losing requests in flight', () => {
    const limiter = new SubscriptionLimiter(1, null, 0);
    expect(limiter.tryStart(0)).toBe(true);
    limiter.reconfigure(3, 1, 0);
    expect(limiter.tryStart(0)).toBe(false); // no token yet for the new rate
    expect(limiter.tryStart(1_000)).toBe(true);
    expect(limiter.active).toBe(2);
  });
});

describe('failure streak effects', () => {
  const rec = (
    subscriptionId: string,
    endpoint: AttemptRecord['endpoint'],
    startedAt: number,
  ): AttemptRecord => ({
    deliveryId: 'dlv',
    subscriptionId,
    attempt: {
      deliveryId: 'dlv',
      subscriptionId,
      trigger: 'scheduled',
      startedAt,
      durationMs: 1,
      outcome: endpoint === 'ok' ? 'succeeded' : 'failed',
      statusCode: null,
      errorCategory: null,
      errorDetail: null,
      requestHeaders: {},
      responseBody: null,
    },
    next: { status: 'succeeded' },
    endpoint,
  });

  it('folds a batch of records into one change per subscription, in order', () => {
    const effects = streakEffects(
      [
        rec('a', 'failing', 1),
        rec('a', 'failing', 2),
        rec('b', 'ok', 3),
        rec('c', 'failing', 4),
        rec('c', 'ok', 5),
        rec('c', 'failing', 6),
        rec('d', 'none', 7),
      ],
      100,
    );
    expect(Object.fromEntries(effects)).toEqual({
      a: { restart: false, failures: 2, firstFailureAt: 1 },
      b: { restart: true, failures: 0, firstFailureAt: null },
      c: { restart: true, failures: 1, firstFailureAt: 6 },
    });
  });

  it('leaves out failures that started before the subscription last changed status', () => {
    const effects = streakEffects(
      [rec('a', 'failing', 1), rec('a', 'failing', 5), rec('b', 'failing', 2), rec('c', 'ok', 1)],
      100,
      new Map([
        ['a', 4],
        ['b', 3],
        ['c', 9],
      ]),
    );
    expect(Object.fromEntries(effects)).toEqual({
      a: { restart: false, failures: 1, firstFailureAt: 5 },
      c: { restart: true, failures: 0, firstFailureAt: null },
    });
  });
});
