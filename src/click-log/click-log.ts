import type { RawClick } from './raw-click.js';

/**
 * A raw click with its place in the log. Positions grow strictly in append order within the log
 * (a JetStream stream sequence, a SQLite row id); an entry delivered again keeps its position.
 */
export interface LogEntry {
  readonly position: number;
  readonly click: RawClick;
}

/**
 * Who remembers how far a consumer group got in the log:
 * - `caller`: the log keeps no progress. The caller commits the position of the last entry of each
 *   batch in the same transaction as the batch's output, and a consumer resumes from
 *   `ConsumerOptions.committedPosition`. One consumer per group at a time.
 * - `log`: the log keeps it per group (a JetStream durable consumer). An entry is handed out again,
 *   to any consumer of the group, until it is acknowledged, so the caller records no position and
 *   acknowledges only after its own commit. Any number of consumers share a group's entries.
 */
export type ConsumerProgress = 'caller' | 'log';

export interface ConsumerOptions {
  /** Name of the consumer group (the processor group). Groups read the whole log independently. */
  readonly group: string;
  /** Most entries one `fetch` returns. */
  readonly batchSize: number;
  /**
   * The position this group last committed, 0 at first. Read by a consumer whose progress is kept
   * by the `caller`, when it starts and again after `release`; never called otherwise.
   */
  readonly committedPosition: () => Promise<number>;
}

/**
 * One consumer of a group: hands out entries, and is told when they were processed.
 *
 * Protocol (the processor's loop): `fetch`, write the output durably, then `acknowledge` the
 * entries — or `release` them if the write failed. Fetch again only after one of the two. Entries
 * that are neither (the process died) come back later, so processing must be idempotent by
 * `click_id`: delivery is at least once, never at most once.
 */
export interface ClickLogConsumer {
  /** See {@link ConsumerProgress}: whether the caller commits the position with its output. */
  readonly progress: ConsumerProgress;
  /**
   * Up to `batchSize` entries this group has not acknowledged yet, in log order except for entries
   * handed out again; `[]` when there is nothing (a consumer may wait briefly for a first entry).
   */
  fetch(): Promise<LogEntry[]>;
  /** The entries were processed and their output committed; they are not handed out again. */
  acknowledge(entries: readonly LogEntry[]): Promise<void>;
  /** The entries were not processed; they are handed out again soon (to this or another consumer). */
  release(entries: readonly LogEntry[]): Promise<void>;
}

/**
 * Port: the durable, append-only log of raw clicks between the edge and the processor.
 * The edge answers a redirect only once `append` resolved, so a served redirect is a recorded click.
 */
export interface ClickLog {
  /**
   * Appends a click and resolves once it is durable (group commit or pipelined publishes: many
   * clicks share one write or are in flight together). Rejects if it could not be made durable;
   * the caller must then not pretend the click was recorded.
   */
  append(click: RawClick): Promise<void>;
  /**
   * Appends clicks gathered by the caller, and resolves once all are durable. On rejection the
   * caller must treat none as recorded, though some may have been: a log that cannot commit them
   * atomically (JetStream) keeps those, and the processor stores each `click_id` once.
   */
  appendMany(clicks: readonly RawClick[]): Promise<void>;
  /** A consumer of the group, created on the log's side if the log keeps groups (JetStream). */
  openConsumer(options: ConsumerOptions): Promise<ClickLogConsumer>;
  /** Commits what is pending, then releases the log. Appends after this reject. */
  close(): Promise<void>;
}
