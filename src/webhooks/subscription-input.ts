import { fieldError } from '../kernel/errors.js';
import { TRAFFIC_CLASSES, type TrafficClass } from '../processing/classification/traffic-class.js';
import { checkSubscriberUrl } from './subscriber-url.js';
import {
  type DeliveryMode,
  NO_FILTERS,
  SUBSCRIPTION_LIMITS,
  type SubscriptionFilters,
  type SubscriptionStatus,
} from './subscription.js';
import { isEventTypePattern } from './subscription-matching.js';

/** Filters as a caller gives them: omitted or `null` means no filter; an empty list is refused. */
export interface SubscriptionFiltersInput {
  readonly linkIds?: readonly string[] | null;
  readonly tags?: readonly string[] | null;
  readonly campaignId?: string | null;
  readonly trafficClasses?: readonly string[] | null;
}

/** Delivery mode as a caller gives it; batch settings default to 100 events and 1,000 ms. */
export type DeliveryModeInput =
  | { readonly kind: 'immediate' }
  | { readonly kind: 'batch'; readonly maxEvents?: number; readonly maxWaitMs?: number };

export const DEFAULT_BATCH = { maxEvents: 100, maxWaitMs: 1_000 } as const;

/** What a caller may set when creating a subscription; omitted fields take their defaults. */
export interface NewSubscriptionInput {
  readonly url: string;
  readonly description?: string | null;
  readonly eventTypes: readonly string[];
  readonly filters?: SubscriptionFiltersInput;
  readonly mode?: DeliveryModeInput;
  /** Defaults to the instance's retry schedule length + 1 (11 with the default schedule). */
  readonly maxAttempts?: number;
  readonly rateLimitPerSecond?: number | null;
}

/**
 * A partial update: present fields replace, `null` clears a nullable field; `filters` replaces the
 * filters given in it and keeps the others; batch settings left out of a `batch` mode keep their
 * current values when the subscription batches already. `status` is `active` (resume), `paused` or
 * `disabled`, and `statusReason` says why it was paused or disabled (only with one of those).
 */
export type SubscriptionPatch = Partial<NewSubscriptionInput> & {
  readonly status?: SubscriptionStatus;
  readonly statusReason?: string | null;
};

/** The validated definition fields of a subscription. */
export interface SubscriptionDefinition {
  readonly url: string;
  readonly description: string | null;
  readonly eventTypes: readonly string[];
  readonly filters: SubscriptionFilters;
  readonly mode: DeliveryMode;
  readonly maxAttempts: number;
  readonly rateLimitPerSecond: number | null;
}

export interface DefinitionContext {
  readonly allowPrivateAddresses: boolean;
  readonly defaultMaxAttempts: number;
}

/**
 * Validates a new subscription, or a patch over an existing definition, into a full definition.
 * Throws a `ClickwireError` naming the field (a JSON pointer into the API body) on the first problem.
 */
export function checkedDefinition(
  input: SubscriptionPatch,
  current: SubscriptionDefinition | null,
  context: DefinitionContext,
): SubscriptionDefinition {
  const url = input.url === undefined && current ? current.url : checkedUrl(input.url, context);
  const description =
    input.description === undefined ? (current?.description ?? null) : checkedDescription(input.description);
  const eventTypes =
    input.eventTypes === undefined && current ? current.eventTypes : checkedEventTypes(input.eventTypes);
  const filters = checkedFilters(input.filters, current?.filters ?? NO_FILTERS);
  const mode =
    input.mode === undefined
      ? (current?.mode ?? { kind: 'immediate' })
      : checkedMode(input.mode, current?.mode ?? null);
  const maxAttempts =
    input.maxAttempts === undefined
      ? (current?.maxAttempts ?? context.defaultMaxAttempts)
      : checkedInteger('/max_attempts', input.maxAttempts, SUBSCRIPTION_LIMITS.maxAttempts);
  const rateLimitPerSecond =
    input.rateLimitPerSecond === undefined
      ? (current?.rateLimitPerSecond ?? null)
      : input.rateLimitPerSecond === null
        ? null
        : checkedInteger(
            '/rate_limit_per_second',
            input.rateLimitPerSecond,
            SUBSCRIPTION_LIMITS.rateLimitPerSecond,
          );
  return { url, description, eventTypes, filters, mode, maxAttempts, rateLimitPerSecond };
}

/** A rotation's grace period, seconds: 0 (the old secret stops at once) to 7 days; 1 day by default. */
export function checkedGracePeriod(seconds: number | undefined): number {
  if (seconds === undefined) return SUBSCRIPTION_LIMITS.defaultGracePeriodSeconds;
  return checkedInteger('/grace_period_seconds', seconds, {
    min: 0,
    max: SUBSCRIPTION_LIMITS.maxGracePeriodSeconds,
  });
}

function checkedUrl(url: string | undefined, context: DefinitionContext): string {
  if (typeof url !== 'string') throw fieldError('CW_ERR_VALIDATION', '/url', 'is required');
  const check = checkSubscriberUrl(url, { allowPrivate: context.allowPrivateAddresses });
  if (!check.ok) throw fieldError('CW_ERR_UNSAFE_WEBHOOK_URL', '/url', check.reason);
  return check.url;
}

