import { describe, expect, it } from 'vitest';
import { calendarDay, isKnownTimeZone } from '../../../src/processing/uniqueness/calendar-day.js';
import { decideUniqueness } from '../../../src/processing/uniqueness/decide-uniqueness.js';

const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 10, 27, 10, 0, 0);

describe('uniqueness: one visitor per link per 24 h', () => {
  it('counts the first click and opens a window', () => {
    expect(decideUniqueness('link_visitor_24h', null, t0, 'UTC')).toEqual({
      isUnique: true,
      windowStart: t0,
    });
  });

  it('does not count again inside the window, up to the last millisecond', () => {
    expect(decideUniqueness('link_visitor_24h', t0, t0 + 1, 'UTC').isUnique).toBe(false);
    expect(decideUniqueness('link_visitor_24h', t0, t0 + 24 * HOUR - 1, 'UTC').isUnique).toBe(false);
  });

  it('counts again exactly 24 h after the window opened, and restarts the window there', () => {
    expect(decideUniqueness('link_visitor_24h', t0, t0 + 24 * HOUR, 'UTC')).toEqual({
      isUnique: true,
      windowStart: t0 + 24 * HOUR,
    });
  });

  it('never counts a late click from before the current window', () => {
    expect(decideUniqueness('link_visitor_24h', t0, t0 - 1, 'UTC')).toEqual({
      isUnique: false,
      windowStart: null,
    });
  });
});

describe('uniqueness: one visitor per link per calendar day', () => {
  it('counts again on the next calendar day of the workspace time zone, not 24 h later', () => {
    const lateEvening = Date.UTC(2026, 10, 27, 22, 30); // 23:30 in Berlin (UTC+1)
    const afterMidnightBerlin = Date.UTC(2026, 10, 27, 23, 10); // 00:10 on the 28th in Berlin
    expect(
      decideUniqueness('link_visitor_day', lateEvening, afterMidnightBerlin, 'Europe/Berlin').isUnique,
    ).toBe(true);
    // The same two instants are one UTC day.
    expect(decideUniqueness('link_visitor_day', lateEvening, afterMidnightBerlin, 'UTC').isUnique).toBe(
      false,
    );
  });

  it('does not count twice within one day', () => {
    expect(decideUniqueness('link_visitor_day', t0, t0 + 5 * HOUR, 'UTC').isUnique).toBe(false);
  });
});

describe('calendar days', () => {
  it('formats the local date of an instant', () => {
    expect(calendarDay(Date.UTC(2026, 10, 27, 23, 10), 'Europe/Berlin')).toBe('2026-11-28');
    expect(calendarDay(Date.UTC(2026, 10, 27, 23, 10), 'America/New_York')).toBe('2026-11-27');
  });

  it('knows real zones and refuses made-up ones', () => {
    expect(isKnownTimeZone('Asia/Kolkata')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  });
});
