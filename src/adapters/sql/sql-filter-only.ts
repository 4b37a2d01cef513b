import { type RawBuilder, sql } from 'kysely';

/**
 * A column as an expression no index can serve — `coalesce(col, col)`, the same value — so a
 * condition on it filters rows but cannot steer the planner to that column's index. SQLite plans
 * without statistics unless ANALYZE ran, and then takes any index with a usable condition for as
 * good as the one that gives the wanted order; this is how a query names the index it was written for.
 * Portable (unlike SQLite's `+col` or `INDEXED BY`).
 */
export function filterOnly<T = unknown>(column: string): RawBuilder<T> {
  return sql<T>`coalesce(${sql.ref(column)}, ${sql.ref(column)})`;
}
