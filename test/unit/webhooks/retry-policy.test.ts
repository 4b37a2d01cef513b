import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from '../../../src/config/webhook-config.js';
import type { AttemptVerdict } from '../../../src/webhooks/attempt-verdict.js';
import {
  backoffDelayMs,
  clampRetryAfterMs,
  defaultMaxAttempts,
  nextStep,
} from '../../../src/webhooks/retry-policy.js';

const DEFAULT = DEFAULT_RETRY_SCHEDULE_SECONDS.map((s) => s * 1000);
const SHORT = [1_000, 10_000, 60_000];
const failure = (overrides: Partial<Extract<AttemptVerdict, { kind: 'failure' }>> = {}): AttemptVerdict => ({
  kind: 'failure',
  category: 'http_5xx',
  retryAfterMs: null,
  gone: false,
  ...overrides,
});

describe('backoff delay', () => {
  it.each(DEFAULT.map((delay, i) => [i + 1, delay]))(
    'after failed attempt %i waits %i ms (no jitter)',
    (n, delay) => {
      expect(backoffDelayMs(n, DEFAULT, 0.5)).toBe(delay);
    },
  );

  it('follows the default schedule: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h, 24 h', () => {
    expect(DEFAULT).toEqual([
      5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
    ]);
  });

  it('repeats the last step when attempts outnumber steps', () => {
    expect(backoffDelayMs(4, SHORT, 0.5)).toBe(60_000);
    expect(backoffDelayMs(19, SHORT, 0.5)).toBe(60_000);
  });

  it('treats attempt numbers below 1 as the first', () => {
    expect(backoffDelayMs(0, SHORT, 0.5)).toBe(1_000);
    expect(backoffDelayMs(-3, SHORT, 0.5)).toBe(1_000);
  });

  it.each([
    [0, 0.8],
    [0.25, 0.9],
    [0.5, 1.0],
    [0.75, 1.1],
    [0.999_999, 1.2],
  ])('spreads ±20 %: random $0 gives $1 × the step', (random, factor) => {
    expect(backoffDelayMs(2, SHORT, random)).toBe(Math.round(10_000 * factor));
  });

  it('never leaves the ±20 % band, whatever the random source returns', () => {
    for (const random of [-1, -0.0001, 1, 1.5, Number.NaN].filter((r) => !Number.isNaN(r))) {
      const delay = backoffDelayMs(3, SHORT, random);
      expect(delay).toBeGreaterThanOrEqual(48_000);
      expect(delay).toBeLessThanOrEqual(72_000);
    }
    for (let i = 0; i < 1000; i++) {
      const delay = backoffDelayMs(1, DEFAULT, Math.random());
      expect(delay).toBeGreaterThanOrEqual(4_000);
      expect(delay).toBeLessThanOrEqual(6_000);
    }
  });

  it('refuses an empty schedule', () => {
    expect(() => backoffDelayMs(1, [], 0.5)).toThrow(/empty/);
  });
});

describe('Retry-After bounds', () => {
  it.each([
    [0, 1_000],
    [500, 1_000],
    [1_000, 1_000],
    [30_000, 30_000],
    [60_000, 60_000],
    [61_000, 60_000],
    [86_400_000, 60_000],
  ])('%i ms asked → %i ms with the short schedule', (asked, clamped) => {
    expect(clampRetryAfterMs(asked, SHORT)).toBe(clamped);
  });

  it('allows up to a day with the default schedule', () => {
    expect(clampRetryAfterMs(3_600_000, DEFAULT)).toBe(3_600_000);
    expect(clampRetryAfterMs(7 * 86_400_000, DEFAULT)).toBe(86_400_000);
  });
});

