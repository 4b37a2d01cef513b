import type { Selectable } from 'kysely';
import { DEFAULT_UNIQUENESS_RULE, isUniquenessRule } from '../../processing/uniqueness/uniqueness-rule.js';
import type { ApiKey } from '../../tenancy/api-key.js';
import type { Workspace } from '../../tenancy/workspace.js';
import type { WorkspaceStore } from '../../tenancy/workspace-store.js';
import type { WorkspacesTable } from './schema.js';
import { apiKeyRow } from './sql-api-key-store.js';
import type { SqlEngine } from './sql-engine.js';

export class SqlWorkspaceStore implements WorkspaceStore {
  constructor(private readonly engine: SqlEngine) {}

  async create(workspace: Workspace, firstKey: ApiKey): Promise<void> {
    await this.engine.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('workspaces')
        .values({
          workspace_id: workspace.workspaceId,
          name: workspace.name,
          is_default: workspace.isDefault ? 1 : 0,
          created_at: workspace.createdAt,
          uniqueness_rule: workspace.uniquenessRule,
          timezone: workspace.timezone,
        })
        .execute();
      await trx.insertInto('api_keys').values(apiKeyRow(firstKey)).execute();
    });
  }

  async get(workspaceId: string): Promise<Workspace | null> {
    const row = await this.engine.db
      .selectFrom('workspaces')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async getDefault(): Promise<Workspace | null> {
    const row = await this.engine.db
      .selectFrom('workspaces')
      .selectAll()
      .where('is_default', '=', 1)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async updateSettings(
    workspaceId: string,
    settings: Pick<Workspace, 'uniquenessRule' | 'timezone'>,
  ): Promise<boolean> {
    const result = await this.engine.db
      .updateTable('workspaces')
      .set({ uniqueness_rule: settings.uniquenessRule, timezone: settings.timezone })
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async list(): Promise<Workspace[]> {
    const rows = await this.engine.db.selectFrom('workspaces').selectAll().orderBy('workspace_id').execute();
    return rows.map(fromRow);
  }
}

function fromRow(row: Selectable<WorkspacesTable>): Workspace {
  return {
    workspaceId: row.workspace_id,
    name: row.name,
    isDefault: Number(row.is_default) === 1,
    createdAt: Number(row.created_at),
    uniquenessRule: isUniquenessRule(row.uniqueness_rule) ? row.uniqueness_rule : DEFAULT_UNIQUENESS_RULE,
    timezone: row.timezone,
  };
}
