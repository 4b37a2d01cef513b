/**
 * Port: deleting what a workspace's retention settings have expired, a bounded batch per call so
 * the retention job holds any lock only briefly. Each method returns how many rows it changed;
 * fewer than `limit` means nothing more is due.
 */
export interface RetentionStore {
  /** Deletes stored clicks of the workspace that occurred before `before`. Rollups are not touched. */
  deleteClicksBefore(workspaceId: string, before: number, limit: number): Promise<number>;
  /** Deletes the workspace's events created before `before` (the bodies webhooks were sent from). */
  deleteEventsBefore(workspaceId: string, before: number, limit: number): Promise<number>;
  /**
   * Clears what the delivery log keeps of bodies from before `before`: subscribers' answers to
   * attempts and the bodies of test deliveries. The log's rows (status, timing) stay.
   */
  purgeDeliveryBodiesBefore(workspaceId: string, before: number, limit: number): Promise<number>;
  /** Deletes rollup cells of hours that began before `before`. */
  deleteRollupsBefore(workspaceId: string, before: number, limit: number): Promise<number>;
}
