import type { ProcessedClick } from '../processing/processed-click.js';
import type { ClickFilter } from './click-filter.js';

/** A stored click with its place in ingestion order. */
export interface StoredClick {
  /**
   * Ingestion order: assigned when the processor stores the click, so it grows with every click
   * stored — a click that occurred long ago but was processed late gets a high one.
   */
  readonly seq: number;
  readonly click: ProcessedClick;
}

/** A place in the newest-first order: `(occurred_at, seq)`, both descending. */
export interface NewestFirstKey {
  readonly occurredAt: number;
  readonly seq: number;
}

/**
 * Port: reading stored clicks for the query API. Every method is scoped to one workspace; another
 * workspace's clicks are never returned, whatever the filter names.
 */
export interface ClickReadStore {
  /**
   * The highest `seq` such that every click with a `seq` at or below it is stored and visible to a
   * reader now, so a page bounded by it can never gain a row later. With one writer (SQLite) that
   * is simply the highest `seq`; an engine whose writers commit concurrently must hand out `seq` in
   * commit order (or answer with the highest `seq` below every transaction still open). 0 when empty.
   */
  ingestionHorizon(): Promise<number>;
  /**
   * Clicks matching `filter` with `seq <= horizon`, ordered by `occurred_at` then `seq`, both
   * descending, strictly after `after` in that order (`null`: from the newest); at most `limit`.
   */
  listNewestFirst(
    workspaceId: string,
    filter: ClickFilter,
    page: { readonly after: NewestFirstKey | null; readonly horizon: number; readonly limit: number },
  ): Promise<StoredClick[]>;
  /** Clicks matching `filter` with `afterSeq < seq <= horizon`, by `seq` ascending; at most `limit`. */
  listByIngestion(
    workspaceId: string,
    filter: ClickFilter,
    page: { readonly afterSeq: number; readonly horizon: number; readonly limit: number },
  ): Promise<StoredClick[]>;
  /** One click of the workspace, or `null` (also for another workspace's click). */
  get(workspaceId: string, clickId: string): Promise<StoredClick | null>;
}
