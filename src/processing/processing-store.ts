import type { StoredEvent } from '../events/event-envelope.js';
import type { ClickVerdict, ProcessedClick } from './processed-click.js';
import type { RollupDelta } from './rollups/rollup-deltas.js';

/** A visitor's current uniqueness window on a link. */
export interface VisitorWindow {
  readonly linkId: string;
  readonly visitorKey: string;
  /** When the window began (the click that last counted as unique). */
  readonly windowStart: number;
}

/** A stored click whose verdict changed after it was stored. */
export interface ClickRelabel {
  readonly clickId: string;
  readonly verdict: ClickVerdict;
}

/** Everything one processor batch writes, committed together with the consumer's new cursor. */
export interface ProcessedBatch {
  readonly consumer: string;
  /**
   * Click-log position the batch ends at, committed as the consumer's cursor; the next batch reads
   * after it. `null` when the click log keeps the group's progress itself (JetStream): then no
   * cursor is written, and the log is acknowledged after this commit instead.
   */
  readonly position: number | null;
  readonly at: number;
  readonly clicks: readonly ProcessedClick[];
  readonly relabels: readonly ClickRelabel[];
  readonly visitorWindows: readonly VisitorWindow[];
  readonly rollups: readonly RollupDelta[];
  readonly events: readonly StoredEvent[];
}

/** Thrown by `commit` when some click of the batch was already stored; nothing was written. */
export class ClicksAlreadyStoredError extends Error {
  constructor(readonly clickIds: readonly string[]) {
    super(`${clickIds.length} click(s) of the batch were already stored`);
    this.name = 'ClicksAlreadyStoredError';
  }
}

/**
 * Port: what the processor reads and writes in the store. `commit` is one transaction: clicks,
 * re-labels, uniqueness windows, rollups, events and the cursor move together or not at all, so a
 * crash anywhere replays the batch instead of losing or double-counting it.
 */
export interface ProcessingStore {
  /** The consumer's cursor: the click-log position it has fully processed (0 at first). */
  readCursor(consumer: string): Promise<number>;
  /** Which of these click ids are stored already. */
  knownClickIds(clickIds: readonly string[]): Promise<Set<string>>;
  /** Current windows for these link × visitor pairs, keyed `${linkId}\u0000${visitorKey}`. */
  visitorWindows(keys: readonly { linkId: string; visitorKey: string }[]): Promise<Map<string, number>>;
  /** Writes the batch atomically; throws {@link ClicksAlreadyStoredError} (writing nothing) on a duplicate click id. */
  commit(batch: ProcessedBatch): Promise<void>;
  /** A stored click of the workspace. */
  getClick(workspaceId: string, clickId: string): Promise<ProcessedClick | null>;
  /** Every non-empty rollup cell of the workspace, for verification against the clicks. */
  rollupCells(workspaceId: string): Promise<RollupDelta[]>;
  /** Forgets windows that began before `before`; returns how many. */
  deleteVisitorWindowsBefore(before: number): Promise<number>;
}

export function visitorWindowId(linkId: string, visitorKey: string): string {
  return `${linkId}\u0000${visitorKey}`;
}
