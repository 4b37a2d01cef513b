import type { Config } from '../config/config.js';
import type { Backend } from './backend.js';
import { openJetStreamClickLog } from './nats/jetstream-click-log.js';
import { openPostgresBackend } from './postgres/postgres-backend.js';
import { openEmbeddedBackend } from './sqlite/embedded-backend.js';

/**
 * Opens the store and click log the configuration points at; pending migrations run here.
 * `storeCheckpoints: 'background'` keeps WAL checkpoints out of this connection's commits (see
 * `EmbeddedBackendOptions`).
 */
export async function openBackend(
  config: Config,
  options: {
    readonly storeCheckpoints?: 'inline' | 'background';
    readonly processorCommits?: 'connection' | 'thread';
  } = {},
): Promise<Backend> {
  // With CLICKWIRE_NATS_URL the JetStream log replaces the embedded one, whatever the store.
  const clickLog = config.nats ? await openJetStreamClickLog(config.nats) : undefined;
  try {
    // With CLICKWIRE_DATABASE_URL the store is PostgreSQL (and, without NATS, so is the click log).
    if (config.database) {
      return await openPostgresBackend({
        databaseUrl: config.database.url,
        maxConnections: config.database.poolSize,
        synchronousCommit: config.database.synchronousCommit,
        captureMaxBatch: config.captureMaxBatch,
        ...(clickLog ? { clickLog } : {}),
      });
    }
    return await openEmbeddedBackend({
      dataDir: config.dataDir,
      captureDurability: config.captureDurability,
      captureMaxBatch: config.captureMaxBatch,
      ...(options.storeCheckpoints ? { storeCheckpoints: options.storeCheckpoints } : {}),
      ...(options.processorCommits ? { processorCommits: options.processorCommits } : {}),
      ...(clickLog ? { clickLog } : {}),
    });
  } catch (error) {
    await clickLog?.close();
    throw error;
  }
}
