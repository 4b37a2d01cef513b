import type { Insertable, Selectable } from 'kysely';
import type { ApiKey } from '../../tenancy/api-key.js';
import type { ApiKeyStore } from '../../tenancy/api-key-store.js';
import { isScope } from '../../tenancy/scopes.js';
import type { ApiKeysTable } from './schema.js';
import type { SqlEngine } from './sql-engine.js';

export class SqlApiKeyStore implements ApiKeyStore {
  constructor(private readonly engine: SqlEngine) {}

  async insert(key: ApiKey): Promise<void> {
    await this.engine.db.insertInto('api_keys').values(apiKeyRow(key)).execute();
  }

  async list(workspaceId: string): Promise<ApiKey[]> {
    const rows = await this.engine.db
      .selectFrom('api_keys')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('revoked_at', 'is', null)
      .orderBy('key_id')
      .execute();
    return rows.map(fromRow);
  }

  async get(workspaceId: string, keyId: string): Promise<ApiKey | null> {
    const row = await this.engine.db
      .selectFrom('api_keys')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('key_id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async revoke(workspaceId: string, keyId: string, at: number): Promise<boolean> {
    const result = await this.engine.db
      .updateTable('api_keys')
      .set({ revoked_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('key_id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async findLiveByHash(keyHash: string): Promise<ApiKey | null> {
    const row = await this.engine.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', keyHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async touch(keyId: string, at: number): Promise<void> {
    await this.engine.db
      .updateTable('api_keys')
      .set({ last_used_at: at })
      .where('key_id', '=', keyId)
      .execute();
  }
}

export function apiKeyRow(key: ApiKey): Insertable<ApiKeysTable> {
  return {
    key_id: key.keyId,
    workspace_id: key.workspaceId,
    name: key.name,
    key_hash: key.keyHash,
    key_hint: key.keyHint,
    scopes: key.scopes.join(' '),
    is_operator: key.isOperator ? 1 : 0,
    created_at: key.createdAt,
    last_used_at: key.lastUsedAt,
    revoked_at: key.revokedAt,
  };
}

function fromRow(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    keyId: row.key_id,
    workspaceId: row.workspace_id,
    name: row.name,
    keyHash: row.key_hash,
    keyHint: row.key_hint,
    scopes: row.scopes.split(' ').filter(isScope),
    isOperator: Number(row.is_operator) === 1,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}
