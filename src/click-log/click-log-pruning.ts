/** Which raw clicks of a workspace an erasure removes; the conditions are ANDed, absent ones ignored. */
export interface RawClickSelection {
  /** Any of these address hashes. */
  readonly ipHashes?: readonly string[];
  /** Only raw clicks whose `user-agent` header is exactly this. */
  readonly userAgent?: string;
  readonly linkId?: string;
  /** `occurred_at >=` this. */
  readonly from?: number;
  /** `occurred_at <` this. */
  readonly until?: number;
}

/**
 * Port: removing raw clicks from the click log, for retention and erasure. Separate from
 * {@link ClickLog} because not every log can do it cheaply (a JetStream stream expires by age
 * instead); a backend without it leaves this out, and retention there is the stream's max age.
 * Every method works in bounded batches and returns how many raw clicks it changed.
 */
export interface ClickLogPruning {
  /** Deletes up to `limit` raw clicks of the workspace that occurred before `before`. */
  deleteBefore(workspaceId: string, before: number, limit: number): Promise<number>;
  /**
   * Removes the raw user agent from the workspace's raw clicks at or below `throughPosition`
   * (what the processor has consumed), keeping the rest of each raw click. Goes past up to
   * `limit` raw clicks per call and returns how many it went past.
   */
  dropUserAgents(workspaceId: string, throughPosition: number, limit: number): Promise<number>;
  /** Deletes up to `limit` raw clicks of the workspace matching the selection. */
  erase(workspaceId: string, selection: RawClickSelection, limit: number): Promise<number>;
  /** Makes what was deleted unrecoverable from the log's files (where the engine keeps old page images). */
  scrubFreedSpace(): Promise<void>;
}
