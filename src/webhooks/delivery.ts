/**
 * The delivery lifecycle as data (after Svix): an event, a delivery (event × subscription, or a
 * batch of events for one subscription) and one attempt row per try.
 */

/** Where a delivery stands. `failed` is the dead letter: listed, and replayable. */
export const DELIVERY_STATUSES = ['pending', 'retrying', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Why one attempt failed. 3xx (never followed) counts as `invalid_response`. */
export const ERROR_CATEGORIES = [
  'timeout',
  'connection_refused',
  'dns',
  'tls',
  'ssrf_blocked',
  'http_4xx',
  'http_5xx',
  'invalid_response',
] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** What started an attempt: the dispatcher's schedule, a person (replay), or the test endpoint. */
export const ATTEMPT_TRIGGERS = ['scheduled', 'manual', 'test'] as const;
export type AttemptTrigger = (typeof ATTEMPT_TRIGGERS)[number];

/** How a delivery came to exist. */
export const DELIVERY_ORIGINS = ['fanout', 'replay', 'test'] as const;
export type DeliveryOrigin = (typeof DELIVERY_ORIGINS)[number];

/** Why a delivery ended `failed`. */
export const FAILURE_REASONS = [
  'attempts_exhausted',
  'subscription_disabled',
  'subscription_deleted',
  'payload_too_large',
  'event_missing',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** What a delivery carries; its `webhook-id` follows from it. */
export type DeliveryContent =
  /** One stored event; `sequence` is its number in the subscription's stream. */
  | { readonly kind: 'event'; readonly eventId: string; readonly sequence: number }
  /** Several events of the subscription's stream in one request; the batch id is the delivery id. */
  | { readonly kind: 'batch'; readonly eventCount: number }
  /** A sample event made by the test endpoint; it is not in the event store. */
  | { readonly kind: 'test'; readonly eventId: string };

/** The figures of the latest attempt, kept on the delivery for listings. */
export interface AttemptSummary {
  readonly at: number;
  readonly statusCode: number | null;
  readonly errorCategory: ErrorCategory | null;
  readonly durationMs: number;
}

export type DeliveryState =
  | { readonly status: 'pending'; readonly nextAttemptAt: number }
  | { readonly status: 'retrying'; readonly nextAttemptAt: number; readonly lastAttempt: AttemptSummary }
  | { readonly status: 'succeeded'; readonly completedAt: number; readonly lastAttempt: AttemptSummary }
  | {
      readonly status: 'failed';
      readonly completedAt: number;
      readonly reason: FailureReason;
      /** `null` when the delivery failed without ever being attempted (e.g. its subscription was disabled). */
      readonly lastAttempt: AttemptSummary | null;
    };

export interface Delivery {
  readonly deliveryId: string;
  readonly workspaceId: string;
  readonly subscriptionId: string;
  /** The `webhook-id` header: the event id, or the batch id (= delivery id); the same on every retry. */
  readonly webhookId: string;
  readonly content: DeliveryContent;
  readonly origin: DeliveryOrigin;
  /** The replay request that created it, for `origin: 'replay'`. */
  readonly replayId: string | null;
  readonly attemptCount: number;
  readonly state: DeliveryState;
  readonly createdAt: number;
}

/** What became of one attempt, as recorded. `partial`: a batch answered 2xx but named events it failed. */
export type AttemptOutcomeKind = 'succeeded' | 'partial' | 'failed';

/** One try at a delivery. */
export interface Attempt {
  readonly deliveryId: string;
  readonly subscriptionId: string;
  /** 1 for the first try. */
  readonly attemptNumber: number;
  readonly trigger: AttemptTrigger;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly outcome: AttemptOutcomeKind;
  /** `null` when no HTTP answer arrived. */
  readonly statusCode: number | null;
  readonly errorCategory: ErrorCategory | null;
  /** A short technical detail (`connect ECONNREFUSED 203.0.113.9:443`); never a secret. */
  readonly errorDetail: string | null;
  /** The headers sent, signature included (it reveals nothing of the secret). */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** The answer's body, cut to {@link MAX_STORED_RESPONSE_BYTES}. */
  readonly responseBody: string | null;
}

/** The state of one event inside a batch delivery. */
export type BatchEventState = 'pending' | 'succeeded' | 'failed';

/** Largest part of a subscriber's answer that is stored with an attempt. */
export const MAX_STORED_RESPONSE_BYTES = 4096;

/** Largest request body sent to a subscriber; batches are cut to stay under it. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** True for the statuses a delivery can still leave. */
export function isOpen(status: DeliveryStatus): boolean {
  return status === 'pending' || status === 'retrying';
}

/** The trigger of a delivery's next attempt: a replay's first try is a person's doing, its retries are scheduled. */
export function triggerOf(origin: DeliveryOrigin, attemptCount: number): AttemptTrigger {
  if (origin === 'test') return 'test';
  if (origin === 'replay' && attemptCount === 0) return 'manual';
  return 'scheduled';
}
