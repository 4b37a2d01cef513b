import type { WorkspacePrivacy } from './privacy-settings.js';

/** Port: each workspace's retention and privacy options. */
export interface WorkspacePrivacyStore {
  /** The workspace's settings (defaults where never changed); `null` for an unknown workspace. */
  get(workspaceId: string): Promise<WorkspacePrivacy | null>;
  /**
   * Replaces the workspace's settings. Also bumps the routing change counter in the same
   * transaction: edges cache privacy options with their routes, and a change must reach them.
   * False when the workspace does not exist.
   */
  update(workspaceId: string, settings: WorkspacePrivacy): Promise<boolean>;
  /** Every workspace with its settings, for the retention job. */
  list(): Promise<{ readonly workspaceId: string; readonly settings: WorkspacePrivacy }[]>;
}
