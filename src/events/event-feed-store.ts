import type { EventType, StoredEvent } from './event-envelope.js';

/** An event with its place in commit order. */
export interface FeedEvent {
  /** Commit order of the store's events (`events.seq`): an event committed later has a higher one. */
  readonly seq: number;
  readonly event: StoredEvent;
}

/** Conditions of an events page, ANDed; `null` is "no condition". */
export interface EventConditions {
  readonly types: readonly EventType[] | null;
  /** Only events whose id is at or after this one (ids sort by the time they were written). */
  readonly eventIdFrom: string | null;
  /** Only events whose id sorts before this one. */
  readonly eventIdBefore: string | null;
}

/**
 * Port: reading a workspace's events in commit order for `GET /v1/events`. (Writes happen in each
 * stage's own transaction; single events are read through `EventStore.get`.)
 */
export interface EventFeedStore {
  /**
   * The highest `seq` such that every event at or below it is committed and visible now (see
   * `ClickReadStore.ingestionHorizon`, which holds for the same reason). 0 when there are none.
   */
  horizon(): Promise<number>;
  /** Events of the workspace with `afterSeq < seq <= throughSeq` meeting the conditions, by `seq`; at most `limit`. */
  list(
    workspaceId: string,
    conditions: EventConditions,
    page: { readonly afterSeq: number; readonly throughSeq: number; readonly limit: number },
  ): Promise<FeedEvent[]>;
  /** `seq` of the workspace's event with the greatest id below `eventId`; 0 when there is none. */
  seqOfLastBefore(workspaceId: string, eventId: string): Promise<number>;
  /** `seq` of the workspace's event with the least id at or after `eventId`; `null` when there is none yet. */
  seqOfFirstFrom(workspaceId: string, eventId: string): Promise<number | null>;
}
