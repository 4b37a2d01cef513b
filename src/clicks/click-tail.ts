import type { Logger } from '../kernel/logger.js';
import { clickFilterOf } from './click-filter.js';
import type { ClickReadStore, StoredClick } from './click-read-store.js';

/** One reader of the tail: a workspace, how far it has been given clicks, and where they go. */
export interface TailReader {
  readonly workspaceId: string;
  /** Ingestion `seq` up to which this reader has been given (or has passed) every click. */
  position: number;
  /** Called in ingestion order, synchronously, for each click after `position`. */
  deliver(click: StoredClick): void;
}

export interface ClickTailOptions {
  /** How often the store is asked for its ingestion horizon while readers are attached, ms. */
  readonly pollMs: number;
  /** Most clicks read per workspace in one round; a reader further behind catches up over several. */
  readonly pageSize: number;
}

/** Every click: readers filter for themselves. */
const EVERYTHING = clickFilterOf({ includeBots: true, includeSimulated: true });

/**
 * Follows the clicks the processor stores — whichever thread or process runs it — by their
 * ingestion order, for every stream of this process at once: one poll of the ingestion horizon per
 * interval however many streams are open, and when it moves, one read per workspace with readers,
 * shared by all of them.
 *
 * What must stay true: a reader gets each click after its `position` exactly once, in `seq` order.
 * A round reads from the lowest position among the workspace's readers it started with and moves
 * only those readers; one attached meanwhile starts with the next round, from its own position.
 */
export class ClickTail {
  private readonly readers = new Set<TailReader>();
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly store: ClickReadStore,
    private readonly options: ClickTailOptions,
    private readonly logger: Logger,
  ) {}

  /** The current ingestion horizon: where a reader that wants only new clicks starts. */
  horizon(): Promise<number> {
    return this.store.ingestionHorizon();
  }

  /** Attaches a reader; returns the function that detaches it. */
  attach(reader: TailReader): () => void {
    if (this.closed) throw new Error('the click tail is closed');
    this.readers.add(reader);
    this.schedule(0);
    return () => {
      this.readers.delete(reader);
    };
  }

  /** Stops polling; readers are detached by their owners. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.round;
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer !== null || this.round !== null || this.readers.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.round = this.readRound()
        .catch((error: unknown) => {
          this.logger.warn({ err: error }, 'click stream could not read new clicks; retrying');
          return false;
        })
        .then((more) => {
          this.round = null;
          this.schedule(more ? 0 : this.options.pollMs);
        });
    }, delayMs);
  }

  /** One round; true when some workspace had more than a page waiting. */
  private async readRound(): Promise<boolean> {
    const horizon = await this.store.ingestionHorizon();
    const behind = new Map<string, TailReader[]>();
    for (const reader of this.readers) {
      if (reader.position >= horizon) continue;
      const list = behind.get(reader.workspaceId);
      if (list) list.push(reader);
      else behind.set(reader.workspaceId, [reader]);
    }
    let more = false;
    for (const [workspaceId, readers] of behind) {
      const from = Math.min(...readers.map((reader) => reader.position));
      const rows = await this.store.listByIngestion(workspaceId, EVERYTHING, {
        afterSeq: from,
        horizon,
        limit: this.options.pageSize,
      });
      const full = rows.length === this.options.pageSize;
      more ||= full;
      const through = full ? rows.at(-1)!.seq : horizon;
      for (const reader of readers) {
        if (!this.readers.has(reader)) continue;
        for (const row of rows) {
          if (row.seq > reader.position && this.readers.has(reader)) reader.deliver(row);
        }
        // A reader detached while being delivered to keeps its place; nobody reads it again.
        reader.position = Math.max(reader.position, through);
      }
    }
    return more;
  }
}
