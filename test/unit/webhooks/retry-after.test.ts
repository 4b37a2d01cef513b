import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../src/webhooks/retry-after.js';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

describe('Retry-After', () => {
  it.each([
    ['0', 0],
    ['1', 1_000],
    ['120', 120_000],
    [' 30 ', 30_000],
    ['86400', 86_400_000],
  ])('reads seconds: %j → %i ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:01:30 GMT', NOW)).toBe(90_000);
    expect(parseRetryAfter(new Date(NOW + 5_000).toUTCString(), NOW)).toBe(5_000);
  });

  it('reads a date in the past as "now"', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 11:00:00 GMT', NOW)).toBe(0);
  });

  it.each([
    undefined,
    '',
    '   ',
    '-5',
    '1.5',
    '+10',
    'soon',
    '10s',
    '2026-11-27T12:01:30Z',
    'Fri, 27 Nov 2026 12:01:30',
    'Fri, 32 Nov 2026 12:01:30 GMT',
  ])('ignores %j (the regular schedule applies)', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeNull();
  });
});
