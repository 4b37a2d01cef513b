import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { analyticsRange, type RangeKind } from '../../analytics/analytics-range.js';
import type { BreakdownDimension, KeyedCounts } from '../../analytics/analytics-store.js';
import type {
  AnalyticsAnswer,
  AnalyticsQuestion,
  ClickAnalytics,
  Totals,
} from '../../analytics/click-analytics.js';
import { ZonedCalendar } from '../../analytics/zoned-calendar.js';
import type { Clock } from '../../kernel/clock.js';
import { fieldError } from '../../kernel/errors.js';
import { privacyModeOf } from '../../privacy/privacy-settings.js';
import type { WorkspaceSettingsService } from '../../privacy/workspace-settings-service.js';
import type { TenancyService } from '../../tenancy/tenancy-service.js';
import { principalOf } from '../authentication.js';
import {
  AnalyticsQuery,
  ByCountryAnswer,
  ByDeviceAnswer,
  ByReferrerAnswer,
  DailyAnswer,
  HourlyAnswer,
  TopLinksAnswer,
  TopLinksQuery,
} from '../schemas/analytics-schemas.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import { retentionNoticeView } from './privacy-views.js';

export interface AnalyticsRoutesDeps {
  readonly analytics: ClickAnalytics;
  readonly tenancy: TenancyService;
  readonly clock: Clock;
  /** For the privacy mode and raw-retention notice answers state; absent: neither is stated. */
  readonly privacySettings?: WorkspaceSettingsService;
}

const COMMON_DESCRIPTION =
  'Counted from hourly rollups, never from the clicks themselves. People only unless `include_bots=true`; ' +
  'simulated clicks and requests for unknown slugs are never counted. `campaign_id` and `tag` select links ' +
  'by their campaign and tags now (a link moved to another campaign takes its history with it). The range ' +
  'is widened to whole UTC hours: `occurred_after` rounds down, `occurred_before` up. `as_of` says how ' +
  'fresh the rollups are.';

const iso = (ms: number) => new Date(ms).toISOString();

