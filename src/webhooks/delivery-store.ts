import type { StoredEvent } from '../events/event-envelope.js';
import type { Attempt, BatchEventState, DeliveryOrigin, FailureReason } from './delivery.js';
import type { FailureStreak } from './pause-policy.js';

/** An event with its position in the store's commit order (the dispatcher's cursor moves along it). */
export interface PositionedEvent {
  readonly position: number;
  readonly event: StoredEvent;
}

/** One event going to one subscription, as decided by the dispatcher's matching. */
export interface FanOutTarget {
  readonly subscriptionId: string;
  readonly eventId: string;
  /**
   * For an immediate subscription, the delivery to create (leased to this dispatcher until
   * `leaseUntil`, or `null` to leave it for `claimDue`); `null` for a batch subscription, whose
   * events wait in its stream until `formBatch` takes them.
   */
  readonly delivery: { readonly deliveryId: string; readonly leaseUntil: number | null } | null;
}

export interface FanOut {
  readonly consumer: string;
  /** The cursor the events were read after; nothing is written if the cursor is elsewhere now. */
  readonly from: number;
  /** Position of the last event read: the new cursor. */
  readonly to: number;
  /** The subscriptions version the targets were matched with; nothing is written if it changed. */
  readonly subscriptionsVersion: number;
  readonly now: number;
  readonly targets: readonly FanOutTarget[];
}

export type FanOutCommit =
  /** `sequences[i]` is target i's number in its subscription's stream. */
  | { readonly committed: true; readonly sequences: readonly number[] }
  /** Another dispatcher moved the cursor, or the subscriptions changed: read and match again. */
  | { readonly committed: false };

/** An event inside a batch about to be sent. `payload` is `null` if the event is no longer stored. */
export interface BatchedEvent {
  readonly sequence: number;
  readonly eventId: string;
  readonly payload: string | null;
}

/** What a request carries, ready to sign and send. */
export type DueBody =
  | { readonly kind: 'event'; readonly sequence: number; readonly payload: string | null }
  /** The batch's events still pending (a partial failure leaves only those). */
  | { readonly kind: 'batch'; readonly events: readonly BatchedEvent[] }
  | { readonly kind: 'test'; readonly payload: string };

/** A delivery leased to this dispatcher, with everything needed to attempt it. */
export interface DueDelivery {
  readonly deliveryId: string;
  readonly subscriptionId: string;
  readonly webhookId: string;
  readonly origin: DeliveryOrigin;
  /** Attempts made before this one. */
  readonly attemptCount: number;
  readonly body: DueBody;
}

export interface BatchRequest {
  readonly subscriptionId: string;
  readonly now: number;
  readonly maxEvents: number;
  readonly maxWaitMs: number;
  /** Most bytes of event payloads in one batch. */
  readonly maxBytes: number;
  /** Id of the batch delivery to create (it is also the batch id). */
  readonly deliveryId: string;
  readonly leaseUntil: number | null;
}

/** Events waiting to be batched for one subscription. */
export interface BatchQueue {
  readonly count: number;
  /** When the oldest of them was fanned out; `null` when none wait. */
  readonly oldestAt: number | null;
}

export interface FormedBatch {
  /** The batch delivery created, or `null` when the queue was not ready (not full, not old enough). */
  readonly batch: DueDelivery | null;
  /** What still waits afterwards. */
  readonly queue: BatchQueue;
}

export interface ClaimRequest {
  readonly subscriptionId: string;
  readonly now: number;
  readonly limit: number;
  /** The lease: nobody else claims the deliveries before `now + leaseMs`. */
  readonly leaseMs: number;
}

/** What an attempt (or a decision without one) did to a delivery, for `recordAttempts`. */
export interface AttemptRecord {
  readonly deliveryId: string;
  readonly subscriptionId: string;
  /** `null` when the delivery is settled without a request (payload too large, event gone). */
  readonly attempt: Omit<Attempt, 'attemptNumber'> | null;
  readonly next:
    | { readonly status: 'succeeded' }
    | { readonly status: 'retrying'; readonly nextAttemptAt: number }
    | { readonly status: 'failed'; readonly reason: FailureReason };
  /** For a batch answered with a partial failure: the sequences it accepted (the rest stay pending). */
  readonly acceptedSequences?: readonly number[];
  /** What the attempt says about the endpoint: a 2xx (`ok`), a failure (`failing`), or nothing. */
  readonly endpoint: 'ok' | 'failing' | 'none';
}

/** A subscription's failure streak after `recordAttempts` lengthened it. */
export interface StreakUpdate {
  readonly subscriptionId: string;
  readonly streak: FailureStreak;
}

