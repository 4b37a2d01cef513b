import { TRAFFIC_CLASSES, type TrafficClass } from '../processing/classification/traffic-class.js';
import type {
  AnalyticsStore,
  BreakdownDimension,
  CountRule,
  Counts,
  CountsByClass,
  KeyedCounts,
  RollupScope,
} from './analytics-store.js';
import { HOUR_MS, type ZonedCalendar } from './zoned-calendar.js';

export type NonHumanClass = Exclude<TrafficClass, 'human'>;
const NON_HUMAN_CLASSES = TRAFFIC_CLASSES.filter((c): c is NonHumanClass => c !== 'human');

/** A question to the analytics: which cells, which clicks in them. */
export interface AnalyticsQuestion extends RollupScope, CountRule {}

export interface Totals extends Counts {
  /**
   * Clicks of each non-human class over the same range and links, whatever `humansOnly` and
   * `uniqueOnly` say: what a human-only count leaves out.
   */
  readonly botClicks: Readonly<Record<NonHumanClass, number>>;
}

export interface DayBucket extends Counts {
  /** The local calendar date, `YYYY-MM-DD`. */
  readonly date: string;
  /** Start of the first hour counted in the day, epoch ms. */
  readonly start: number;
  /** Hours counted in the day: 24, or 23/25 on a clock-change day, fewer at the edges of the range. */
  readonly hours: number;
}

export interface HourBucket extends Counts {
  readonly start: number;
  /** Local time minus UTC at the start of the hour, ms. */
  readonly offset: number;
}

export interface AnalyticsAnswer<T> {
  readonly rows: T[];
  readonly totals: Totals;
  /** When the processor last committed: clicks captured after this may not be counted yet. */
  readonly asOf: number | null;
}

/**
 * The analytics routes' questions, answered from rollups. Series cover every hour or day of the
 * range, those without clicks as zeros, so a chart needs no gap filling.
 *
 * Days follow the time zone: each UTC hour of the rollups counts toward the local date its start
 * falls on, so a day has 23 or 25 hours where the clocks change. Where the zone's offset is not
 * whole hours (Asia/Kolkata +05:30, Asia/Kathmandu +05:45), an hour straddles local midnight and
 * counts toward the day it starts in: such days run from 00:30 (00:15, …) to the same time the next day.
 */
export class ClickAnalytics {
  constructor(
    private readonly store: AnalyticsStore,
    /** Name of the processor's cursor, whose commit time is `asOf`. */
    private readonly processorConsumer: string,
  ) {}

  async daily(question: AnalyticsQuestion, calendar: ZonedCalendar): Promise<AnalyticsAnswer<DayBucket>> {
    const offsets = calendar.hourlyOffsets(question.from, question.to);
    const days: { date: string; start: number; hours: number }[] = [];
    for (let i = 0; i < offsets.length; i++) {
      const start = question.from + i * HOUR_MS;
      const date = calendar.localDate(start, offsets[i]);
      if (days.at(-1)?.date !== date) days.push({ date, start, hours: 0 });
      days.at(-1)!.hours++;
    }
    const [counts, totals, asOf] = await this.series(question, [
      ...days.map((day) => day.start),
      question.to,
    ]);
    return { rows: days.map((day, i) => ({ ...day, ...counts[i]! })), totals, asOf };
  }

  async hourly(question: AnalyticsQuestion, calendar: ZonedCalendar): Promise<AnalyticsAnswer<HourBucket>> {
    const offsets = calendar.hourlyOffsets(question.from, question.to);
    const starts = offsets.map((_, i) => question.from + i * HOUR_MS);
    const [counts, totals, asOf] = await this.series(question, [...starts, question.to]);
    return {
      rows: starts.map((start, i) => ({ start, offset: offsets[i]!, ...counts[i]! })),
      totals,
      asOf,
    };
  }

  async breakdown(
    question: AnalyticsQuestion,
    dimension: BreakdownDimension,
    limit: number,
  ): Promise<AnalyticsAnswer<KeyedCounts>> {
    const [rows, byClass, asOf] = await Promise.all([
      this.store.countsBy(question, question, dimension, limit),
      this.store.countsByClass(question),
      this.store.processedAsOf(this.processorConsumer),
    ]);
    return { rows, totals: totalsOf(byClass, question), asOf };
  }

  private async series(
    question: AnalyticsQuestion,
    boundaries: readonly number[],
  ): Promise<[Counts[], Totals, number | null]> {
    const [counts, byClass, asOf] = await Promise.all([
      this.store.countsByBucket(question, question, boundaries),
      this.store.countsByClass(question),
      this.store.processedAsOf(this.processorConsumer),
    ]);
    return [counts, totalsOf(byClass, question), asOf];
  }
}

/** Totals over a span: the clicks as the rule counts them, and every non-human class's clicks. */
export function totalsOf(byClass: CountsByClass, rule: CountRule): Totals {
  let clicks = 0;
  let uniqueClicks = 0;
  for (const trafficClass of rule.humansOnly ? (['human'] as const) : TRAFFIC_CLASSES) {
    const counts = byClass[trafficClass];
    if (!counts) continue;
    clicks += rule.uniqueOnly ? counts.uniqueClicks : counts.clicks;
    uniqueClicks += counts.uniqueClicks;
  }
  const botClicks = Object.fromEntries(
    NON_HUMAN_CLASSES.map((trafficClass) => [trafficClass, byClass[trafficClass]?.clicks ?? 0]),
  ) as Record<NonHumanClass, number>;
  return { clicks, uniqueClicks, botClicks };
}
