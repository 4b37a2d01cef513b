import { Type } from '@sinclair/typebox';
import { SIMULATED_HEADER_MAX_LENGTH } from '../../clicks/click-simulator.js';
import { idPattern } from '../../kernel/ids.js';
import { LINK_LIMITS } from '../../links/link-input.js';
import { TRAFFIC_CLASSES } from '../../processing/classification/traffic-class.js';
import { DEVICE_TYPES, REFERRER_CATEGORIES } from '../../processing/enrichment/enrichment.js';
import { Nullable, Timestamp } from './common.js';
import { PrivacyModeSchema, RetentionNoticeSchema } from './privacy-schemas.js';

const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    { description },
  );

export const TrafficClassSchema = literals(
  TRAFFIC_CLASSES,
  '`human`, or the kind of automated client: `bot`, `link_preview`, `prefetch`, `security_scanner`.',
);
export const DeviceTypeSchema = literals(DEVICE_TYPES, 'Coarse device kind from the user agent.');
export const ReferrerCategorySchema = literals(REFERRER_CATEGORIES, 'Where the click came from.');
export const CountryCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 country code, upper case.',
});
export const CampaignId = Type.String({ minLength: 1, maxLength: LINK_LIMITS.maxLabelLength });
export const TagName = Type.String({ minLength: 1, maxLength: LINK_LIMITS.maxTagLength });

/** The click resource: the `data.click` of the click's events, plus the ids that place it. */
export const ClickSchema = Type.Object(
  {
    click_id: Type.String(),
    workspace_id: Type.String(),
    link_id: Nullable(Type.String({ description: '`null` for a request to an unknown slug.' })),
    campaign_id: Nullable(Type.String({ description: 'The link’s campaign when the click was processed.' })),
    occurred_at: Type.String({ description: 'When the edge received the request.' }),
    received_at: Type.String(),
    processed_at: Type.String({ description: 'When the processor stored the click.' }),
    method: Type.String({ description: '`GET` or `HEAD`.' }),
    device_type: Type.String(),
    os_family: Nullable(Type.String()),
    browser_family: Nullable(Type.String()),
    country: Nullable(Type.String()),
    region: Nullable(Type.String()),
    asn: Nullable(Type.Integer()),
    referrer_category: Type.String(),
    referrer_host: Nullable(Type.String({ description: 'Host only; never a path or query.' })),
    language: Nullable(Type.String()),
    ip_hash: Nullable(
      Type.String({
        description:
          'Keyed hash of the client address; its key changes daily. `null` where the workspace turned it off.',
      }),
    ),
    is_unique: Type.Boolean(),
    uniqueness_rule: Type.String(),
    traffic_class: Type.String(),
    bot_score: Type.Number(),
    is_bot: Type.Boolean(),
    is_suspicious: Type.Boolean(),
    fraud_reason: Nullable(Type.String()),
    reasons: Type.Array(Type.String(), { description: 'Codes of the classification rules that fired.' }),
    redirect_status: Type.String({ description: '`success`, `blocked` or `not_found`.' }),
    block_reason: Nullable(Type.String()),
    privacy_mode: Type.String({
      description: '`hashed_ip_truncated_prefix` for the default mode, else a compact label of `privacy`.',
    }),
    privacy: PrivacyModeSchema,
    simulated: Type.Boolean({ description: 'Recorded by `POST /v1/clicks/simulate`.' }),
  },
  { $id: 'Click', title: 'Click' },
);

const flag = (description: string, fallback?: boolean) =>
  Type.Optional(Type.Boolean(fallback === undefined ? { description } : { description, default: fallback }));

/** `GET /v1/clicks`: filters (ANDed), order and paging. */
export const ClickListQuery = Type.Object(
  {
    link_id: Type.Optional(Type.String({ pattern: idPattern('link') })),
    campaign_id: Type.Optional({ ...CampaignId, description: 'The campaign the click was recorded under.' }),
    tag: Type.Optional({ ...TagName, description: 'Clicks on links that carry this tag now.' }),
    occurred_after: Type.Optional({ ...Timestamp, description: 'Clicks at or after this time (inclusive).' }),
    occurred_before: Type.Optional({ ...Timestamp, description: 'Clicks before this time (exclusive).' }),
    country: Type.Optional(CountryCode),
    device_type: Type.Optional(DeviceTypeSchema),
    referrer_category: Type.Optional(ReferrerCategorySchema),
    traffic_class: Type.Optional({
      ...TrafficClassSchema,
      description: 'Only this class; when given, `include_bots` is ignored.',
    }),
    is_unique: flag('Only unique (`true`) or only repeated (`false`) clicks.'),
    is_suspicious: flag(
      'Only suspicious (`true`) or only unsuspicious (`false`) clicks; overrides `include_suspicious`.',
    ),
    include_bots: flag('Include automated traffic (every class but `human`).', false),
    include_suspicious: flag('Include clicks flagged as suspicious.', true),
    include_simulated: flag('Include clicks recorded by `POST /v1/clicks/simulate`.', false),
    order: Type.Optional(
      Type.Union([Type.Literal('desc'), Type.Literal('asc')], {
        default: 'desc',
        description:
          '`desc`: newest `occurred_at` first; a walk is a snapshot of the clicks stored when its first page was read. ' +
          '`asc`: sync mode, by ingestion order — every click exactly once as the processor stores it, late-processed ' +
          'ones included; `next_cursor` is always set, so keep it and come back for more.',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(
      Type.String({
        maxLength: 512,
        description:
          'Opaque cursor from `next_cursor`; only valid with the filters and order it was issued for.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ClickPageSchema = Type.Object({
  data: Type.Array(ClickSchema),
  next_cursor: Nullable(
    Type.String({
      description:
        'Pass as `cursor` (with the same filters) for the next page. `desc`: null on the last page. ' +
        '`asc`: always set; when `has_more` is false it fetches clicks stored from now on.',
    }),
  ),
  has_more: Type.Boolean({ description: 'More clicks can be fetched right away.' }),
  retention: Type.Optional(RetentionNoticeSchema),
});

export const ClickIdParams = Type.Object({ click_id: Type.String({ pattern: idPattern('click') }) });

const headerText = (description: string) =>
  Type.Optional(Type.String({ minLength: 1, maxLength: SIMULATED_HEADER_MAX_LENGTH, description }));

export const SimulateClickBody = Type.Object(
  {
    link_id: Type.String({ pattern: idPattern('link'), description: 'A live link of the workspace.' }),
    user_agent: headerText('User-Agent to classify; a desktop Chrome by default.'),
    referer: headerText('Referer header (only its host is kept).'),
    accept_language: headerText('Accept-Language header.'),
    country: Type.Optional({
      ...CountryCode,
      description: 'Country to record; wins over the country of `ip`.',
    }),
    ip: Type.Optional(
      Type.String({
        minLength: 2,
        maxLength: 45,
        description:
          'Client address to derive `ip_hash`, the network prefix, country and ASN from, in memory; it is never stored. ' +
          'Default: a random address of 198.18.0.0/15 (set aside for benchmarks).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SimulatedClickSchema = Type.Object({
  click_id: Type.String(),
  simulated: Type.Literal(true),
  status: Type.Literal('accepted', {
    description: 'In the click log; the processor stores it and writes its events within moments.',
  }),
  href: Type.String({ description: 'Where the stored click will be: `GET /v1/clicks/{click_id}`.' }),
});
