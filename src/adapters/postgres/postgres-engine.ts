import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { StoreSchema } from '../sql/schema.js';
import type { SqlEngine } from '../sql/sql-engine.js';

/** `unique_violation` (SQLSTATE class 23: integrity constraint violation). */
const UNIQUE_VIOLATION = '23505';

/**
 * The shared SQL adapters' view of a PostgreSQL database, over a `pg` pool.
 *
 * Several processes write at once here. What keeps the `seq` horizons of the SQL adapters right
 * (events, clicks: "everything up to the highest `seq`" is committed) lives in the schema: the
 * PostgreSQL branch of migrations 0002/0003 makes every insert into those tables take a
 * transaction-scoped advisory lock first, so `seq` order is commit order.
 */
export function postgresEngine(pool: pg.Pool): SqlEngine {
  return {
    db: new Kysely<StoreSchema>({ dialect: new PostgresDialect({ pool }) }),
    isUniqueViolation: (error) =>
      error instanceof Error && 'code' in error && error.code === UNIQUE_VIOLATION,
    supportsConcurrentWriters: true,
    supportsSkipLocked: true,
  };
}