function checkedDescription(description: string | null): string | null {
  if (description === null || description === '') return null;
  if (description.length > SUBSCRIPTION_LIMITS.maxDescriptionLength)
    throw fieldError(
      'CW_ERR_VALIDATION',
      '/description',
      `must be at most ${SUBSCRIPTION_LIMITS.maxDescriptionLength} characters`,
    );
  return description;
}

function checkedEventTypes(types: readonly string[] | undefined): string[] {
  if (types === undefined || types.length === 0)
    throw fieldError('CW_ERR_VALIDATION', '/event_types', 'must name at least one event type');
  if (types.length > SUBSCRIPTION_LIMITS.maxEventTypes)
    throw fieldError(
      'CW_ERR_VALIDATION',
      '/event_types',
      `at most ${SUBSCRIPTION_LIMITS.maxEventTypes} entries`,
    );
  types.forEach((type, i) => {
    if (!isEventTypePattern(type))
      throw fieldError(
        'CW_ERR_VALIDATION',
        `/event_types/${i}`,
        `"${type}" is not an event type; use one like click.created, or a family such as click.*`,
      );
  });
  return [...new Set(types)];
}

function checkedFilters(
  input: SubscriptionFiltersInput | undefined,
  current: SubscriptionFilters,
): SubscriptionFilters {
  if (input === undefined) return current;
  const list = (
    field: string,
    values: readonly string[] | null | undefined,
    fallback: readonly string[] | null,
  ) => {
    if (values === undefined) return fallback;
    if (values === null) return null;
    if (values.length === 0)
      throw fieldError('CW_ERR_VALIDATION', field, 'must list at least one value (or be null for no filter)');
    if (values.length > SUBSCRIPTION_LIMITS.maxFilterValues)
      throw fieldError('CW_ERR_VALIDATION', field, `at most ${SUBSCRIPTION_LIMITS.maxFilterValues} values`);
    values.forEach((value, i) => {
      if (value.length === 0 || value.length > SUBSCRIPTION_LIMITS.maxFilterValueLength)
        throw fieldError(
          'CW_ERR_VALIDATION',
          `${field}/${i}`,
          `must be 1–${SUBSCRIPTION_LIMITS.maxFilterValueLength} characters`,
        );
    });
    return [...new Set(values)];
  };
  const trafficClasses = list('/filters/traffic_classes', input.trafficClasses, current.trafficClasses);
  trafficClasses?.forEach((value, i) => {
    if (!TRAFFIC_CLASSES.includes(value as TrafficClass))
      throw fieldError(
        'CW_ERR_VALIDATION',
        `/filters/traffic_classes/${i}`,
        `must be one of ${TRAFFIC_CLASSES.join(', ')}`,
      );
  });
  let campaignId = current.campaignId;
  if (input.campaignId !== undefined) {
    if (input.campaignId !== null && (input.campaignId === '' || input.campaignId.length > 128))
      throw fieldError('CW_ERR_VALIDATION', '/filters/campaign_id', 'must be 1–128 characters (or null)');
    campaignId = input.campaignId;
  }
  return {
    linkIds: list('/filters/link_ids', input.linkIds, current.linkIds),
    tags: list('/filters/tags', input.tags, current.tags),
    campaignId,
    trafficClasses: trafficClasses as TrafficClass[] | null,
  };
}

function checkedMode(mode: DeliveryModeInput, current: DeliveryMode | null): DeliveryMode {
  if (mode.kind === 'immediate') return { kind: 'immediate' };
  if (mode.kind !== 'batch') throw fieldError('CW_ERR_VALIDATION', '/mode', 'must be immediate or batch');
  // A change of one batch setting keeps the other, rather than resetting it to the default.
  const base = current?.kind === 'batch' ? current : DEFAULT_BATCH;
  return {
    kind: 'batch',
    maxEvents: checkedInteger(
      '/batch/max_events',
      mode.maxEvents ?? base.maxEvents,
      SUBSCRIPTION_LIMITS.batchMaxEvents,
    ),
    maxWaitMs: checkedInteger(
      '/batch/max_wait_ms',
      mode.maxWaitMs ?? base.maxWaitMs,
      SUBSCRIPTION_LIMITS.batchMaxWaitMs,
    ),
  };
}

/**
 * The reason recorded with a status change: the caller's, or a default naming the request. A
 * reason goes with `paused` or `disabled` only — an active subscription has none.
 */
export function checkedStatusReason(
  status: SubscriptionStatus | undefined,
  reason: string | null | undefined,
): string | null {
  if (reason !== undefined && reason !== null && status !== 'paused' && status !== 'disabled')
    throw fieldError('CW_ERR_VALIDATION', '/status_reason', 'goes only with status paused or disabled');
  if (status === undefined || status === 'active') return null;
  if (reason === undefined || reason === null || reason === '') return `${status} by API request`;
  if (reason.length > SUBSCRIPTION_LIMITS.maxStatusReasonLength)
    throw fieldError(
      'CW_ERR_VALIDATION',
      '/status_reason',
      `must be at most ${SUBSCRIPTION_LIMITS.maxStatusReasonLength} characters`,
    );
  return reason;
}

function checkedInteger(
  field: string,
  value: number,
  range: { readonly min: number; readonly max: number },
): number {
  if (!Number.isInteger(value) || value < range.min || value > range.max)
    throw fieldError('CW_ERR_VALIDATION', field, `must be an integer from ${range.min} to ${range.max}`);
  return value;
}
