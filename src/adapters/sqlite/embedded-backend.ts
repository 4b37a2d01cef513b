import path from 'node:path';
import type { ClickLog } from '../../click-log/click-log.js';
import type { CaptureDurability } from '../../config/config.js';
import type { Backend } from '../backend.js';
import { migrateStore } from '../sql/migrate.js';
import { SqlAnalyticsStore } from '../sql/sql-analytics-store.js';
import { SqlApiKeyStore } from '../sql/sql-api-key-store.js';
import { SqlClickReadStore } from '../sql/sql-click-read-store.js';
import { SqlDeliveryLog } from '../sql/sql-delivery-log.js';
import { SqlDeliveryStore } from '../sql/sql-delivery-store.js';
import { SqlDomainStore } from '../sql/sql-domain-store.js';
import { SqlErasureStore } from '../sql/sql-erasure-store.js';
import { SqlEventFeedStore } from '../sql/sql-event-feed-store.js';
import { SqlEventStore } from '../sql/sql-event-store.js';
import { SqlIdempotencyStore } from '../sql/sql-idempotency-store.js';
import { SqlIpSaltStore } from '../sql/sql-ip-salt-store.js';
import { SqlLinkStore } from '../sql/sql-link-store.js';
import { SqlProcessingStore } from '../sql/sql-processing-store.js';
import { SqlRetentionStore } from '../sql/sql-retention-store.js';
import { SqlSettingsStore } from '../sql/sql-settings-store.js';
import { SqlSubscriptionStore } from '../sql/sql-subscription-store.js';
import { SqlWorkspacePrivacyStore } from '../sql/sql-workspace-privacy-store.js';
import { SqlWorkspaceStore } from '../sql/sql-workspace-store.js';
import { openSqlite } from './open-sqlite.js';
import { SqliteClickLog } from './sqlite-click-log.js';
import { SqliteDeliveryStore } from './sqlite-delivery-store.js';
import { sqliteEngine } from './sqlite-engine.js';
import { SqliteProcessingStore } from './sqlite-processing-store.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export interface EmbeddedBackendOptions {
  readonly dataDir: string;
  readonly captureDurability: CaptureDurability;
  readonly captureMaxBatch: number;
  /**
   * Use the portable SQL adapters even where SQLite has a faster one of its own. The contract
   * suite runs both ways, so the portable adapters that PostgreSQL uses are proven on every run.
   */
  readonly portableAdaptersOnly?: boolean;
  /**
   * Who copies the store's WAL back into its file: `inline` (default) lets SQLite do it inside
   * whichever commit of this connection crosses the threshold; `background` turns that off here
   * and runs passive checkpoints from a thread of its own, so this connection's commits never
   * carry one. The dispatcher asks for it: measured, inline checkpoints cost it ~20 % of its
   * deliveries per second.
   */
  readonly storeCheckpoints?: 'inline' | 'background';
  /**
   * Where the processor's batches are written: on the store connection (default), or from a
   * thread of their own with its own connection, so the processor classifies the next batch while
   * SQLite writes one (docs/adr/2026-11-28-processor-commit-thread.md). The processor role asks
   * for the thread.
   */
  readonly processorCommits?: 'connection' | 'thread';
  /**
   * The click log to use instead of the embedded one (the JetStream log in scale-out). The
   * backend owns it from here: `close` closes it.
   */
  readonly clickLog?: ClickLog;
}

export const STORE_FILE = 'clickwire.db';
export const CLICK_LOG_FILE = 'clicklog.db';

/**
 * The default engine: two SQLite files under the data directory. The click log has a file of its
 * own so the edge's group commits never queue behind the store's writers for SQLite's one write lock.
 * Migrations run on open.
 */
export async function openEmbeddedBackend(options: EmbeddedBackendOptions): Promise<Backend> {
  const synchronous = options.captureDurability === 'power' ? 'FULL' : 'NORMAL';
  const storeFile = path.join(options.dataDir, STORE_FILE);
  const background = options.storeCheckpoints === 'background';
  const storeOptions = { synchronous, autoCheckpoint: !background } as const;
  const storeDb = openSqlite(storeFile, storeOptions);
  const engine = sqliteEngine(storeDb);
  await migrateStore(engine);
  const storeCheckpointer = background ? new WalCheckpointer(storeFile) : null;
  const clickLog =
    options.clickLog ??
    new SqliteClickLog({
      file: path.join(options.dataDir, CLICK_LOG_FILE),
      synchronous,
      maxBatch: options.captureMaxBatch,
    });
  const processing = options.portableAdaptersOnly
    ? new SqlProcessingStore(engine)
    : new SqliteProcessingStore(
        storeDb,
        engine,
        options.processorCommits === 'thread'
          ? { on: 'thread', file: storeFile, sqlite: storeOptions }
          : { on: 'connection' },
      );
  return {
    links: new SqlLinkStore(engine),
    domains: new SqlDomainStore(engine),
    workspaces: new SqlWorkspaceStore(engine),
    apiKeys: new SqlApiKeyStore(engine),
    events: new SqlEventStore(engine),
    ipSalts: new SqlIpSaltStore(engine),
    settings: new SqlSettingsStore(engine),
    processing,
    clickLog,
    clickReads: new SqlClickReadStore(engine),
    analytics: new SqlAnalyticsStore(engine),
    eventFeed: new SqlEventFeedStore(engine),
    subscriptions: new SqlSubscriptionStore(engine),
    deliveries: options.portableAdaptersOnly
      ? new SqlDeliveryStore(engine)
      : new SqliteDeliveryStore(storeDb, engine),
    deliveryLog: new SqlDeliveryLog(engine),
    idempotency: new SqlIdempotencyStore(engine),
    workspacePrivacy: new SqlWorkspacePrivacyStore(engine),
    retention: new SqlRetentionStore(engine),
    // After an erasure, the WAL is copied back and truncated: no older page image of an erased row
    // stays there. Under Kysely's connection mutex, so it never lands inside another transaction.
    erasures: new SqlErasureStore(engine, () =>
      engine.db.connection().execute(async () => {
        storeDb.pragma('wal_checkpoint(TRUNCATE)');
      }),
    ),
    clickLogPruning: clickLog instanceof SqliteClickLog ? clickLog : null,
    close: async () => {
      if (processing instanceof SqliteProcessingStore) await processing.close();
      await clickLog.close();
      await engine.db.destroy();
      await storeCheckpointer?.stop();
    },
  };
}
