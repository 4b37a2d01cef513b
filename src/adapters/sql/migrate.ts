import { Migrator } from 'kysely';
import { storeMigrations } from './migrations/index.js';
import type { SqlEngine } from './sql-engine.js';

/**
 * Applies every pending store migration; returns the names applied now. `tableSchema` names the
 * schema the store lives in where the engine has schemas (PostgreSQL): without it Kysely takes a
 * bookkeeping table of the same name in *any* schema of the database for its own, and skips
 * creating it where the store is.
 */
export async function migrateStore(
  engine: SqlEngine,
  options: { readonly tableSchema?: string } = {},
): Promise<string[]> {
  const migrator = new Migrator({
    db: engine.db,
    provider: storeMigrations,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    ...(options.tableSchema === undefined ? {} : { migrationTableSchema: options.tableSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}