/** A one-off delivery made outside the dispatcher (the test endpoint). */
export interface TestDelivery {
  readonly deliveryId: string;
  readonly workspaceId: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly payload: string;
  readonly now: number;
}

/** Which of a subscription's events a replay sends again. */
export type ReplaySelection =
  | { readonly by: 'event_ids'; readonly eventIds: readonly string[] }
  | {
      readonly by: 'time_range';
      /** Inclusive bounds on the events' `occurred_at`; `null` for open. */
      readonly occurredAfter: number | null;
      readonly occurredBefore: number | null;
      /** Only events whose latest delivery ended `failed` (and none is under way). */
      readonly onlyFailed: boolean;
    };

export interface ReplayRequest {
  readonly replayId: string;
  readonly workspaceId: string;
  readonly subscriptionId: string;
  readonly selection: ReplaySelection;
  /** Who asked (an API key id), for the audit trail. */
  readonly requestedBy: string;
  readonly now: number;
  /** Batch subscriptions get their replayed events in batches of this shape; `null` for one per event. */
  readonly batching: { readonly maxEvents: number; readonly maxBytes: number } | null;
  /** Most events one replay may send. */
  readonly maxEvents: number;
  /** Ids for the deliveries it creates, called once per delivery. */
  readonly newDeliveryId: () => string;
}

/** The audit record of one replay. */
export interface Replay {
  readonly replayId: string;
  readonly workspaceId: string;
  readonly subscriptionId: string;
  readonly selection: ReplaySelection;
  readonly requestedBy: string;
  readonly requestedAt: number;
  readonly eventCount: number;
  readonly deliveryCount: number;
}

/**
 * Port: the dispatcher's work — fan-out, batching, claiming, and the attempt log — plus the
 * one-off deliveries the API creates (tests, replays).
 *
 * What must stay true: a delivery row exists before its first attempt; the fan-out's rows and
 * its cursor move commit together; a claimed delivery is leased, so no other dispatcher claims it
 * before the lease runs out.
 */
export interface DeliveryStore {
  /**
   * Whether several dispatchers may claim work at once (PostgreSQL's `FOR UPDATE SKIP LOCKED`).
   * When false there is one dispatcher, and it may take back every lease when it starts.
   */
  readonly supportsConcurrentDispatchers: boolean;
  /** The consumer's cursor, the newest event position, and the subscriptions version: a cheap "is there work?". */
  watermarks(consumer: string): Promise<{ cursor: number; eventHead: number; subscriptionsVersion: number }>;
  /** Events after `position` in commit order, at most `limit`. */
  readEventsAfter(position: number, limit: number): Promise<PositionedEvent[]>;
  /**
   * Appends each target to its subscription's stream (numbering it), creates the immediate
   * deliveries, and moves the cursor — in one transaction, and only if cursor and version are
   * still what the caller read.
   */
  commitFanOut(fanOut: FanOut): Promise<FanOutCommit>;
  /** The batch queues of every subscription that has events waiting to be batched. */
  batchQueues(): Promise<Map<string, BatchQueue>>;
  /**
   * Takes the oldest waiting events of a batch subscription into a new batch delivery, if the
   * queue is ready: `maxEvents` wait, or their payloads reach `maxBytes`, or the oldest has waited
   * `maxWaitMs`. The batch holds at most `maxEvents` events and `maxBytes` of payload (at least one event).
   */
  formBatch(request: BatchRequest): Promise<FormedBatch>;
  /**
   * Leases the subscription's oldest due deliveries (due: next attempt time reached, not leased
   * or lease run out, subscription active), ordered by due time then age.
   */
  claimDue(request: ClaimRequest): Promise<DueDelivery[]>;
  /** Gives leases back (a dispatcher dropping work it holds); `null` releases every lease. */
  releaseLeases(deliveryIds: readonly string[] | null): Promise<void>;
  /**
   * Records attempts and their consequences in one transaction: attempt rows, delivery states
   * (a success always lands; a retry or failure only on a delivery still open), batch event
   * states, and the subscriptions' failure streaks. Returns the streaks that grew.
   */
  recordAttempts(records: readonly AttemptRecord[], now: number): Promise<StreakUpdate[]>;
  /** Creates a test delivery (kind `test`, one attempt, never retried), due now and leased to the caller. */
  insertTestDelivery(delivery: TestDelivery): Promise<void>;
  /** Creates the deliveries of a replay and its audit record, in one transaction. */
  createReplay(request: ReplayRequest): Promise<Replay>;
}

/** The state of an event inside a batch delivery, for the delivery's detail view. */
export interface BatchEventRow {
  readonly sequence: number;
  readonly eventId: string;
  readonly state: BatchEventState;
}
