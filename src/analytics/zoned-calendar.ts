/** One hour, ms: rollups count clicks per UTC hour. */
export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const QUARTER_HOUR_MS = HOUR_MS / 4;

const calendars = new Map<string, ZonedCalendar>();
/** Zones kept; IANA has about 600, so this only bounds junk names that happen to be accepted. */
const MAX_CACHED = 1_000;
/** Hour offsets kept per zone: some years of hours. */
const MAX_CACHED_HOURS = 50_000;

/**
 * Local dates and UTC offsets of one IANA time zone, from the runtime's tz database (Intl).
 *
 * Offsets are read once per day of a range and per hour only on a day where the offset changes,
 * which assumes a zone changes its offset at most once in 24 hours — true of every zone in use.
 */
export class ZonedCalendar {
  private readonly parts: Intl.DateTimeFormat;
  /** Offsets already read, by start of hour: asking Intl costs microseconds, a series asks thousands of times. */
  private readonly hourOffsets = new Map<number, number>();

  private constructor(readonly timeZone: string) {
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The calendar of a zone, under its canonical name (`utc` → `UTC`); `null` for a zone the runtime does not know. */
  static of(timeZone: string): ZonedCalendar | null {
    const cached = calendars.get(timeZone);
    if (cached) return cached;
    let canonical: string;
    try {
      canonical = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
    } catch {
      return null;
    }
    const calendar = calendars.get(canonical) ?? new ZonedCalendar(canonical);
    if (calendars.size >= MAX_CACHED) calendars.clear();
    calendars.set(timeZone, calendar);
    calendars.set(canonical, calendar);
    return calendar;
  }

  /** Local time minus UTC at `instant`, ms (`+05:30` → 19,800,000). */
  offsetAt(instant: number): number {
    const field: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
    for (const part of this.parts.formatToParts(instant)) {
      if (part.type !== 'literal') field[part.type] = Number(part.value);
    }
    const localAsUtc = Date.UTC(
      field.year ?? 1970,
      (field.month ?? 1) - 1,
      field.day ?? 1,
      field.hour ?? 0,
      field.minute ?? 0,
      field.second ?? 0,
    );
    return localAsUtc - (instant - mod(instant, 1000));
  }

  private offsetOfHour(hourStart: number): number {
    let offset = this.hourOffsets.get(hourStart);
    if (offset === undefined) {
      offset = this.offsetAt(hourStart);
      if (this.hourOffsets.size >= MAX_CACHED_HOURS) this.hourOffsets.clear();
      this.hourOffsets.set(hourStart, offset);
    }
    return offset;
  }

  /** `YYYY-MM-DD` of `instant` in this zone. */
  localDate(instant: number, offset = this.offsetAt(instant)): string {
    return new Date(instant + offset).toISOString().slice(0, 10);
  }

  /** ISO 8601 local time with its offset, e.g. `2026-03-29T03:00:00+02:00`. */
  localIso(instant: number, offset = this.offsetAt(instant)): string {
    return new Date(instant + offset).toISOString().slice(0, 19) + offsetText(offset);
  }

  /**
   * The first instant of the local day `instant` falls in: local midnight, or — where a clock change
   * skips midnight — the first local time that day has.
   */
  startOfLocalDay(instant: number): number {
    const date = this.localDate(instant);
    const midnightAsUtc = Date.parse(`${date}T00:00:00Z`);
    let start = midnightAsUtc - this.offsetAt(instant);
    start = midnightAsUtc - this.offsetAt(start);
    // Where the clocks jumped over midnight, the day starts at the jump (changes fall on quarter hours).
    while (this.localDate(start) < date) start += QUARTER_HOUR_MS;
    return start;
  }

  /** The offset at the start of every hour of `[from, to)`; both hour-aligned. */
  hourlyOffsets(from: number, to: number): number[] {
    const hours = Math.max(0, Math.round((to - from) / HOUR_MS));
    const offsets = new Array<number>(hours);
    for (let day = 0; day < hours; day += 24) {
      const end = Math.min(day + 24, hours);
      const first = this.offsetOfHour(from + day * HOUR_MS);
      const last = this.offsetOfHour(from + (end - 1) * HOUR_MS);
      for (let hour = day; hour < end; hour++) {
        offsets[hour] = first === last ? first : this.offsetOfHour(from + hour * HOUR_MS);
      }
    }
    return offsets;
  }
}

/** Whole days of `instant`'s local calendar before it, as a local-midnight instant. */
export function localDaysBefore(calendar: ZonedCalendar, instant: number, days: number): number {
  const start = calendar.startOfLocalDay(instant);
  // Noon of the day `days` back cannot fall into a neighbouring day, whatever clock changes lie between.
  return calendar.startOfLocalDay(start + 12 * HOUR_MS - days * DAY_MS);
}

export const floorHour = (instant: number): number => instant - mod(instant, HOUR_MS);
export const ceilHour = (instant: number): number => floorHour(instant + HOUR_MS - 1);

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

function offsetText(offset: number): string {
  const minutes = Math.round(Math.abs(offset) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
