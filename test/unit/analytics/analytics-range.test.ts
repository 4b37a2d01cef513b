import { describe, expect, it } from 'vitest';
import { analyticsRange } from '../../../src/analytics/analytics-range.js';
import { ZonedCalendar } from '../../../src/analytics/zoned-calendar.js';

const at = (iso: string) => Date.parse(iso);
const utc = ZonedCalendar.of('UTC')!;
const NOW = at('2026-11-27T20:11:06Z');

describe('analyticsRange', () => {
  it('widens a requested range to the whole hours it touches', () => {
    expect(
      analyticsRange(
        'breakdown',
        { after: at('2026-11-01T10:15:00Z'), before: at('2026-11-02T08:00:00.001Z') },
        NOW,
        utc,
      ),
    ).toEqual({ ok: true, from: at('2026-11-01T10:00:00Z'), to: at('2026-11-02T09:00:00Z') });
    expect(analyticsRange('hourly', { after: at('2026-11-27T10:00:00Z') }, NOW, utc)).toEqual({
      ok: true,
      from: at('2026-11-27T10:00:00Z'),
      to: at('2026-11-27T21:00:00Z'),
    });
  });

  it('defaults: 24 hours, 30 local days or 30 days, ending with the current hour', () => {
    const end = at('2026-11-27T21:00:00Z');
    expect(analyticsRange('hourly', {}, NOW, utc)).toEqual({ ok: true, from: end - 24 * 3_600_000, to: end });
    expect(analyticsRange('breakdown', {}, NOW, utc)).toEqual({
      ok: true,
      from: end - 30 * 86_400_000,
      to: end,
    });
    expect(analyticsRange('daily', {}, NOW, utc)).toEqual({
      ok: true,
      from: at('2026-10-29T00:00:00Z'),
      to: end,
    });
    // Berlin: 30 local days back crosses the autumn clock change; the range starts at local midnight.
    expect(analyticsRange('daily', {}, NOW, ZonedCalendar.of('Europe/Berlin')!)).toEqual({
      ok: true,
      from: at('2026-10-28T23:00:00Z'),
      to: end,
    });
    // Kolkata: it is 28 November there already; local midnight is 18:30 UTC, and the range starts
    // at the first whole hour of its first day.
    expect(analyticsRange('daily', {}, NOW, ZonedCalendar.of('Asia/Kolkata')!)).toMatchObject({
      from: at('2026-10-29T19:00:00Z'),
    });
  });

  it('refuses empty, reversed, future and overlong ranges, naming the parameter', () => {
    expect(
      analyticsRange(
        'daily',
        { after: at('2026-11-02T00:00:00Z'), before: at('2026-11-01T00:00:00Z') },
        NOW,
        utc,
      ),
    ).toEqual({
      ok: false,
      field: 'occurred_after',
      message: 'must be before occurred_before',
    });
    expect(
      analyticsRange(
        'daily',
        { after: at('2026-11-01T00:00:00Z'), before: at('2026-11-01T00:00:00Z') },
        NOW,
        utc,
      ),
    ).toMatchObject({
      ok: false,
      field: 'occurred_after',
    });
    expect(analyticsRange('daily', { after: at('2026-11-28T00:00:00Z') }, NOW, utc)).toMatchObject({
      ok: false,
      field: 'occurred_after',
    });
    expect(analyticsRange('hourly', { after: at('2026-10-01T00:00:00Z') }, NOW, utc)).toMatchObject({
      ok: false,
      field: 'occurred_after',
      message: 'the range may span at most 31 days',
    });
    expect(analyticsRange('hourly', { after: at('2026-10-27T21:00:00Z') }, NOW, utc)).toMatchObject({
      ok: true,
    });
    expect(analyticsRange('daily', { after: at('2024-11-01T00:00:00Z') }, NOW, utc)).toMatchObject({
      ok: false,
      message: 'the range may span at most 732 days',
    });
  });
});
