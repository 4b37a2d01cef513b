import type { RawClick } from './raw-click.js';

/** A raw click with its place in the log. Positions grow strictly in append order within the log. */
export interface LogEntry {
  readonly position: number;
  readonly click: RawClick;
}

/**
 * Port: the durable, append-only log of raw clicks between the edge and the processor.
 * The edge answers a redirect only once `append` resolved, so a served redirect is a recorded click.
 */
export interface ClickLog {
  /**
   * Appends a click and resolves once it is durable (group commit: clicks appended in the same
   * event-loop turn share one write). Rejects if it could not be made durable; the caller must then
   * not pretend the click was recorded.
   */
  append(click: RawClick): Promise<void>;
  /**
   * Appends clicks gathered by the caller in one commit, and resolves once they are durable; all
   * or none. For a caller that batches already (the capture thread), this skips a wait for the
   * next group commit.
   */
  appendMany(clicks: readonly RawClick[]): Promise<void>;
  /** Up to `limit` entries after `position` (0 = from the start), in append order. */
  readAfter(position: number, limit: number): Promise<LogEntry[]>;
  /** Commits what is pending, then releases the log. Appends after this reject. */
  close(): Promise<void>;
}
