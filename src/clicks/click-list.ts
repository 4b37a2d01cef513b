import type { ClickFilter } from './click-filter.js';
import type { ClickReadStore, NewestFirstKey, StoredClick } from './click-read-store.js';

/**
 * Where a newest-first walk stands: the key of the last click returned, and the ingestion horizon
 * fixed when the walk began.
 */
export interface NewestFirstPosition {
  readonly after: NewestFirstKey;
  readonly horizon: number;
}

export interface NewestFirstPage {
  readonly clicks: StoredClick[];
  /** `null` when this was the last page of the walk. */
  readonly next: NewestFirstPosition | null;
}

export interface IngestionPage {
  readonly clicks: StoredClick[];
  /** Where to continue; always set, so a follower can come back for clicks stored later. */
  readonly nextSeq: number;
  /** More clicks are stored already and can be fetched at once. */
  readonly hasMore: boolean;
}

/**
 * The two ways to walk a workspace's clicks, and the rules that make both safe while clicks keep
 * arriving:
 *
 * - **Newest first** (`occurred_at` descending): a walk is a snapshot of the clicks stored when its
 *   first page was read. That page fixes the ingestion horizon (`seq`); every page is bounded by it
 *   and continues strictly after the last `(occurred_at, seq)` returned. `seq` is unique, so ties on
 *   `occurred_at` are ordered and never split or repeated; a click stored later — new, or one that
 *   occurred long ago and was processed late — is outside the horizon, so it can neither shift a
 *   later page (a repeat) nor land above the walk's position (a skip). Start a new walk to see it.
 * - **By ingestion** (`seq` ascending, `order=asc`): every click exactly once, in the order the
 *   processor stored it, late-processed ones included; a follower keeps the cursor and comes back.
 *
 * Filters are applied to each click as it is now: a click re-labelled (say, from human to bot)
 * before the walk reaches it is left out by `include_bots=false`, not returned twice.
 */
export class ClickList {
  constructor(private readonly store: ClickReadStore) {}

  async newestFirst(
    workspaceId: string,
    filter: ClickFilter,
    position: NewestFirstPosition | null,
    limit: number,
  ): Promise<NewestFirstPage> {
    const horizon = position?.horizon ?? (await this.store.ingestionHorizon());
    const rows = await this.store.listNewestFirst(workspaceId, filter, {
      after: position?.after ?? null,
      horizon,
      limit: limit + 1,
    });
    const clicks = rows.slice(0, limit);
    const last = clicks.at(-1);
    return {
      clicks,
      next:
        rows.length > limit && last
          ? { after: { occurredAt: last.click.occurredAt, seq: last.seq }, horizon }
          : null,
    };
  }

  async byIngestion(
    workspaceId: string,
    filter: ClickFilter,
    afterSeq: number,
    limit: number,
  ): Promise<IngestionPage> {
    // Read before the page: everything up to it is visible, so a short page has seen all of it.
    const horizon = await this.store.ingestionHorizon();
    const rows = await this.store.listByIngestion(workspaceId, filter, {
      afterSeq,
      horizon,
      limit: limit + 1,
    });
    const clicks = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    return {
      clicks,
      // A short page read the whole range up to the horizon: continue from there, not from the
      // last match, so a follower with a narrow filter does not re-read what it has passed.
      nextSeq: hasMore ? clicks.at(-1)!.seq : Math.max(afterSeq, horizon),
      hasMore,
    };
  }

  get(workspaceId: string, clickId: string): Promise<StoredClick | null> {
    return this.store.get(workspaceId, clickId);
  }
}
