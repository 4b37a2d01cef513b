import { describe, expect, it } from 'vitest';
import {
  ceilHour,
  floorHour,
  HOUR_MS,
  localDaysBefore,
  ZonedCalendar,
} from '../../../src/analytics/zoned-calendar.js';

const at = (iso: string) => Date.parse(iso);
const berlin = ZonedCalendar.of('Europe/Berlin')!;

describe('ZonedCalendar', () => {
  it('knows IANA zones under their canonical names, and nothing else', () => {
    expect(ZonedCalendar.of('utc')?.timeZone).toBe('UTC');
    expect(ZonedCalendar.of('Asia/Calcutta')?.timeZone).toMatch(/^Asia\/(Calcutta|Kolkata)$/);
    expect(ZonedCalendar.of('Mars/Olympus_Mons')).toBeNull();
    expect(ZonedCalendar.of('')).toBeNull();
    expect(ZonedCalendar.of('Europe/Berlin')).toBe(berlin);
  });

  it('gives the offset in force at an instant, either side of a clock change', () => {
    expect(berlin.offsetAt(at('2026-03-29T00:59:59Z'))).toBe(HOUR_MS);
    expect(berlin.offsetAt(at('2026-03-29T01:00:00Z'))).toBe(2 * HOUR_MS);
    expect(berlin.offsetAt(at('2026-10-25T00:59:59.999Z'))).toBe(2 * HOUR_MS);
    expect(berlin.offsetAt(at('2026-10-25T01:00:00Z'))).toBe(HOUR_MS);
    expect(ZonedCalendar.of('Asia/Kathmandu')!.offsetAt(at('2026-01-01T00:00:00Z'))).toBe(5.75 * HOUR_MS);
    expect(ZonedCalendar.of('America/St_Johns')!.offsetAt(at('2026-01-01T00:00:00Z'))).toBe(-3.5 * HOUR_MS);
  });

  it('formats local dates and times with their offsets', () => {
    expect(berlin.localDate(at('2026-03-28T23:30:00Z'))).toBe('2026-03-29');
    expect(berlin.localIso(at('2026-10-25T00:30:00Z'))).toBe('2026-10-25T02:30:00+02:00');
    expect(berlin.localIso(at('2026-10-25T01:30:00Z'))).toBe('2026-10-25T02:30:00+01:00');
    expect(ZonedCalendar.of('America/St_Johns')!.localIso(at('2026-01-01T12:00:00Z'))).toBe(
      '2026-01-01T08:30:00-03:30',
    );
  });

  it('finds the start of the local day, also on clock-change days and where midnight is skipped', () => {
    expect(berlin.startOfLocalDay(at('2026-03-29T20:00:00Z'))).toBe(at('2026-03-28T23:00:00Z'));
    expect(berlin.startOfLocalDay(at('2026-10-25T20:00:00Z'))).toBe(at('2026-10-24T22:00:00Z'));
    expect(ZonedCalendar.of('Asia/Kolkata')!.startOfLocalDay(at('2026-06-10T12:00:00Z'))).toBe(
      at('2026-06-09T18:30:00Z'),
    );
    // Havana springs forward at midnight: 8 March 2026 begins at 01:00 local (05:00 UTC).
    expect(ZonedCalendar.of('America/Havana')!.startOfLocalDay(at('2026-03-08T12:00:00Z'))).toBe(
      at('2026-03-08T05:00:00Z'),
    );
  });

  it('lists hourly offsets over a range, changing exactly at the clock change', () => {
    const from = at('2026-03-28T00:00:00Z');
    const offsets = berlin.hourlyOffsets(from, from + 72 * HOUR_MS);
    expect(offsets).toHaveLength(72);
    offsets.forEach((offset, hour) => {
      expect(offset, `hour ${hour}`).toBe(berlin.offsetAt(from + hour * HOUR_MS));
    });
    expect(offsets.filter((offset) => offset === HOUR_MS)).toHaveLength(25);
    expect(berlin.hourlyOffsets(from, from)).toEqual([]);
  });

  it('steps whole local days back, and rounds instants to hours', () => {
    expect(localDaysBefore(berlin, at('2026-03-30T10:00:00Z'), 2)).toBe(at('2026-03-27T23:00:00Z'));
    expect(localDaysBefore(berlin, at('2026-10-26T10:00:00Z'), 1)).toBe(at('2026-10-24T22:00:00Z'));
    expect(floorHour(at('2026-01-01T10:59:59.999Z'))).toBe(at('2026-01-01T10:00:00Z'));
    expect(ceilHour(at('2026-01-01T10:00:00.001Z'))).toBe(at('2026-01-01T11:00:00Z'));
    expect(ceilHour(at('2026-01-01T10:00:00Z'))).toBe(at('2026-01-01T10:00:00Z'));
  });
});
