import type { Config } from '../config/config.js';
import type { Backend } from './backend.js';
import { openEmbeddedBackend } from './sqlite/embedded-backend.js';

/**
 * Opens the store and click log the configuration points at; pending migrations run here.
 * `storeCheckpoints: 'background'` keeps WAL checkpoints out of this connection's commits (see
 * `EmbeddedBackendOptions`).
 */
export function openBackend(
  config: Config,
  options: { readonly storeCheckpoints?: 'inline' | 'background' } = {},
): Promise<Backend> {
  return openEmbeddedBackend({
    dataDir: config.dataDir,
    captureDurability: config.captureDurability,
    captureMaxBatch: config.captureMaxBatch,
    ...(options.storeCheckpoints ? { storeCheckpoints: options.storeCheckpoints } : {}),
  });
}
