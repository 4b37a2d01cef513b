import { describe, expect, it } from 'vitest';
import {
  failedEventIdsOf,
  verdictOfError,
  verdictOfResponse,
} from '../../../src/webhooks/attempt-verdict.js';

describe('attempt verdicts', () => {
  it.each([200, 201, 202, 204, 299])('%i is a success', (status) => {
    expect(verdictOfResponse(status, null, null)).toEqual({ kind: 'success' });
  });

  it.each([
    [100, 'invalid_response'],
    [199, 'invalid_response'],
    [300, 'invalid_response'],
    [301, 'invalid_response'],
    [302, 'invalid_response'],
    [304, 'invalid_response'],
    [307, 'invalid_response'],
    [308, 'invalid_response'],
    [400, 'http_4xx'],
    [401, 'http_4xx'],
    [403, 'http_4xx'],
    [404, 'http_4xx'],
    [409, 'http_4xx'],
    [413, 'http_4xx'],
    [499, 'http_4xx'],
    [500, 'http_5xx'],
    [502, 'http_5xx'],
    [504, 'http_5xx'],
    [599, 'http_5xx'],
    [600, 'invalid_response'],
  ] as const)('%i is a failure (%s) that retries on the schedule', (status, category) => {
    expect(verdictOfResponse(status, 5_000, null)).toEqual({
      kind: 'failure',
      category,
      retryAfterMs: null,
      gone: false,
    });
  });

  it('410 disables the subscription', () => {
    expect(verdictOfResponse(410, 5_000, null)).toEqual({
      kind: 'failure',
      category: 'http_4xx',
      retryAfterMs: null,
      gone: true,
    });
  });

  it.each([
    [429, 'http_4xx'],
    [503, 'http_5xx'],
  ] as const)('%i keeps the Retry-After it came with', (status, category) => {
    expect(verdictOfResponse(status, 7_000, null)).toEqual({
      kind: 'failure',
      category,
      retryAfterMs: 7_000,
      gone: false,
    });
    expect(verdictOfResponse(status, null, null)).toEqual({
      kind: 'failure',
      category,
      retryAfterMs: null,
      gone: false,
    });
  });

  it('a batch 2xx naming failed events is partial; naming none is a success', () => {
    expect(verdictOfResponse(200, null, ['evt_1'])).toEqual({ kind: 'partial', failedEventIds: ['evt_1'] });
    expect(verdictOfResponse(200, null, [])).toEqual({ kind: 'success' });
    expect(verdictOfResponse(500, null, ['evt_1'])).toMatchObject({ kind: 'failure' });
  });

  it('transport failures keep their category', () => {
    expect(verdictOfError('timeout')).toEqual({
      kind: 'failure',
      category: 'timeout',
      retryAfterMs: null,
      gone: false,
    });
    expect(verdictOfError('ssrf_blocked')).toMatchObject({ category: 'ssrf_blocked', gone: false });
  });

  it.each([
    ['{"failed":["evt_1","evt_2"]}', ['evt_1', 'evt_2']],
    ['{ "failed" : [ "evt_1" ], "ok": 3 }', ['evt_1']],
    ['{"failed":["evt_1", 7, null, {"id":"x"}]}', ['evt_1']],
    ['{"failed":[]}', []],
    ['{"failed":"evt_1"}', []],
    ['{"failed":null}', []],
    ['["failed"]', []],
    ['{"failed":[', []],
    ['', []],
    ['OK', []],
    ['{"accepted":["evt_1"]}', []],
  ])('reads the failed events of %j', (body, ids) => {
    expect(failedEventIdsOf(body)).toEqual(ids);
  });
});
