import type { StoredEvent } from '../events/event-envelope.js';
import type { ProcessedClick } from '../processing/processed-click.js';
import type { ErasureCounts, ErasureRequest, ErasureStatus } from './erasure-request.js';

/** Which stored clicks of a workspace an erasure matches; conditions ANDed, `null` ignored. */
export interface StoredClickSelection {
  /** Any of these address hashes (an empty list matches nothing). */
  readonly ipHashes: readonly string[] | null;
  readonly linkId: string | null;
  /** `occurred_at >=` this. */
  readonly from: number | null;
  /** `occurred_at <` this. */
  readonly until: number | null;
}

/** A stored click with its place in ingestion order (the keyset an erasure walks by). */
export interface ErasableClick {
  readonly seq: number;
  readonly click: ProcessedClick;
}

/** One bounded step of an erasure, written in one transaction. */
export interface ErasureBatch {
  readonly requestId: string;
  readonly workspaceId: string;
  /** The clicks to delete; non-simulated ones are also subtracted from their rollup cells. */
  readonly clicks: readonly ProcessedClick[];
  /** The `click.deleted` events that tell subscribers: `events[i]` announces `clicks[i]`. */
  readonly events: readonly StoredEvent[];
}

/**
 * Port: the erasure request log, and the erasure of stored clicks. A batch deletes the clicks,
 * takes them out of the rollups, deletes the events that carry them, clears stored delivery
 * bodies of those events, inserts the `click.deleted` events and adds to the request's counts —
 * all in one transaction, so a crash leaves either the whole batch done or none of it.
 */
export interface ErasureStore {
  /**
   * Logs a new request unless the workspace has one with the same fingerprint; returns the
   * stored request and whether it was created now.
   */
  create(request: ErasureRequest): Promise<{ request: ErasureRequest; created: boolean }>;
  get(workspaceId: string, requestId: string): Promise<ErasureRequest | null>;
  /** Requests not finished (`pending` or `running`), oldest first: to resume after a restart. */
  unfinished(): Promise<ErasureRequest[]>;
  /** Sets the status (and `started_at` on `running`, `finished_at` on `completed`/`failed`). */
  setStatus(requestId: string, status: ErasureStatus, at: number, error?: string | null): Promise<void>;
  /** Adds to the request's counts (for work done outside `eraseBatch`: the click log, salt days). */
  addCounts(requestId: string, counts: Partial<ErasureCounts>): Promise<void>;
  /** Up to `limit` stored clicks of the workspace matching the selection with `seq > afterSeq`, by `seq`. */
  findClicks(
    workspaceId: string,
    selection: StoredClickSelection,
    afterSeq: number,
    limit: number,
  ): Promise<ErasableClick[]>;
  /** Erases one batch (see the interface's description); returns what it changed. */
  eraseBatch(batch: ErasureBatch): Promise<Partial<ErasureCounts>>;
  /** Forgets uniqueness windows of these visitor keys (any link). */
  deleteVisitorWindows(visitorKeys: readonly string[]): Promise<number>;
  /** Makes deleted rows unrecoverable from the store's files (where the engine keeps old page images). */
  scrubFreedSpace(): Promise<void>;
}
