import type { Kysely } from 'kysely';

/**
 * Drops the index on `clicks (workspace_id, ip_hash)`. Only erasure by visitor read it, and every
 * stored click paid for it (a write at a random place in a second B-tree); erasure now searches
 * the days of the salts still held along `(workspace_id, occurred_at)` instead
 * (docs/adr/2026-11-28-erasure-without-ip-hash-index.md). Schema builder only, so SQLite and
 * PostgreSQL run the same migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('clicks_by_workspace_ip_hash').ifExists().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('clicks_by_workspace_ip_hash')
    .on('clicks')
    .columns(['workspace_id', 'ip_hash'])
    .execute();
}
