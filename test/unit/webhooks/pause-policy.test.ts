import { describe, expect, it } from 'vitest';
import { NO_FAILURES, pauseReason, shouldPause } from '../../../src/webhooks/pause-policy.js';

const HOUR = 3_600_000;
const POLICY = { afterMs: HOUR, minFailures: 10 };

describe('pause policy', () => {
  it('never pauses a subscription whose last attempt succeeded', () => {
    expect(shouldPause(NO_FAILURES, 10 * HOUR, POLICY)).toBe(false);
    expect(shouldPause({ consecutiveFailures: 50, failingSince: null }, 10 * HOUR, POLICY)).toBe(false);
  });

  it.each([
    [9, HOUR, false], // long enough, too few
    [10, HOUR - 1, false], // enough, not long enough
    [10, HOUR, true],
    [500, 2 * HOUR, true],
    [1_000, HOUR - 1, false],
  ])('%i failures over %i ms → pause: %s', (failures, duration, pause) => {
    expect(shouldPause({ consecutiveFailures: failures, failingSince: 0 }, duration, POLICY)).toBe(pause);
  });

  it('says why, in words', () => {
    expect(pauseReason({ consecutiveFailures: 12, failingSince: 0 }, 65 * 60_000, 'timeout')).toBe(
      'paused automatically: every attempt failed for 65 min (12 in a row); last: timeout',
    );
    expect(pauseReason({ consecutiveFailures: 12, failingSince: 0 }, 65 * 60_000, null)).toBe(
      'paused automatically: every attempt failed for 65 min (12 in a row)',
    );
  });
});
