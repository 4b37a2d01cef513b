import { Migrator } from 'kysely';
import { storeMigrations } from './migrations/index.js';
import type { SqlEngine } from './sql-engine.js';

/** Applies every pending store migration; returns the names applied now. */
export async function migrateStore(engine: SqlEngine): Promise<string[]> {
  const migrator = new Migrator({
    db: engine.db,
    provider: storeMigrations,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}