describe('next step after an attempt', () => {
  const at = (verdict: AttemptVerdict, attemptNumber: number, maxAttempts = 11) =>
    nextStep({ verdict, attemptNumber, maxAttempts, now: 1_000_000, scheduleMs: SHORT, random: 0.5 });

  it('is done after a success, whatever the attempt number', () => {
    for (const n of [1, 5, 11, 20]) expect(at({ kind: 'success' }, n)).toEqual({ kind: 'done' });
  });

  it('gives up at once on 410 Gone, even on the first attempt', () => {
    expect(at(failure({ category: 'http_4xx', gone: true }), 1)).toEqual({
      kind: 'give_up',
      reason: 'subscription_disabled',
    });
  });

  it('retries on the schedule until max_attempts, then dead-letters', () => {
    expect(at(failure(), 1, 3)).toEqual({ kind: 'retry', at: 1_001_000 });
    expect(at(failure(), 2, 3)).toEqual({ kind: 'retry', at: 1_010_000 });
    expect(at(failure(), 3, 3)).toEqual({ kind: 'give_up', reason: 'attempts_exhausted' });
    expect(at(failure(), 4, 3)).toEqual({ kind: 'give_up', reason: 'attempts_exhausted' });
  });

  it('makes a single attempt when max_attempts is 1', () => {
    expect(at(failure(), 1, 1)).toEqual({ kind: 'give_up', reason: 'attempts_exhausted' });
    expect(at({ kind: 'success' }, 1, 1)).toEqual({ kind: 'done' });
  });

  it.each([
    'timeout',
    'connection_refused',
    'dns',
    'tls',
    'ssrf_blocked',
    'http_4xx',
    'http_5xx',
    'invalid_response',
  ] as const)('retries a %s failure', (category) => {
    expect(at(failure({ category }), 1)).toEqual({ kind: 'retry', at: 1_001_000 });
  });

  it('waits what Retry-After asked (clamped) instead of the schedule', () => {
    expect(at(failure({ category: 'http_4xx', retryAfterMs: 30_000 }), 1)).toEqual({
      kind: 'retry',
      at: 1_030_000,
    });
    expect(at(failure({ retryAfterMs: 0 }), 1)).toEqual({ kind: 'retry', at: 1_001_000 });
    expect(at(failure({ retryAfterMs: 999_999_999 }), 1)).toEqual({ kind: 'retry', at: 1_060_000 });
  });

  it('still dead-letters after max_attempts when the subscriber keeps asking for more time', () => {
    expect(at(failure({ retryAfterMs: 5_000 }), 11)).toEqual({
      kind: 'give_up',
      reason: 'attempts_exhausted',
    });
  });

  it('retries a batch whose answer named failed events, like a failure', () => {
    expect(at({ kind: 'partial', failedEventIds: ['evt_1'] }, 2)).toEqual({ kind: 'retry', at: 1_010_000 });
    expect(at({ kind: 'partial', failedEventIds: ['evt_1'] }, 11)).toEqual({
      kind: 'give_up',
      reason: 'attempts_exhausted',
    });
  });

  it('spreads the retry time with the jitter', () => {
    const step = (random: number) =>
      nextStep({ verdict: failure(), attemptNumber: 2, maxAttempts: 5, now: 0, scheduleMs: SHORT, random });
    expect(step(0)).toEqual({ kind: 'retry', at: 8_000 });
    expect(step(0.999_999)).toEqual({ kind: 'retry', at: 12_000 });
  });

  it('defaults max_attempts to one try per schedule step plus the first, at most 20', () => {
    expect(defaultMaxAttempts(DEFAULT)).toBe(11);
    expect(defaultMaxAttempts(SHORT)).toBe(4);
    expect(defaultMaxAttempts(new Array(19).fill(1000))).toBe(20);
    expect(defaultMaxAttempts(new Array(25).fill(1000))).toBe(20);
  });

  it('with the defaults, a delivery that always fails is given up about two days after the first try', () => {
    let now = 0;
    let attempts = 0;
    for (;;) {
      attempts++;
      const step = nextStep({
        verdict: failure(),
        attemptNumber: attempts,
        maxAttempts: 11,
        now,
        scheduleMs: DEFAULT,
        random: 0.5,
      });
      if (step.kind !== 'retry') {
        expect(step).toEqual({ kind: 'give_up', reason: 'attempts_exhausted' });
        break;
      }
      now = step.at;
    }
    expect(attempts).toBe(11);
    expect(now).toBe(DEFAULT.reduce((a, b) => a + b, 0));
    expect(now / 3_600_000).toBeCloseTo(46.7, 1);
  });
});
