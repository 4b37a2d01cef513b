import { type TSchema, Type } from '@sinclair/typebox';
import { idPattern } from '../../kernel/ids.js';
import { TRAFFIC_CLASSES } from '../../processing/classification/traffic-class.js';
import {
  ATTEMPT_TRIGGERS,
  DELIVERY_ORIGINS,
  DELIVERY_STATUSES,
  ERROR_CATEGORIES,
  FAILURE_REASONS,
} from '../../webhooks/delivery.js';
import { SUBSCRIPTION_LIMITS, SUBSCRIPTION_STATUSES } from '../../webhooks/subscription.js';
import { EVENT_TYPE_PATTERNS } from '../../webhooks/subscription-matching.js';
import { MAX_REPLAY_EVENTS } from '../../webhooks/webhook-service.js';
import { Nullable, PageOf, Timestamp } from './common.js';
import { EventSchema } from './event-schemas.js';

const literals = <T extends string>(values: readonly T[], description?: string) =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    description === undefined ? {} : { description },
  );

const range = (limits: { readonly min: number; readonly max: number }, description: string) =>
  Type.Integer({ minimum: limits.min, maximum: limits.max, description });

export const SubscriptionIdParams = Type.Object({
  subscription_id: Type.String({ pattern: idPattern('subscription') }),
});
export const DeliveryIdParams = Type.Object({
  delivery_id: Type.String({ pattern: idPattern('delivery') }),
});

const SubscriptionStatusSchema = literals(
  SUBSCRIPTION_STATUSES,
  '`active`: deliveries are sent. `paused`: nothing is sent, events accumulate and go out oldest first on ' +
    'resume. `disabled`: nothing is sent or kept (set on 410 Gone, or by the owner).',
);
const ModeSchema = literals(
  ['immediate', 'batch'],
  '`immediate`: one request per event. `batch`: `{batch_id, sent_at, events}` posts, see `batch`.',
);
const ErrorCategorySchema = literals(ERROR_CATEGORIES, 'Why the attempt failed.');

// ---------------------------------------------------------------- subscriptions

const SubscriberUrl = Type.String({
  minLength: 1,
  maxLength: SUBSCRIPTION_LIMITS.maxUrlLength,
  description:
    'Absolute https URL, without credentials or fragment, that does not point at a private, loopback, ' +
    'link-local or metadata address (http to loopback only with CLICKWIRE_WEBHOOK_ALLOW_PRIVATE=true).',
});
const Description = Nullable(Type.String({ maxLength: SUBSCRIPTION_LIMITS.maxDescriptionLength }));
const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  minItems: 1,
  maxItems: SUBSCRIPTION_LIMITS.maxEventTypes,
  description: `Event types to receive, exact or a family: ${EVENT_TYPE_PATTERNS.join(', ')}.`,
});
const FilterValues = <T extends TSchema>(description: string, item: T) =>
  Nullable(
    Type.Array(item, {
      minItems: 1,
      maxItems: SUBSCRIPTION_LIMITS.maxFilterValues,
      description: `${description} \`null\` (or left out) for no filter.`,
    }),
  );
