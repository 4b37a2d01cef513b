import type { Selectable } from 'kysely';
import type { Domain } from '../../domains/domain.js';
import type { DomainStore } from '../../domains/domain-store.js';
import { ClickwireError } from '../../kernel/errors.js';
import type { DomainsTable } from './schema.js';
import type { SqlEngine } from './sql-engine.js';
import { bumpRoutingCounter } from './sql-routing-counter.js';

export class SqlDomainStore implements DomainStore {
  constructor(private readonly engine: SqlEngine) {}

  async insert(domain: Domain): Promise<void> {
    try {
      await this.engine.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('domains')
          .values({
            domain_id: domain.domainId,
            workspace_id: domain.workspaceId,
            hostname: domain.hostname,
            created_at: domain.createdAt,
          })
          .execute();
        await bumpRoutingCounter(trx);
      });
    } catch (error) {
      if (this.engine.isUniqueViolation(error)) {
        throw new ClickwireError('CW_ERR_HOSTNAME_TAKEN', 'hostname: already registered', [
          { field: '/hostname', message: 'already registered' },
        ]);
      }
      throw error;
    }
  }

  async get(workspaceId: string, domainId: string): Promise<Domain | null> {
    const row = await this.engine.db
      .selectFrom('domains')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('domain_id', '=', domainId)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async list(workspaceId: string): Promise<Domain[]> {
    const rows = await this.engine.db
      .selectFrom('domains')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('domain_id')
      .execute();
    return rows.map(fromRow);
  }

  async delete(workspaceId: string, domainId: string): Promise<boolean> {
    return this.engine.db.transaction().execute(async (trx) => {
      // Scoped to the caller's workspace: another workspace's domain must read as "not found", never
      // as "in use" (its links can only be its own workspace's).
      const inUse = await trx
        .selectFrom('links')
        .select('link_id')
        .where('workspace_id', '=', workspaceId)
        .where('domain_id', '=', domainId)
        .where('deleted_at', 'is', null)
        .limit(1)
        .executeTakeFirst();
      if (inUse) {
        throw new ClickwireError(
          'CW_ERR_CONFLICT',
          'The domain still has live links; delete or move them first',
        );
      }
      const result = await trx
        .deleteFrom('domains')
        .where('workspace_id', '=', workspaceId)
        .where('domain_id', '=', domainId)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      await bumpRoutingCounter(trx);
      return true;
    });
  }

  async findByHostname(hostname: string): Promise<Domain | null> {
    const row = await this.engine.db
      .selectFrom('domains')
      .selectAll()
      .where('hostname', '=', hostname)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }
}

function fromRow(row: Selectable<DomainsTable>): Domain {
  return {
    domainId: row.domain_id,
    workspaceId: row.workspace_id,
    hostname: row.hostname,
    createdAt: Number(row.created_at),
  };
}
