import type { StoredEvent } from '../events/event-envelope.js';
import type { Attempt, AttemptOutcomeKind, Delivery, DeliveryStatus, ErrorCategory } from './delivery.js';
import type { BatchEventRow, Replay } from './delivery-store.js';

export interface DeliveryFilter {
  readonly subscriptionId?: string;
  readonly status?: DeliveryStatus;
  /** Deliveries carrying this event, alone or in a batch. */
  readonly eventId?: string;
}

export interface DeliveryPage {
  /** Return deliveries older than this id (lists run newest first); `null` for the first page. */
  readonly beforeDeliveryId: string | null;
  readonly limit: number;
}

/** Attempt figures of one subscription since a moment. */
export interface AttemptStats {
  readonly total: number;
  readonly byOutcome: Readonly<Record<AttemptOutcomeKind, number>>;
  readonly byErrorCategory: Readonly<Partial<Record<ErrorCategory, number>>>;
}

/** An event of a subscription's stream, with its number there. */
export interface SequencedEvent {
  readonly sequence: number;
  readonly event: StoredEvent;
}

/** Port: reading the delivery log — what the API lists and shows. Every read is scoped by workspace. */
export interface DeliveryLog {
  /** Deliveries of the workspace, newest first, filtered. */
  list(workspaceId: string, filter: DeliveryFilter, page: DeliveryPage): Promise<Delivery[]>;
  get(workspaceId: string, deliveryId: string): Promise<Delivery | null>;
  /** Every attempt of a delivery, first first. */
  attempts(workspaceId: string, deliveryId: string): Promise<Attempt[]>;
  /** The events of a batch delivery and their states, in stream order (empty for other kinds). */
  batchEvents(workspaceId: string, deliveryId: string): Promise<BatchEventRow[]>;
  /**
   * The subscription's stream after `afterSequence` (exclusive), in order — what a subscriber
   * fetches to fill a gap in `clickwire-sequence`. Events no longer stored are skipped.
   */
  streamAfter(subscriptionId: string, afterSequence: number, limit: number): Promise<SequencedEvent[]>;
  /** Attempt counts of the subscription whose attempt started at or after `since`; test sends are left out. */
  attemptStats(subscriptionId: string, since: number): Promise<AttemptStats>;
  /** Durations (ms) of the subscription's attempts (test sends left out) since `since` at these quantiles (0–1); `null` when none. */
  durationQuantiles(
    subscriptionId: string,
    since: number,
    quantiles: readonly number[],
  ): Promise<(number | null)[]>;
  /** When the oldest undelivered item of the subscription (open delivery, or event waiting for a batch) was created. */
  oldestPendingAt(subscriptionId: string): Promise<number | null>;
  /** Replays of the subscription, newest first. */
  replays(
    workspaceId: string,
    subscriptionId: string,
    page: { beforeReplayId: string | null; limit: number },
  ): Promise<Replay[]>;
}
