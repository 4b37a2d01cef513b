import type { Kysely } from 'kysely';
import type {
  IdempotencyClaim,
  IdempotencyStore,
  StoredResponse,
} from '../../idempotency/idempotency-store.js';
import type { StoreSchema } from './schema.js';
import type { SqlEngine } from './sql-engine.js';

/** The table of migration 0005, declared here: only this adapter reads or writes it. */
interface IdempotencyKeysTable {
  workspace_id: string;
  idempotency_key: string;
  fingerprint: string;
  state: 'in_flight' | 'completed';
  status_code: number | null;
  response_headers: string | null;
  response_body: string | null;
  created_at: number;
  expires_at: number;
}

type Schema = StoreSchema & { idempotency_keys: IdempotencyKeysTable };

/**
 * `Idempotency-Key` records in the SQL store. A claim is one conditional statement — an insert that
 * does nothing on conflict, or an update that only takes over an expired record — so of concurrent
 * claims of one key exactly one changes a row, on SQLite's single writer and PostgreSQL's row locks alike.
 */
export class SqlIdempotencyStore implements IdempotencyStore {
  private readonly db: Kysely<Schema>;

  constructor(engine: SqlEngine) {
    this.db = engine.db.withTables<{ idempotency_keys: IdempotencyKeysTable }>();
  }

  async begin(
    workspaceId: string,
    key: string,
    claim: { readonly fingerprint: string; readonly now: number; readonly expiresAt: number },
  ): Promise<IdempotencyClaim> {
    const fresh = {
      fingerprint: claim.fingerprint,
      state: 'in_flight' as const,
      status_code: null,
      response_headers: null,
      response_body: null,
      created_at: claim.now,
      expires_at: claim.expiresAt,
    };
    // A record can vanish between the statements (released, purged): then the key is free again.
    for (let round = 0; round < 3; round++) {
      const inserted = await this.db
        .insertInto('idempotency_keys')
        .values({ workspace_id: workspaceId, idempotency_key: key, ...fresh })
        .onConflict((conflict) => conflict.columns(['workspace_id', 'idempotency_key']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { kind: 'claimed' };
      const takenOver = await this.db
        .updateTable('idempotency_keys')
        .set(fresh)
        .where('workspace_id', '=', workspaceId)
        .where('idempotency_key', '=', key)
        .where('expires_at', '<=', claim.now)
        .executeTakeFirst();
      if (Number(takenOver.numUpdatedRows) === 1) return { kind: 'claimed' };
      const row = await this.db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('idempotency_key', '=', key)
        .executeTakeFirst();
      if (!row) continue;
      if (row.state !== 'completed') return { kind: 'in_flight', fingerprint: row.fingerprint };
      return {
        kind: 'completed',
        fingerprint: row.fingerprint,
        response: {
          statusCode: Number(row.status_code),
          headers: JSON.parse(row.response_headers ?? '{}') as Record<string, string>,
          body: row.response_body ?? '',
        },
      };
    }
    throw new Error('idempotency key kept changing hands while being claimed');
  }

  async complete(
    workspaceId: string,
    key: string,
    response: StoredResponse,
    expiresAt: number,
  ): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({
        state: 'completed',
        expires_at: expiresAt,
        status_code: response.statusCode,
        response_headers: JSON.stringify(response.headers),
        response_body: response.body,
      })
      .where('workspace_id', '=', workspaceId)
      .where('idempotency_key', '=', key)
      .where('state', '=', 'in_flight')
      .execute();
  }

  async release(workspaceId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('workspace_id', '=', workspaceId)
      .where('idempotency_key', '=', key)
      .where('state', '=', 'in_flight')
      .execute();
  }

  async purgeExpired(now: number): Promise<number> {
    const result = await this.db
      .deleteFrom('idempotency_keys')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
