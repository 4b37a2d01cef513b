import type { Kysely } from 'kysely';
import type { StoreSchema } from './schema.js';

/**
 * What differs between SQL engines, as capabilities the shared adapters ask about — never
 * "which engine is this". Each engine folder (sqlite/, postgres/) provides one.
 */
export interface SqlEngine {
  readonly db: Kysely<StoreSchema>;
  /** True when `error` is a violation of a unique index or primary key. */
  isUniqueViolation(error: unknown): boolean;
  /** Several processes can write at the same time (false for SQLite's single writer). */
  readonly supportsConcurrentWriters: boolean;
  /**
   * Rows can be claimed with `FOR UPDATE SKIP LOCKED`, so several dispatchers share the webhook
   * work (PostgreSQL). Without it (SQLite) one dispatcher runs and claims under the single writer lock.
   */
  readonly supportsSkipLocked: boolean;
}