/** `GET /v1/analytics/clicks/{daily,hourly,by-country,by-device,by-referrer,top-links}`. */
export function analyticsRoutes({
  analytics,
  tenancy,
  clock,
  privacySettings,
}: AnalyticsRoutesDeps): FastifyPluginAsyncTypebox {
  /** The validated query as a question, its zone and its range; a 400 naming the field otherwise. */
  async function questionOf(
    request: FastifyRequest,
    query: Static<typeof AnalyticsQuery>,
    kind: RangeKind,
  ): Promise<{ question: AnalyticsQuestion; calendar: ZonedCalendar }> {
    const { workspaceId } = principalOf(request);
    const zone = query.timezone ?? (await tenancy.getWorkspace(workspaceId)).timezone;
    const calendar = ZonedCalendar.of(zone);
    if (!calendar) throw queryError('timezone', 'is not an IANA time zone this server knows');
    const range = analyticsRange(
      kind,
      {
        ...(query.occurred_after === undefined ? {} : { after: Date.parse(query.occurred_after) }),
        ...(query.occurred_before === undefined ? {} : { before: Date.parse(query.occurred_before) }),
      },
      clock.now(),
      calendar,
    );
    if (!range.ok) throw queryError(range.field, range.message);
    return {
      calendar,
      question: {
        workspaceId,
        from: range.from,
        to: range.to,
        linkId: query.link_id ?? null,
        campaignId: query.campaign_id ?? null,
        tag: query.tag ?? null,
        humansOnly: query.include_bots !== true,
        uniqueOnly: query.unique === true,
      },
    };
  }

  async function envelope<T>(
    answer: AnalyticsAnswer<unknown>,
    question: AnalyticsQuestion,
    calendar: ZonedCalendar,
    data: T[],
  ) {
    const settings = privacySettings;
    return {
      data,
      totals: totalsView(answer.totals),
      range: { from: iso(question.from), to: iso(question.to) },
      timezone: calendar.timeZone,
      as_of: answer.asOf === null ? null : iso(answer.asOf),
      ...(settings
        ? {
            privacy: privacyModeOf((await settings.privacyOf(question.workspaceId)).privacy),
            retention: retentionNoticeView(
              await settings.retentionNotice(question.workspaceId, question.from),
            ),
          }
        : {}),
    };
  }

  return async (app) => {
    app.get(
      '/v1/analytics/clicks/daily',
      {
        config: { scope: 'analytics:read' },
        schema: {
          tags: ['analytics'],
          summary: 'Clicks per local day',
          description:
            `${COMMON_DESCRIPTION} Days follow \`timezone\`: each UTC hour counts toward the local date it starts ` +
            'on, so a clock-change day has 23 or 25 hours. Where the zone’s offset is not whole hours ' +
            '(Asia/Kolkata, Asia/Kathmandu) an hour straddles midnight and counts toward the day it starts in. ' +
            'Default range: the last 30 local days, today included. Every day of the range is listed, zeros included.',
          querystring: AnalyticsQuery,
          response: { 200: DailyAnswer, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { question, calendar } = await questionOf(request, request.query, 'daily');
        const answer = await analytics.daily(question, calendar);
        return envelope(
          answer,
          question,
          calendar,
          answer.rows.map((day) => ({
            date: day.date,
            start: iso(day.start),
            hours: day.hours,
            clicks: day.clicks,
            unique_clicks: day.uniqueClicks,
          })),
        );
      },
    );

    app.get(
      '/v1/analytics/clicks/hourly',
      {
        config: { scope: 'analytics:read' },
        schema: {
          tags: ['analytics'],
          summary: 'Clicks per hour',
          description:
            `${COMMON_DESCRIPTION} Hours are UTC hours; \`local_start\` gives each in \`timezone\` (in a zone with a ` +
            'half-hour offset they start at :30 local time). Default range: the last 24 hours; at most 31 days.',
          querystring: AnalyticsQuery,
          response: { 200: HourlyAnswer, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { question, calendar } = await questionOf(request, request.query, 'hourly');
        const answer = await analytics.hourly(question, calendar);
        return envelope(
          answer,
          question,
          calendar,
          answer.rows.map((hour) => ({
            start: iso(hour.start),
            local_start: calendar.localIso(hour.start, hour.offset),
            clicks: hour.clicks,
            unique_clicks: hour.uniqueClicks,
          })),
        );
      },
    );

    const breakdowns: [
      path: string,
      dimension: BreakdownDimension,
      title: string,
      schema: typeof DailyAnswer,
    ][] = [
      ['by-country', 'country', 'Clicks per country, most first', ByCountryAnswer],
      ['by-device', 'device_type', 'Clicks per device type, most first', ByDeviceAnswer],
      ['by-referrer', 'referrer_category', 'Clicks per referrer category, most first', ByReferrerAnswer],
    ];
    for (const [path, dimension, summary, schema] of breakdowns) {
      app.get(
        `/v1/analytics/clicks/${path}`,
        {
          config: { scope: 'analytics:read' },
          schema: {
            tags: ['analytics'],
            summary,
            description: `${COMMON_DESCRIPTION} Default range: the last 30 days.`,
            querystring: AnalyticsQuery,
            response: { 200: schema, ...ERROR_RESPONSES },
          },
        },
        async (request) => {
          const { question, calendar } = await questionOf(request, request.query, 'breakdown');
          const answer = await analytics.breakdown(question, dimension, 1000);
          return envelope(answer, question, calendar, answer.rows.map(keyedView(dimension)));
        },
      );
    }

    app.get(
      '/v1/analytics/clicks/top-links',
      {
        config: { scope: 'analytics:read' },
        schema: {
          tags: ['analytics'],
          summary: 'The links with the most clicks',
          description: `${COMMON_DESCRIPTION} Default range: the last 30 days; \`limit\` links, 10 by default.`,
          querystring: TopLinksQuery,
          response: { 200: TopLinksAnswer, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { question, calendar } = await questionOf(request, request.query, 'breakdown');
        const answer = await analytics.breakdown(question, 'link_id', request.query.limit ?? 10);
        return envelope(answer, question, calendar, answer.rows.map(keyedView('link_id')));
      },
    );
  };
}

function keyedView(dimension: BreakdownDimension) {
  return (row: KeyedCounts) => ({
    [dimension]: row.key,
    clicks: row.clicks,
    unique_clicks: row.uniqueClicks,
  });
}

function totalsView(totals: Totals) {
  return { clicks: totals.clicks, unique_clicks: totals.uniqueClicks, bot_clicks: totals.botClicks };
}

function queryError(parameter: string, message: string) {
  return fieldError('CW_ERR_VALIDATION', `querystring/${parameter}`, message);
}
