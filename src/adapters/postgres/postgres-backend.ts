import { sql } from 'kysely';
import type { ClickLog } from '../../click-log/click-log.js';
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
import { ClickPartitions } from './click-partitions.js';
import { openPostgresPool } from './open-postgres-pool.js';
import { PostgresClickLog } from './postgres-click-log.js';
import { postgresEngine } from './postgres-engine.js';

export interface PostgresBackendOptions {
  /** `CLICKWIRE_DATABASE_URL`: `postgres://user:password@host:port/database`. */
  readonly databaseUrl: string;
  /**
   * The click log to use (the JetStream log when `CLICKWIRE_NATS_URL` is set); the backend closes
   * it on `close`. Without one, the log is a table in this database (`PostgresClickLog`).
   */
  readonly clickLog?: ClickLog;
  /** Most clicks one group commit of the table click log writes. */
  readonly captureMaxBatch: number;
  /** Connections this process keeps at most (`CLICKWIRE_DATABASE_POOL_SIZE`). */
  readonly maxConnections?: number;
  /** See `PostgresPoolOptions.synchronousCommit`; the server's setting when not given. */
  readonly synchronousCommit?: 'on' | 'off';
  /** Schema to keep everything in, instead of the connection's default (tests use one per run). */
  readonly schema?: string;
  /** Shown in `pg_stat_activity`, e.g. `clickwire-edge`. */
  readonly applicationName?: string;
  /**
   * Keep `clicks` partitions created ahead and expired months dropped, now and hourly (default
   * true). Any number of processes may do it; they take turns under an advisory lock.
   */
  readonly partitionMaintenance?: boolean;
  /** Epoch ms; the system clock by default. */
  readonly now?: () => number;
  /** Where hourly maintenance reports failures (it never stops the process); a process warning by default. */
  readonly onMaintenanceError?: (error: unknown) => void;
}

/** Default pool size: enough for one role's concurrent transactions, small enough for many processes. */
export const DEFAULT_POOL_SIZE = 10;

/** How often partitions are checked (created ahead, expired ones dropped). */
const MAINTENANCE_INTERVAL_MS = 3_600_000;

/** Key of the session lock migrations run under ("cw-migr" in hex). */
const MIGRATION_LOCK = '27997059687212914';

/**
 * The scale-out store: every port on PostgreSQL through the shared SQL adapters, over one `pg`
 * pool. Pending migrations run on open under a session advisory lock, so processes starting
 * together apply them once, one after the other; then the month partitions of `clicks` around now
 * are created if missing.
 */
export async function openPostgresBackend(options: PostgresBackendOptions): Promise<Backend> {
  const pool = openPostgresPool({
    databaseUrl: options.databaseUrl,
    maxConnections: options.maxConnections ?? DEFAULT_POOL_SIZE,
    ...(options.applicationName ? { applicationName: options.applicationName } : {}),
    ...(options.synchronousCommit ? { synchronousCommit: options.synchronousCommit } : {}),
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
  });
  const engine = postgresEngine(pool);
  let maintenance: NodeJS.Timeout | null = null;
  let clickLog: ClickLog | null = options.clickLog ?? null;
  try {
    // Kysely's migrator locks the migration run itself, but creates its bookkeeping tables before
    // taking that lock, which two processes starting at once can race on: hold a lock of our own
    // around all of it, on one connection (a session lock belongs to its connection).
    await engine.db.connection().execute(async (connection) => {
      await sql`SELECT pg_advisory_lock(${sql.raw(MIGRATION_LOCK)})`.execute(connection);
      try {
        // The schema the store's tables land in (the first of `search_path` that exists): other
        // schemas of the database may hold a Clickwire store of their own.
        const { rows } = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(
          connection,
        );
        const tableSchema = rows[0]?.schema ?? undefined;
        await migrateStore({ ...engine, db: connection }, tableSchema === undefined ? {} : { tableSchema });
      } finally {
        await sql`SELECT pg_advisory_unlock(${sql.raw(MIGRATION_LOCK)})`.execute(connection);
      }
    });
    const now = options.now ?? Date.now;
    const partitions = new ClickPartitions(engine.db);
    if (options.partitionMaintenance ?? true) {
      await partitions.ensure(now());
      maintenance = setInterval(() => {
        void (async () => {
          await partitions.ensure(now());
          await partitions.dropExpired(now());
        })().catch(options.onMaintenanceError ?? warnMaintenanceFailed);
      }, MAINTENANCE_INTERVAL_MS);
      maintenance.unref();
    }
    clickLog ??= await PostgresClickLog.open(pool, { maxBatch: options.captureMaxBatch });
  } catch (error) {
    if (maintenance) clearInterval(maintenance);
    await engine.db.destroy();
    throw error;
  }
  const log: ClickLog = clickLog;
  return {
    links: new SqlLinkStore(engine),
    domains: new SqlDomainStore(engine),
    workspaces: new SqlWorkspaceStore(engine),
    apiKeys: new SqlApiKeyStore(engine),
    events: new SqlEventStore(engine),
    ipSalts: new SqlIpSaltStore(engine),
    settings: new SqlSettingsStore(engine),
    processing: new SqlProcessingStore(engine),
    clickLog: log,
    clickReads: new SqlClickReadStore(engine),
    analytics: new SqlAnalyticsStore(engine),
    eventFeed: new SqlEventFeedStore(engine),
    subscriptions: new SqlSubscriptionStore(engine),
    deliveries: new SqlDeliveryStore(engine),
    deliveryLog: new SqlDeliveryLog(engine),
    idempotency: new SqlIdempotencyStore(engine),
    workspacePrivacy: new SqlWorkspacePrivacyStore(engine),
    retention: new SqlRetentionStore(engine),
    // Deleted rows are dead tuples until VACUUM; autovacuum reclaims them (docs/scale-out.md).
    erasures: new SqlErasureStore(engine),
    clickLogPruning: log instanceof PostgresClickLog ? log : null,
    close: async () => {
      if (maintenance) clearInterval(maintenance);
      await log.close();
      // Ends the pool: waits for checked-out connections to come back, then closes them all.
      await engine.db.destroy();
    },
  };
}

function warnMaintenanceFailed(error: unknown): void {
  const detail = error instanceof Error ? error.message : String(error);
  process.emitWarning(`clicks partition maintenance failed, retried within the hour: ${detail}`);
}
