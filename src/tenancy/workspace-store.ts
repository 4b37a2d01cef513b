import type { ApiKey } from './api-key.js';
import type { Workspace } from './workspace.js';

/** Port: workspaces. */
export interface WorkspaceStore {
  /** Creates a workspace together with its first key, atomically. */
  create(workspace: Workspace, firstKey: ApiKey): Promise<void>;
  get(workspaceId: string): Promise<Workspace | null>;
  /** The bootstrap workspace, or `null` on an empty store. */
  getDefault(): Promise<Workspace | null>;
  list(): Promise<Workspace[]>;
  /** Changes how the workspace decides uniqueness and which zone its calendar days follow. False when not found. */
  updateSettings(
    workspaceId: string,
    settings: Pick<Workspace, 'uniquenessRule' | 'timezone'>,
  ): Promise<boolean>;
}
