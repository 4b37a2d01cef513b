import type { Kysely } from 'kysely';

/**
 * Privacy and data lifecycle: per-workspace retention and privacy options, the erasure request
 * log, and the index erasure by visitor reads clicks by. Schema builder only, so SQLite and
 * PostgreSQL run the same migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('workspaces')
    .addColumn('raw_click_retention_days', 'integer', (c) => c.notNull().defaultTo(90))
    .execute();
  await db.schema
    .alterTable('workspaces')
    .addColumn('event_retention_days', 'integer', (c) => c.notNull().defaultTo(30))
    .execute();
  // NULL: rollups are kept forever (the default).
  await db.schema.alterTable('workspaces').addColumn('rollup_retention_days', 'integer').execute();
  // JSON object of the privacy switches; keys left out take their defaults, so '{}' is "all defaults".
  await db.schema
    .alterTable('workspaces')
    .addColumn('privacy_options', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();

  // Erasure by visitor finds a workspace's clicks by the hashes of the visitor's address.
  await db.schema
    .createIndex('clicks_by_workspace_ip_hash')
    .on('clicks')
    .columns(['workspace_id', 'ip_hash'])
    .execute();

  await db.schema
    .createTable('erasure_requests')
    .addColumn('request_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    // Same request twice ⇒ same fingerprint ⇒ same receipt. Never the address itself (see privacy.md).
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    // What was asked, without personal data: a link id, a time range, or for a visitor only the kind of key.
    .addColumn('selector', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('clicks_erased', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('raw_clicks_erased', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('events_purged', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('delivery_bodies_purged', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('rollup_clicks_subtracted', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('salt_days', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('erasure_requests_by_fingerprint')
    .on('erasure_requests')
    .columns(['workspace_id', 'fingerprint'])
    .unique()
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('0006-privacy cannot be reverted; restore a backup instead');
}
