import { Type } from '@sinclair/typebox';
import { idPattern } from '../../kernel/ids.js';
import { REFERRER_MODES, RETENTION_LIMITS, USER_AGENT_RETENTIONS } from '../../privacy/privacy-settings.js';
import { UNIQUENESS_RULES } from '../../processing/uniqueness/uniqueness-rule.js';
import { Nullable, Timestamp } from './common.js';

const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    { description },
  );

/** The privacy mode that applied, stated on every click and every aggregate answer. */
export const PrivacyModeSchema = Type.Object(
  {
    ip: literals(
      ['prefix/24+hash-daily', 'prefix/24', 'hash-daily', 'none'],
      'What was kept of the address: the truncated network (IPv4 /24, IPv6 /48) and/or the daily keyed hash.',
    ),
    geo: literals(['country+asn', 'country', 'asn', 'none'], 'What was looked up from the address.'),
    referrer: literals(['host', 'none'], 'The referrer’s host only, or nothing.'),
    language: literals(['primary', 'none'], 'Primary language of Accept-Language, or nothing.'),
    user_agent: literals(
      ['raw-retention', 'until-processed'],
      'How long the raw user agent stays in the raw click.',
    ),
  },
  { title: 'PrivacyMode' },
);

const Days = (description: string) =>
  Type.Integer({ minimum: RETENTION_LIMITS.minDays, maximum: RETENTION_LIMITS.maxDays, description });

export const RetentionSchema = Type.Object(
  {
    raw_clicks_days: Days('Raw clicks (click log and stored clicks) are deleted after this many days.'),
    events_days: Days('Events and stored delivery bodies are deleted after this many days.'),
    rollups_days: Nullable(
      Days('Hourly rollups are deleted after this many days; `null` keeps them forever.'),
    ),
  },
  { title: 'Retention' },
);

export const PrivacyOptionsSchema = Type.Object(
  {
    ip_hash: Type.Boolean({
      description: 'Keep a daily keyed hash of the address (uniqueness, erasure by visitor).',
    }),
    ip_prefix: Type.Boolean({ description: 'Keep the truncated network (IPv4 /24, IPv6 /48).' }),
    country: Type.Boolean({ description: 'Look up the country of the address.' }),
    asn: Type.Boolean({ description: 'Look up the network (ASN) of the address.' }),
    referrer: literals(REFERRER_MODES, '`host`: keep the referrer’s host; `off`: keep nothing of it.'),
    language: Type.Boolean({ description: 'Keep the primary language of Accept-Language.' }),
    user_agent: literals(
      USER_AGENT_RETENTIONS,
      '`raw_retention`: the raw user agent stays in the raw click as long as it; `until_processed`: removed once the click is stored.',
    ),
  },
  { title: 'PrivacyOptions' },
);

export const WorkspaceSettingsSchema = Type.Object(
  {
    workspace_id: Type.String(),
    uniqueness_rule: Type.String(),
    timezone: Type.String(),
    retention: RetentionSchema,
    privacy: PrivacyOptionsSchema,
    privacy_mode: PrivacyModeSchema,
  },
  { $id: 'WorkspaceSettings', title: 'WorkspaceSettings' },
);

const partial = <T extends Record<string, import('@sinclair/typebox').TSchema>>(properties: T) =>
  Type.Object(
    Object.fromEntries(Object.entries(properties).map(([key, schema]) => [key, Type.Optional(schema)])) as {
      [K in keyof T]: import('@sinclair/typebox').TOptional<T[K]>;
    },
    { additionalProperties: false, minProperties: 1 },
  );

export const WorkspaceSettingsPatch = Type.Object(
  {
    uniqueness_rule: Type.Optional(literals(UNIQUENESS_RULES, 'How `is_unique` is decided for new clicks.')),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone.' })),
    retention: Type.Optional(partial(RetentionSchema.properties)),
    privacy: Type.Optional(partial(PrivacyOptionsSchema.properties)),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** What raw retention means for a query's range, stated in click and aggregate answers. */
export const RetentionNoticeSchema = Type.Object(
  {
    raw_clicks_days: Type.Integer(),
    raw_clicks_from: Type.String({ description: 'Raw clicks that occurred before this are deleted.' }),
    range_within_raw_retention: Type.Boolean({
      description:
        '`false` when the range asked for reaches before `raw_clicks_from`: clicks from then are no longer ' +
        'listed; aggregates still count them from rollups.',
    }),
  },
  { title: 'RetentionNotice' },
);

const Ip = Type.String({ minLength: 2, maxLength: 45, description: 'IPv4 or IPv6 address. Never stored.' });

export const ErasureRequestBody = Type.Union(
  [
    Type.Object(
      {
        visitor: Type.Object(
          {
            ip: Ip,
            user_agent: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 1024,
                description: 'Narrows to clicks with this user agent too. Never stored.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
    Type.Object({ link_id: Type.String({ pattern: idPattern('link') }) }, { additionalProperties: false }),
    Type.Object(
      {
        occurred_after: { ...Timestamp, description: 'Inclusive.' },
        occurred_before: { ...Timestamp, description: 'Exclusive.' },
      },
      { additionalProperties: false },
    ),
  ],
  {
    description:
      'Exactly one selector: `visitor` (an address, optionally with a user agent), `link_id`, or a time range.',
  },
);

export const ErasureReceiptSchema = Type.Object(
  {
    erasure_request_id: Type.String(),
    status: literals(['pending', 'running', 'completed', 'failed'], 'Where the erasure stands.'),
    selector: Type.Object(
      {
        kind: literals(['visitor', 'link', 'time_range'], 'What was selected.'),
        link_id: Type.Optional(Type.String()),
        occurred_after: Type.Optional(Type.String()),
        occurred_before: Type.Optional(Type.String()),
        with_user_agent: Type.Optional(Type.Boolean()),
      },
      { description: 'The request as logged: never the address or user agent.' },
    ),
    requested_at: Type.String(),
    finished_at: Nullable(Type.String()),
    counts: Type.Object({
      clicks_erased: Type.Integer(),
      raw_clicks_erased: Type.Integer(),
      events_purged: Type.Integer(),
      delivery_bodies_purged: Type.Integer(),
      rollup_clicks_subtracted: Type.Integer(),
      salt_days: Type.Integer({
        description: 'Days whose salts were still held and tried (visitor requests).',
      }),
    }),
    error: Nullable(Type.String()),
    href: Type.String(),
  },
  { $id: 'ErasureReceipt', title: 'ErasureReceipt' },
);

export const ErasureIdParams = Type.Object({
  erasure_request_id: Type.String({ pattern: idPattern('erasure') }),
});
