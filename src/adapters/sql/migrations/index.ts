import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './0001-foundation.js';
import * as clicks from './0002-clicks.js';
import * as webhooks from './0003-webhooks.js';
import * as query from './0004-query.js';
import * as idempotency from './0005-idempotency.js';
import * as privacy from './0006-privacy.js';
import * as singleDefaultWorkspace from './0007-single-default-workspace.js';
import * as noIpHashIndex from './0008-no-ip-hash-index.js';

/**
 * Every store migration, in order. Names sort by their number; a released migration is never
 * edited, only followed by a new one.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-clicks': clicks,
  '0003-webhooks': webhooks,
  '0004-query': query,
  '0005-idempotency': idempotency,
  '0006-privacy': privacy,
  '0007-single-default-workspace': singleDefaultWorkspace,
  '0008-no-ip-hash-index': noIpHashIndex,
};

export const storeMigrations: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
