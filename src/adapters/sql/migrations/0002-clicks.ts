import { type Kysely, sql } from 'kysely';
import { isPostgres, lockSeqOrderOnInsert } from './postgres-seq-order.js';

/**
 * Processed clicks, uniqueness windows, hourly rollups, stage cursors and workspace click settings.
 *
 * On PostgreSQL `clicks` is partitioned by month of `occurred_at` (range partitions created ahead
 * by the backend's maintenance, a default partition for anything outside them), so retention drops
 * whole partitions. A partitioned table's keys must include the partition key: the primary key is
 * `(seq, occurred_at)` and idempotency is `UNIQUE (click_id, occurred_at)` — exact, because a
 * click's `occurred_at` comes from its raw click and is the same on every replay.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  await db.schema
    .alterTable('workspaces')
    .addColumn('uniqueness_rule', 'text', (c) => c.notNull().defaultTo('link_visitor_24h'))
    .execute();
  await db.schema
    .alterTable('workspaces')
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .execute();

  let clicks = db.schema
    .createTable('clicks')
    // Ingestion order: assigned when the processor stores the click, so "everything after seq N"
    // includes clicks that occurred earlier but were processed late.
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.notNull() : c.primaryKey().autoIncrement(),
    )
    .addColumn('click_id', 'text', (c) => (postgres ? c.notNull() : c.notNull().unique()))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('link_id', 'text')
    .addColumn('domain_id', 'text')
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text')
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('redirect_status', 'text', (c) => c.notNull())
    .addColumn('block_reason', 'text')
    .addColumn('ip_hash', 'text', (c) => c.notNull())
    .addColumn('ip_prefix', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('region', 'text')
    .addColumn('asn', 'integer')
    .addColumn('device_type', 'text', (c) => c.notNull())
    .addColumn('os_family', 'text')
    .addColumn('browser_family', 'text')
    .addColumn('referrer_category', 'text', (c) => c.notNull())
    .addColumn('referrer_host', 'text')
    .addColumn('language', 'text')
    .addColumn('is_unique', 'integer', (c) => c.notNull())
    .addColumn('uniqueness_rule', 'text', (c) => c.notNull())
    .addColumn('traffic_class', 'text', (c) => c.notNull())
    .addColumn('bot_score', 'real', (c) => c.notNull())
    .addColumn('is_suspicious', 'integer', (c) => c.notNull())
    .addColumn('fraud_reason', 'text')
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('privacy_mode', 'text', (c) => c.notNull())
    .addColumn('simulated', 'integer', (c) => c.notNull().defaultTo(0));
  if (postgres) {
    clicks = clicks
      .addPrimaryKeyConstraint('clicks_pk', ['seq', 'occurred_at'])
      .addUniqueConstraint('clicks_click_id_key', ['click_id', 'occurred_at'])
      .modifyEnd(sql`PARTITION BY RANGE (occurred_at)`);
  }
  await clicks.execute();
  if (postgres) {
    await sql`CREATE TABLE clicks_default PARTITION OF clicks DEFAULT`.execute(db);
    await lockSeqOrderOnInsert(db, 'clicks');
  }
  // Newest-first pages walk `(occurred_at, seq)`. SQLite ends every index with the rowid (`seq`)
  // by itself; PostgreSQL gets it spelled out, so ties on `occurred_at` need no sort.
  const thenSeq = postgres ? ['seq'] : [];
  await db.schema
    .createIndex('clicks_by_workspace_time')
    .on('clicks')
    .columns(['workspace_id', 'occurred_at', ...thenSeq])
    .execute();
  await db.schema
    .createIndex('clicks_by_link_time')
    .on('clicks')
    .columns(['link_id', 'occurred_at', ...thenSeq])
    .execute();
  await db.schema
    .createIndex('clicks_by_workspace_seq')
    .on('clicks')
    .columns(['workspace_id', 'seq'])
    .execute();

  await db.schema
    .createTable('visitor_windows')
    .addColumn('link_id', 'text', (c) => c.notNull())
    .addColumn('visitor_key', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('visitor_windows_pk', ['link_id', 'visitor_key'])
    .execute();
  await db.schema
    .createIndex('visitor_windows_by_start')
    .on('visitor_windows')
    .column('window_start')
    .execute();

  // '' stands for "none" in key columns (a NULL would never match in the primary key); the
  // adapter maps it back to null.
  await db.schema
    .createTable('click_rollups')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('link_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'bigint', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('device_type', 'text', (c) => c.notNull())
    .addColumn('referrer_category', 'text', (c) => c.notNull())
    .addColumn('traffic_class', 'text', (c) => c.notNull())
    .addColumn('is_unique', 'integer', (c) => c.notNull())
    .addColumn('clicks', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('click_rollups_pk', [
      'workspace_id',
      'hour',
      'link_id',
      'country',
      'device_type',
      'referrer_category',
      'traffic_class',
      'is_unique',
    ])
    .execute();
  await db.schema
    .createIndex('click_rollups_by_link')
    .on('click_rollups')
    .columns(['link_id', 'hour'])
    .execute();

  await db.schema
    .createTable('consumer_cursors')
    .addColumn('consumer', 'text', (c) => c.primaryKey())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('0002-clicks cannot be reverted; restore a backup instead');
}
