import { encodeTime } from 'ulidx';
import { ID_PREFIXES } from '../kernel/ids.js';
import type { EventType, StoredEvent } from './event-envelope.js';
import type { EventFeedStore } from './event-feed-store.js';

/**
 * How long an event's transaction may at most take between minting the event's id (which carries
 * the time) and committing. Time filters lean on it; see {@link EventFeed}.
 */
export const EVENT_COMMIT_SLACK_MS = 60_000;

export interface EventFeedQuery {
  readonly types: readonly EventType[] | null;
  /** Events written at or after this time, epoch ms. */
  readonly createdAfter: number | null;
  /** Events written before this time, epoch ms. */
  readonly createdBefore: number | null;
}

export interface EventFeedPage {
  readonly events: StoredEvent[];
  /** Where the next page starts; `null` once a walk bounded by `createdBefore` is complete. */
  readonly nextSeq: number | null;
  /** More events are committed already and can be fetched at once. */
  readonly hasMore: boolean;
}

/**
 * A workspace's events, oldest first, in the order they were committed (`events.seq`).
 *
 * Why not by `event_id`: ids are minted before their transaction commits, by several writers (the
 * API, the processor thread), so an event committed later can carry a smaller id than one a reader
 * has already passed; paging by id would skip it. Commit order cannot: every page is bounded by the
 * horizon read before it, below which nothing can appear any more, and a page that ends short
 * continues from that horizon. Ids and commit order differ only among events written at nearly the
 * same moment.
 *
 * Time filters are on when an event was written — the time in its `event_id` — and start and stop
 * the walk by commit order: it starts after the last event written before `createdAfter` minus
 * {@link EVENT_COMMIT_SLACK_MS}, and ends before the first written after `createdBefore` plus it.
 * Within those bounds each event is checked against the times exactly. This is exact as long as no
 * transaction holds a minted id for longer than the slack before committing.
 */
export class EventFeed {
  constructor(private readonly store: EventFeedStore) {}

  async page(
    workspaceId: string,
    query: EventFeedQuery,
    afterSeq: number | null,
    limit: number,
  ): Promise<EventFeedPage> {
    const horizon = await this.store.horizon();
    const start =
      afterSeq ??
      (query.createdAfter === null
        ? 0
        : await this.store.seqOfLastBefore(
            workspaceId,
            eventIdBound(query.createdAfter - EVENT_COMMIT_SLACK_MS),
          ));
    const end =
      query.createdBefore === null
        ? null
        : await this.store.seqOfFirstFrom(
            workspaceId,
            eventIdBound(query.createdBefore + EVENT_COMMIT_SLACK_MS),
          );
    const through = end === null ? horizon : Math.min(horizon, end - 1);
    const rows = await this.store.list(
      workspaceId,
      {
        types: query.types,
        eventIdFrom: query.createdAfter === null ? null : eventIdBound(query.createdAfter),
        eventIdBefore: query.createdBefore === null ? null : eventIdBound(query.createdBefore),
      },
      { afterSeq: start, throughSeq: through, limit: limit + 1 },
    );
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    let nextSeq: number | null;
    if (hasMore) nextSeq = page.at(-1)!.seq;
    else if (end !== null && end - 1 <= horizon) nextSeq = null;
    else nextSeq = Math.max(start, through);
    return { events: page.map((row) => row.event), nextSeq, hasMore };
  }
}

/** The least event id of a millisecond: every id minted at or after `time` sorts at or after it. */
export function eventIdBound(time: number): string {
  return `${ID_PREFIXES.event}_${encodeTime(Math.max(0, time), 10)}${'0'.repeat(16)}`;
}
