import type { ApiKey } from './api-key.js';

/** Port: API keys, stored by hash. */
export interface ApiKeyStore {
  insert(key: ApiKey): Promise<void>;
  /** Live (unrevoked) keys of the workspace, oldest first. */
  list(workspaceId: string): Promise<ApiKey[]>;
  get(workspaceId: string, keyId: string): Promise<ApiKey | null>;
  /** Revokes a live key. False when there was no such live key. */
  revoke(workspaceId: string, keyId: string, at: number): Promise<boolean>;
  /** The live key with this hash, for authentication. */
  findLiveByHash(keyHash: string): Promise<ApiKey | null>;
  /** Records use; called at most about once a minute per key, so it never sits on the request path. */
  touch(keyId: string, at: number): Promise<void>;
}
