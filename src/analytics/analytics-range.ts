import { ceilHour, floorHour, HOUR_MS, localDaysBefore, type ZonedCalendar } from './zoned-calendar.js';

/** The kinds of question, which differ in default and longest range. */
export type RangeKind = 'daily' | 'hourly' | 'breakdown';

/** Longest range per kind, in hours: a month of hours, two years of days. */
export const MAX_RANGE_HOURS: Readonly<Record<RangeKind, number>> = {
  hourly: 31 * 24,
  daily: 732 * 24,
  breakdown: 732 * 24,
};

export type RangeResult =
  | { readonly ok: true; readonly from: number; readonly to: number }
  | { readonly ok: false; readonly field: 'occurred_after' | 'occurred_before'; readonly message: string };

/**
 * The hours a question covers. Rollups count whole UTC hours, so a requested range is widened to
 * the hours it touches: `occurred_after` rounds down to the start of its hour and `occurred_before`
 * up to the end of its hour — a partly covered hour is counted whole, never dropped.
 *
 * Defaults: the range ends with the current hour (inclusive); it starts 24 hours earlier for
 * `hourly`, at the start of the local day 29 days back for `daily` (30 whole local days including
 * today), and 30 days earlier for breakdowns. A daily range starts at the first whole hour of its
 * first local day, which matters only where the zone's offset is not whole hours.
 */
export function analyticsRange(
  kind: RangeKind,
  requested: { readonly after?: number; readonly before?: number },
  now: number,
  calendar: ZonedCalendar,
): RangeResult {
  const to = ceilHour(requested.before ?? now + 1);
  let from: number;
  if (requested.after !== undefined) from = floorHour(requested.after);
  else if (kind === 'hourly') from = to - 24 * HOUR_MS;
  else if (kind === 'daily') from = ceilHour(localDaysBefore(calendar, to - 1, 29));
  else from = to - 30 * 24 * HOUR_MS;

  if (
    requested.after !== undefined &&
    requested.before !== undefined &&
    requested.after >= requested.before
  ) {
    return { ok: false, field: 'occurred_after', message: 'must be before occurred_before' };
  }
  // Only an `occurred_after` in a later hour than now, with no `occurred_before`, can get here.
  if (from >= to)
    return { ok: false, field: 'occurred_after', message: 'must not be after the current hour' };
  const maxHours = MAX_RANGE_HOURS[kind];
  if ((to - from) / HOUR_MS > maxHours) {
    return {
      ok: false,
      field: requested.after === undefined ? 'occurred_before' : 'occurred_after',
      message: `the range may span at most ${maxHours % 24 === 0 ? `${maxHours / 24} days` : `${maxHours} hours`}`,
    };
  }
  return { ok: true, from, to };
}
