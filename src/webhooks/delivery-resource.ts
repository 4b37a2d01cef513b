import type {
  Attempt,
  AttemptOutcomeKind,
  AttemptTrigger,
  BatchEventState,
  Delivery,
  DeliveryOrigin,
  DeliveryStatus,
  ErrorCategory,
  FailureReason,
} from './delivery.js';
import type { BatchEventRow, Replay } from './delivery-store.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : iso(ms));

/** A delivery as the API lists it. */
export interface DeliveryResource {
  readonly delivery_id: string;
  readonly subscription_id: string;
  readonly kind: 'event' | 'batch' | 'test';
  /** The event delivered (`event` and `test`); `null` for a batch. */
  readonly event_id: string | null;
  /** The batch id (= `webhook-id`) of a batch; `null` otherwise. */
  readonly batch_id: string | null;
  readonly webhook_id: string;
  /** The event's number in the subscription's stream (`event` deliveries). */
  readonly sequence: number | null;
  readonly event_count: number;
  readonly origin: DeliveryOrigin;
  readonly replay_id: string | null;
  readonly status: DeliveryStatus;
  /** Why it failed, for `status: failed`. */
  readonly failure_reason: FailureReason | null;
  readonly attempt_count: number;
  readonly last_attempt_at: string | null;
  readonly next_attempt_at: string | null;
  /** HTTP status of the latest attempt; `null` when none arrived. */
  readonly response_code: number | null;
  readonly error_category: ErrorCategory | null;
  /** Duration of the latest attempt, ms. */
  readonly latency_ms: number | null;
  readonly created_at: string;
  readonly completed_at: string | null;
}

export interface AttemptResource {
  readonly attempt_number: number;
  readonly trigger: AttemptTrigger;
  readonly started_at: string;
  readonly duration_ms: number;
  readonly outcome: AttemptOutcomeKind;
  readonly status_code: number | null;
  readonly error_category: ErrorCategory | null;
  readonly error_detail: string | null;
  readonly request_headers: Record<string, string>;
  /** At most 4 KB of the answer. */
  readonly response_body: string | null;
}

/** A delivery with its attempts and, for a batch, its events — `GET /v1/webhook-deliveries/{id}`. */
export interface DeliveryDetailResource extends DeliveryResource {
  readonly attempts: AttemptResource[];
  readonly events: {
    readonly event_id: string;
    readonly sequence: number;
    readonly state: BatchEventState;
  }[];
}

export function toDeliveryResource(delivery: Delivery): DeliveryResource {
  const { content, state } = delivery;
  const last = state.status === 'pending' ? null : state.lastAttempt;
  return {
    delivery_id: delivery.deliveryId,
    subscription_id: delivery.subscriptionId,
    kind: content.kind,
    event_id: content.kind === 'batch' ? null : content.eventId,
    batch_id: content.kind === 'batch' ? delivery.webhookId : null,
    webhook_id: delivery.webhookId,
    sequence: content.kind === 'event' ? content.sequence : null,
    event_count: content.kind === 'batch' ? content.eventCount : 1,
    origin: delivery.origin,
    replay_id: delivery.replayId,
    status: state.status,
    failure_reason: state.status === 'failed' ? state.reason : null,
    attempt_count: delivery.attemptCount,
    last_attempt_at: isoOrNull(last?.at),
    next_attempt_at:
      state.status === 'pending' || state.status === 'retrying' ? iso(state.nextAttemptAt) : null,
    response_code: last?.statusCode ?? null,
    error_category: last?.errorCategory ?? null,
    latency_ms: last?.durationMs ?? null,
    created_at: iso(delivery.createdAt),
    completed_at: state.status === 'succeeded' || state.status === 'failed' ? iso(state.completedAt) : null,
  };
}

export function toDeliveryDetailResource(
  delivery: Delivery,
  attempts: readonly Attempt[],
  events: readonly BatchEventRow[],
): DeliveryDetailResource {
  return {
    ...toDeliveryResource(delivery),
    attempts: attempts.map((attempt) => ({
      attempt_number: attempt.attemptNumber,
      trigger: attempt.trigger,
      started_at: iso(attempt.startedAt),
      duration_ms: attempt.durationMs,
      outcome: attempt.outcome,
      status_code: attempt.statusCode,
      error_category: attempt.errorCategory,
      error_detail: attempt.errorDetail,
      request_headers: { ...attempt.requestHeaders },
      response_body: attempt.responseBody,
    })),
    events: events.map((event) => ({
      event_id: event.eventId,
      sequence: event.sequence,
      state: event.state,
    })),
  };
}

/** A replay's audit record as the API returns it. */
export interface ReplayResource {
  readonly replay_id: string;
  readonly subscription_id: string;
  readonly requested_by: string;
  readonly requested_at: string;
  readonly selection:
    | { readonly event_ids: string[] }
    | {
        readonly occurred_after: string | null;
        readonly occurred_before: string | null;
        readonly only_failed: boolean;
      };
  readonly event_count: number;
  readonly delivery_count: number;
}

export function toReplayResource(replay: Replay): ReplayResource {
  const { selection } = replay;
  return {
    replay_id: replay.replayId,
    subscription_id: replay.subscriptionId,
    requested_by: replay.requestedBy,
    requested_at: iso(replay.requestedAt),
    selection:
      selection.by === 'event_ids'
        ? { event_ids: [...selection.eventIds] }
        : {
            occurred_after: isoOrNull(selection.occurredAfter),
            occurred_before: isoOrNull(selection.occurredBefore),
            only_failed: selection.onlyFailed,
          },
    event_count: replay.eventCount,
    delivery_count: replay.deliveryCount,
  };
}
