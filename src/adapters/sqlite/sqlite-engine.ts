import { Kysely, SqliteDialect } from 'kysely';
import type { StoreSchema } from '../sql/schema.js';
import type { SqlEngine } from '../sql/sql-engine.js';
import type { SqliteDatabase } from './open-sqlite.js';

/** The shared SQL adapters' view of a SQLite database. */
export function sqliteEngine(database: SqliteDatabase): SqlEngine {
  return {
    db: new Kysely<StoreSchema>({ dialect: new SqliteDialect({ database }) }),
    isUniqueViolation: (error) =>
      error instanceof Error &&
      'code' in error &&
      (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
    supportsConcurrentWriters: false,
    supportsSkipLocked: false,
  };
}