const FilterValue = Type.String({ minLength: 1, maxLength: SUBSCRIPTION_LIMITS.maxFilterValueLength });
const FiltersInput = Type.Object(
  {
    link_ids: Type.Optional(
      FilterValues('Only events of these links.', Type.String({ pattern: idPattern('link') })),
    ),
    tags: Type.Optional(FilterValues('Only events of links with at least one of these tags.', FilterValue)),
    campaign_id: Type.Optional(
      Nullable(Type.String({ minLength: 1, maxLength: 128, description: 'Only events of this campaign.' })),
    ),
    traffic_classes: Type.Optional(
      FilterValues(
        'Only click events of these traffic classes (every class by default; each event carries its own).',
        literals(TRAFFIC_CLASSES),
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Every filter that is set must pass. In an update, the filters given replace, the others stay.',
  },
);
const BatchInput = Type.Object(
  {
    max_events: Type.Optional(
      range(SUBSCRIPTION_LIMITS.batchMaxEvents, 'Most events in one request (default 100).'),
    ),
    max_wait_ms: Type.Optional(
      range(
        SUBSCRIPTION_LIMITS.batchMaxWaitMs,
        'A batch is posted at most this long after its oldest event arrived (default 1,000).',
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'Settings of `mode: batch`; giving them implies it. Left-out settings keep their value.',
  },
);

const definitionFields = {
  url: SubscriberUrl,
  description: Description,
  event_types: EventTypes,
  filters: FiltersInput,
  mode: ModeSchema,
  batch: BatchInput,
  max_attempts: range(
    SUBSCRIPTION_LIMITS.maxAttempts,
    'Attempts per delivery before it is `failed`, first try included (default: the retry schedule’s steps + 1).',
  ),
  rate_limit_per_second: Nullable(
    range(SUBSCRIPTION_LIMITS.rateLimitPerSecond, 'Most requests started per second; `null` for no limit.'),
  ),
};

export const CreateSubscriptionBody = Type.Object(
  {
    url: definitionFields.url,
    event_types: definitionFields.event_types,
    description: Type.Optional(definitionFields.description),
    filters: Type.Optional(definitionFields.filters),
    mode: Type.Optional(definitionFields.mode),
    batch: Type.Optional(definitionFields.batch),
    max_attempts: Type.Optional(definitionFields.max_attempts),
    rate_limit_per_second: Type.Optional(definitionFields.rate_limit_per_second),
  },
  { additionalProperties: false },
);

export const PatchSubscriptionBody = Type.Partial(
  Type.Object({
    ...definitionFields,
    status: { ...SubscriptionStatusSchema, description: '`active` resumes; `paused` or `disabled` stops.' },
    status_reason: Nullable(
      Type.String({
        maxLength: SUBSCRIPTION_LIMITS.maxStatusReasonLength,
        description: 'Why, with `status: paused` or `disabled`.',
      }),
    ),
  }),
  { additionalProperties: false, minProperties: 1 },
);

export const SubscriptionSchema = Type.Object(
  {
    subscription_id: Type.String(),
    workspace_id: Type.String(),
    url: Type.String(),
    description: Nullable(Type.String()),
    event_types: Type.Array(Type.String()),
    filters: Type.Object({
      link_ids: Nullable(Type.Array(Type.String())),
      tags: Nullable(Type.Array(Type.String())),
      campaign_id: Nullable(Type.String()),
      traffic_classes: Nullable(Type.Array(Type.String())),
    }),
    mode: ModeSchema,
    batch: Nullable(
      Type.Object(
        { max_events: Type.Integer(), max_wait_ms: Type.Integer() },
        { description: 'Set for `mode: batch`.' },
      ),
    ),
    max_attempts: Type.Integer(),
    rate_limit_per_second: Nullable(Type.Integer()),
    status: SubscriptionStatusSchema,
    status_reason: Nullable(Type.String({ description: 'Why it was last paused or disabled.' })),
    status_changed_at: Type.String(),
    previous_secret_expires_at: Nullable(
      Type.String({ description: 'Until when a rotated-out secret still signs alongside the new one.' }),
    ),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  { $id: 'WebhookSubscription', title: 'WebhookSubscription' },
);

const SecretSchema = Type.String({
  description: 'Signing secret, `whsec_` + base64. Returned here only: store it now.',
});

export const CreatedSubscriptionSchema = Type.Object(
  { ...SubscriptionSchema.properties, secret: SecretSchema },
  { $id: 'CreatedWebhookSubscription', title: 'CreatedWebhookSubscription' },
);

export const SubscriptionPageSchema = PageOf(SubscriptionSchema);

export const RotateSecretBody = Type.Object(
  {
    grace_period_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: SUBSCRIPTION_LIMITS.maxGracePeriodSeconds,
        default: SUBSCRIPTION_LIMITS.defaultGracePeriodSeconds,
        description:
          'How long the old secret keeps signing too (both signatures, space-separated); 0 stops it at once.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RotatedSecretSchema = Type.Object({
  subscription_id: Type.String(),
  secret: SecretSchema,
  previous_secret_expires_at: Nullable(
    Type.String({ description: 'When the old secret stops signing; `null` with no grace period.' }),
  ),
});

export const StreamQuery = Type.Object(
  {
    after_sequence: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'The last `clickwire-sequence` received; events after it are returned (0: from the start).',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(
      Type.String({
        maxLength: 512,
        description: 'Opaque cursor from `next_cursor`, instead of `after_sequence`.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const StreamPageSchema = PageOf(
  Type.Object({
    sequence: Type.Integer({
      description: 'The event’s `clickwire-sequence` in this subscription’s stream.',
    }),
    event: EventSchema,
  }),
);

const WindowFigures = Type.Object({
  attempts: Type.Integer(),
  succeeded: Type.Integer(),
  partial: Type.Integer({ description: 'Batches answered 2xx that named events they failed.' }),
  failed: Type.Integer(),
  success_rate: Nullable(
    Type.Number({ description: '(succeeded + partial) / attempts; `null` without attempts.' }),
  ),
});

export const HealthSchema = Type.Object(
  {
    subscription_id: Type.String(),
    status: SubscriptionStatusSchema,
    status_reason: Nullable(Type.String()),
    last_hour: WindowFigures,
    last_day: WindowFigures,
    latency_ms: Type.Object(
      { p50: Nullable(Type.Number()), p95: Nullable(Type.Number()) },
      { description: 'Attempt durations over the last day; `null` without attempts.' },
    ),
    failure_reasons: Type.Array(Type.Object({ error_category: ErrorCategorySchema, count: Type.Integer() }), {
      description: 'Failed attempts of the last day by category, most frequent first.',
    }),
    consecutive_failures: Type.Integer(),
    failing_since: Nullable(Type.String()),
    oldest_pending_age_seconds: Nullable(
      Type.Integer({ description: 'Age of the oldest event not yet delivered (the lag); `null` when none.' }),
    ),
  },
  { $id: 'WebhookSubscriptionHealth', title: 'WebhookSubscriptionHealth' },
);

// ---------------------------------------------------------------- deliveries

const deliveryFields = {
  delivery_id: Type.String(),
  subscription_id: Type.String(),
  kind: literals(['event', 'batch', 'test'], 'One event, a batch of events, or a test event.'),
  event_id: Nullable(Type.String({ description: 'The event delivered; `null` for a batch.' })),
  batch_id: Nullable(Type.String({ description: 'The batch id (its `webhook-id`); `null` otherwise.' })),
  webhook_id: Type.String({ description: 'The `webhook-id` header: the same on every retry and replay.' }),
  sequence: Nullable(Type.Integer({ description: 'The event’s `clickwire-sequence` (`kind: event`).' })),
  event_count: Type.Integer(),
  origin: literals(DELIVERY_ORIGINS, 'Made by the fan-out, a replay, or the test endpoint.'),
  replay_id: Nullable(Type.String()),
  status: literals(DELIVERY_STATUSES, '`failed` is the dead letter: listed, and replayable.'),
  failure_reason: Nullable(literals(FAILURE_REASONS, 'Why it failed.')),
  attempt_count: Type.Integer(),
  last_attempt_at: Nullable(Type.String()),
  next_attempt_at: Nullable(Type.String()),
  response_code: Nullable(Type.Integer({ description: 'HTTP status of the latest attempt.' })),
  error_category: Nullable(ErrorCategorySchema),
  latency_ms: Nullable(Type.Number({ description: 'Duration of the latest attempt.' })),
  created_at: Type.String(),
  completed_at: Nullable(Type.String()),
};

export const DeliverySchema = Type.Object(deliveryFields, {
  $id: 'WebhookDelivery',
  title: 'WebhookDelivery',
});

export const DeliveryDetailSchema = Type.Object(
  {
    ...deliveryFields,
    attempts: Type.Array(
      Type.Object({
        attempt_number: Type.Integer(),
        trigger: literals(ATTEMPT_TRIGGERS, 'The schedule, a person (replay), or the test endpoint.'),
        started_at: Type.String(),
        duration_ms: Type.Number(),
        outcome: literals(['succeeded', 'partial', 'failed']),
        status_code: Nullable(Type.Integer()),
        error_category: Nullable(ErrorCategorySchema),
        error_detail: Nullable(Type.String()),
        request_headers: Type.Record(Type.String(), Type.String(), {
          description: 'The headers sent, signatures included.',
        }),
        response_body: Nullable(Type.String({ description: 'At most 4 KB of the answer.' })),
      }),
      { description: 'Every attempt, first first.' },
    ),
    events: Type.Array(
      Type.Object({
        event_id: Type.String(),
        sequence: Type.Integer(),
        state: literals(['pending', 'succeeded', 'failed']),
      }),
      { description: 'The events of a batch and where each stands; empty for other kinds.' },
    ),
  },
  { $id: 'WebhookDeliveryDetail', title: 'WebhookDeliveryDetail' },
);

export const DeliveryListQuery = Type.Object(
  {
    subscription_id: Type.Optional(Type.String({ pattern: idPattern('subscription') })),
    status: Type.Optional(literals(DELIVERY_STATUSES)),
    event_id: Type.Optional(
      Type.String({
        pattern: idPattern('event'),
        description: 'Deliveries carrying this event, alone or in a batch.',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(
      Type.String({
        maxLength: 512,
        description: 'Opaque cursor from `next_cursor`, with the same filters.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DeliveryPageSchema = PageOf(DeliverySchema);

// ---------------------------------------------------------------- replays

export const ReplayBody = Type.Object(
  {
    subscription_id: Type.String({ pattern: idPattern('subscription') }),
    event_ids: Type.Optional(
      Type.Array(Type.String({ pattern: idPattern('event') }), {
        minItems: 1,
        maxItems: MAX_REPLAY_EVENTS,
        description: 'Replay these events (those of the subscription’s stream). Not with the fields below.',
      }),
    ),
    occurred_after: Type.Optional({
      ...Timestamp,
      description: 'Events that occurred at or after this time.',
    }),
    occurred_before: Type.Optional({
      ...Timestamp,
      description: 'Events that occurred at or before this time.',
    }),
    only_failed: Type.Optional(
      Type.Boolean({
        description: 'Only events whose latest delivery ended `failed` (and none is under way).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ReplaySchema = Type.Object(
  {
    replay_id: Type.String(),
    subscription_id: Type.String(),
    requested_by: Type.String({ description: 'The API key that asked.' }),
    requested_at: Type.String(),
    selection: Type.Union([
      Type.Object({ event_ids: Type.Array(Type.String()) }),
      Type.Object({
        occurred_after: Nullable(Type.String()),
        occurred_before: Nullable(Type.String()),
        only_failed: Type.Boolean(),
      }),
    ]),
    event_count: Type.Integer({ description: 'Events sent again.' }),
    delivery_count: Type.Integer({
      description: 'Deliveries made for them (fewer for a batch subscription).',
    }),
  },
  { $id: 'WebhookReplay', title: 'WebhookReplay' },
);

export const ReplayPageSchema = PageOf(ReplaySchema);
