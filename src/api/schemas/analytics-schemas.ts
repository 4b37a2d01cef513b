import { type TObject, type TProperties, type TSchema, Type } from '@sinclair/typebox';
import { idPattern } from '../../kernel/ids.js';
import { CampaignId, TagName } from './click-schemas.js';
import { Nullable, Timestamp } from './common.js';
import { PrivacyModeSchema, RetentionNoticeSchema } from './privacy-schemas.js';

/** The query every analytics route takes. */
const analyticsQueryFields = {
  link_id: Type.Optional(Type.String({ pattern: idPattern('link') })),
  campaign_id: Type.Optional({ ...CampaignId, description: 'Links whose campaign is this one now.' }),
  tag: Type.Optional({ ...TagName, description: 'Links that carry this tag now.' }),
  occurred_after: Type.Optional({
    ...Timestamp,
    description: 'Start of the range; rounded down to the start of its UTC hour.',
  }),
  occurred_before: Type.Optional({
    ...Timestamp,
    description:
      'End of the range; rounded up to the end of its UTC hour. Default: the end of the current hour.',
  }),
  timezone: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'IANA time zone that days follow, e.g. Europe/Berlin. Default: the workspace’s time zone.',
    }),
  ),
  include_bots: Type.Optional(
    Type.Boolean({ default: false, description: 'Count automated traffic too (every class but `human`).' }),
  ),
  unique: Type.Optional(Type.Boolean({ default: false, description: 'Count unique clicks only.' })),
} satisfies TProperties;

export const AnalyticsQuery = Type.Object(analyticsQueryFields, { additionalProperties: false });

export const TopLinksQuery = Type.Object(
  {
    ...analyticsQueryFields,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 10 })),
  },
  { additionalProperties: false },
);

const count = (description: string) => Type.Integer({ description });
const counts = {
  clicks: count('Clicks counted: people only unless `include_bots`, unique ones only if `unique`.'),
  unique_clicks: count('Of those, the unique ones.'),
};

const TotalsSchema = Type.Object(
  {
    ...counts,
    bot_clicks: Type.Object(
      {
        bot: Type.Integer(),
        link_preview: Type.Integer(),
        prefetch: Type.Integer(),
        security_scanner: Type.Integer(),
      },
      {
        description:
          'Automated clicks per class over the same range and links, whatever `include_bots` and `unique` say.',
      },
    ),
  },
  { description: 'Over the whole range.' },
);

/** `{ data, totals, range, timezone, as_of }` around rows of one shape. */
function AnalyticsAnswerOf<T extends TSchema>(row: T, title: string): TObject {
  return Type.Object(
    {
      data: Type.Array(row),
      totals: TotalsSchema,
      range: Type.Object(
        {
          from: Type.String({ description: 'Start of the first hour counted (inclusive).' }),
          to: Type.String({ description: 'End of the last hour counted (exclusive).' }),
        },
        { description: 'The hours counted, after rounding the requested range outwards to whole hours.' },
      ),
      timezone: Type.String(),
      as_of: Nullable(
        Type.String({
          description:
            'When the processor last committed: clicks captured since may not be counted yet. Null before the first.',
        }),
      ),
      privacy: Type.Optional(
        Type.Object(PrivacyModeSchema.properties, {
          description:
            'The privacy mode the workspace captures clicks under now. Counts come from rollups, which keep ' +
            'no personal data whatever the mode; each click states the mode it was captured under.',
        }),
      ),
      retention: Type.Optional(
        Type.Object(RetentionNoticeSchema.properties, {
          description:
            'Raw retention against the range: counts before `raw_clicks_from` still come from rollups, ' +
            'but the clicks themselves can no longer be listed.',
        }),
      ),
    },
    { title },
  );
}

export const DailyAnswer = AnalyticsAnswerOf(
  Type.Object({
    date: Type.String({ description: 'Local date in `timezone`, YYYY-MM-DD.' }),
    start: Type.String({ description: 'Start of the first hour counted in the day (UTC).' }),
    hours: Type.Integer({
      description: 'Hours in the day: 24, 23 or 25 on a clock-change day, fewer at the edges of the range.',
    }),
    ...counts,
  }),
  'DailyClicks',
);

export const HourlyAnswer = AnalyticsAnswerOf(
  Type.Object({
    start: Type.String({ description: 'Start of the hour (UTC).' }),
    local_start: Type.String({ description: 'The same instant in `timezone`, with its offset.' }),
    ...counts,
  }),
  'HourlyClicks',
);

const breakdownRow = (key: string, description: string) =>
  Type.Object({ [key]: Nullable(Type.String({ description })), ...counts });

export const ByCountryAnswer = AnalyticsAnswerOf(
  breakdownRow('country', 'ISO 3166-1 alpha-2; null where the address could not be placed.'),
  'ClicksByCountry',
);
export const ByDeviceAnswer = AnalyticsAnswerOf(
  breakdownRow('device_type', 'mobile, desktop, tablet, bot or unknown.'),
  'ClicksByDevice',
);
export const ByReferrerAnswer = AnalyticsAnswerOf(
  breakdownRow('referrer_category', 'search, social, email, direct, internal or other.'),
  'ClicksByReferrer',
);
export const TopLinksAnswer = AnalyticsAnswerOf(breakdownRow('link_id', 'The link.'), 'TopLinks');
