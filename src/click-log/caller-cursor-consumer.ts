import type { ClickLogConsumer, ConsumerOptions, LogEntry } from './click-log.js';

/** A log that can be read by position: what a log needs to hand out a {@link CallerCursorConsumer}. */
export interface PositionalLog {
  /** Up to `limit` entries after `position` (0 = from the start), in append order. */
  readAfter(position: number, limit: number): Promise<LogEntry[]>;
}

/**
 * The consumer of a log that keeps no progress of its own (the embedded SQLite log): the caller
 * commits each batch's last position with the batch's output, in one transaction, and this consumer
 * resumes from that committed position. What must stay true: the position moves here only on
 * `acknowledge` (after the caller's commit), and `release` forgets it, so the next fetch starts
 * again from what the store says was committed rather than from what this process believed.
 */
export class CallerCursorConsumer implements ClickLogConsumer {
  readonly progress = 'caller';
  private position: number | null = null;

  constructor(
    private readonly log: PositionalLog,
    private readonly options: ConsumerOptions,
  ) {}

  async fetch(): Promise<LogEntry[]> {
    this.position ??= await this.options.committedPosition();
    return this.log.readAfter(this.position, this.options.batchSize);
  }

  async acknowledge(entries: readonly LogEntry[]): Promise<void> {
    for (const entry of entries) {
      if (this.position === null || entry.position > this.position) this.position = entry.position;
    }
  }

  async release(): Promise<void> {
    this.position = null;
  }
}
