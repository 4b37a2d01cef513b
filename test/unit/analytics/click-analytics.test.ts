import { describe, expect, it } from 'vitest';
import type { AnalyticsStore, CountRule, CountsByClass } from '../../../src/analytics/analytics-store.js';
import { type AnalyticsQuestion, ClickAnalytics, totalsOf } from '../../../src/analytics/click-analytics.js';
import { HOUR_MS, ZonedCalendar } from '../../../src/analytics/zoned-calendar.js';
import type { TrafficClass } from '../../../src/processing/classification/traffic-class.js';

const at = (iso: string) => Date.parse(iso);

/** An in-memory store over hourly counts by class; it records the boundaries it was asked for. */
function storeOf(hours: { hour: number; byClass: CountsByClass }[]) {
  const asked: number[][] = [];
  const counted = (byClass: CountsByClass, rule: CountRule) => {
    let clicks = 0;
    let uniqueClicks = 0;
    for (const [trafficClass, counts] of Object.entries(byClass)) {
      if (rule.humansOnly && trafficClass !== 'human') continue;
      clicks += rule.uniqueOnly ? counts.uniqueClicks : counts.clicks;
      uniqueClicks += counts.uniqueClicks;
    }
    return { clicks, uniqueClicks };
  };
  const store: AnalyticsStore = {
    countsByBucket: async (_scope, rule, boundaries) => {
      asked.push([...boundaries]);
      return boundaries.slice(0, -1).map((start, i) => {
        const inside = hours.filter((h) => h.hour >= start && h.hour < boundaries[i + 1]!);
        const sums = inside.map((h) => counted(h.byClass, rule));
        return {
          clicks: sums.reduce((sum, c) => sum + c.clicks, 0),
          uniqueClicks: sums.reduce((sum, c) => sum + c.uniqueClicks, 0),
        };
      });
    },
    countsByClass: async () => {
      const total: Partial<Record<TrafficClass, { clicks: number; uniqueClicks: number }>> = {};
      for (const { byClass } of hours) {
        for (const [trafficClass, counts] of Object.entries(byClass) as [
          TrafficClass,
          { clicks: number; uniqueClicks: number },
        ][]) {
          const sum = total[trafficClass] ?? { clicks: 0, uniqueClicks: 0 };
          sum.clicks += counts.clicks;
          sum.uniqueClicks += counts.uniqueClicks;
          total[trafficClass] = sum;
        }
      }
      return total;
    },
    countsBy: async () => [],
    processedAsOf: async (consumer) => (consumer === 'processor' ? 1234 : null),
  };
  return { store, asked };
}

const people = (iso: string, clicks: number, uniqueClicks: number) => ({
  hour: at(iso),
  byClass: { human: { clicks, uniqueClicks } },
});

const question = (from: string, to: string): AnalyticsQuestion => ({
  workspaceId: 'ws_A',
  from: at(from),
  to: at(to),
  linkId: null,
  campaignId: null,
  tag: null,
  humansOnly: true,
  uniqueOnly: false,
});

describe('ClickAnalytics', () => {
  it('asks for local days as buckets, 23 hours on the spring clock change, zeros included', async () => {
    const { store, asked } = storeOf([
      people('2026-03-28T22:00:00Z', 1, 1), // Sat 23:00 CET
      people('2026-03-28T23:00:00Z', 2, 1), // Sun 00:00 CET
      people('2026-03-29T21:00:00Z', 4, 4), // Sun 23:00 CEST
      {
        hour: at('2026-03-29T22:00:00Z'), // Mon 00:00 CEST
        byClass: { human: { clicks: 8, uniqueClicks: 0 }, bot: { clicks: 5, uniqueClicks: 0 } },
      },
    ]);
    const answer = await new ClickAnalytics(store, 'processor').daily(
      question('2026-03-27T23:00:00Z', '2026-03-31T22:00:00Z'),
      ZonedCalendar.of('Europe/Berlin')!,
    );
    expect(asked).toEqual([
      [
        at('2026-03-27T23:00:00Z'),
        at('2026-03-28T23:00:00Z'),
        at('2026-03-29T22:00:00Z'),
        at('2026-03-30T22:00:00Z'),
        at('2026-03-31T22:00:00Z'),
      ],
    ]);
    expect(answer.rows).toEqual([
      { date: '2026-03-28', start: at('2026-03-27T23:00:00Z'), hours: 24, clicks: 1, uniqueClicks: 1 },
      { date: '2026-03-29', start: at('2026-03-28T23:00:00Z'), hours: 23, clicks: 6, uniqueClicks: 5 },
      { date: '2026-03-30', start: at('2026-03-29T22:00:00Z'), hours: 24, clicks: 8, uniqueClicks: 0 },
      { date: '2026-03-31', start: at('2026-03-30T22:00:00Z'), hours: 24, clicks: 0, uniqueClicks: 0 },
    ]);
    expect(answer.totals).toEqual({
      clicks: 15,
      uniqueClicks: 6,
      botClicks: { bot: 5, link_preview: 0, prefetch: 0, security_scanner: 0 },
    });
    expect(answer.asOf).toBe(1234);
  });

  it('gives every hour of the range, with its offset', async () => {
    const { store } = storeOf([people('2026-10-25T01:00:00Z', 3, 2)]);
    const answer = await new ClickAnalytics(store, 'processor').hourly(
      question('2026-10-25T00:00:00Z', '2026-10-25T02:00:00Z'),
      ZonedCalendar.of('Europe/Berlin')!,
    );
    expect(answer.rows).toEqual([
      { start: at('2026-10-25T00:00:00Z'), offset: 2 * HOUR_MS, clicks: 0, uniqueClicks: 0 },
      { start: at('2026-10-25T01:00:00Z'), offset: HOUR_MS, clicks: 3, uniqueClicks: 2 },
    ]);
  });

  it('totals count what the rule counts, and always every automated class', () => {
    const byClass: CountsByClass = {
      human: { clicks: 10, uniqueClicks: 6 },
      bot: { clicks: 3, uniqueClicks: 0 },
      security_scanner: { clicks: 2, uniqueClicks: 0 },
    };
    const botClicks = { bot: 3, link_preview: 0, prefetch: 0, security_scanner: 2 };
    expect(totalsOf(byClass, { humansOnly: true, uniqueOnly: false })).toEqual({
      clicks: 10,
      uniqueClicks: 6,
      botClicks,
    });
    expect(totalsOf(byClass, { humansOnly: false, uniqueOnly: false })).toEqual({
      clicks: 15,
      uniqueClicks: 6,
      botClicks,
    });
    expect(totalsOf(byClass, { humansOnly: true, uniqueOnly: true })).toEqual({
      clicks: 6,
      uniqueClicks: 6,
      botClicks,
    });
    expect(totalsOf({}, { humansOnly: true, uniqueOnly: false })).toEqual({
      clicks: 0,
      uniqueClicks: 0,
      botClicks: { bot: 0, link_preview: 0, prefetch: 0, security_scanner: 0 },
    });
  });
});
