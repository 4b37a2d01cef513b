import type { Insertable, Selectable, Transaction } from 'kysely';
import type { StoredEvent } from '../../events/event-envelope.js';
import { ClickwireError } from '../../kernel/errors.js';
import type { Link, RedirectType } from '../../links/link.js';
import type { LinkPage, LinkStore } from '../../links/link-store.js';
import type { LinksTable, StoreSchema } from './schema.js';
import type { SqlEngine } from './sql-engine.js';
import { insertEvent } from './sql-events.js';
import { bumpRoutingCounter, readRoutingCounter } from './sql-routing-counter.js';

export class SqlLinkStore implements LinkStore {
  constructor(private readonly engine: SqlEngine) {}

  async insert(link: Link, event: StoredEvent): Promise<void> {
    await this.writeAliasChecked(async (trx) => {
      await trx.insertInto('links').values(toRow(link)).execute();
      await insertTags(trx, link);
      await insertEvent(trx, event);
      await bumpRoutingCounter(trx);
    });
  }

  async get(workspaceId: string, linkId: string): Promise<Link | null> {
    const row = await this.engine.db
      .selectFrom('links')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('link_id', '=', linkId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row ? (await this.withTags([row]))[0]! : null;
  }

  async list(workspaceId: string, page: LinkPage): Promise<Link[]> {
    let query = this.engine.db
      .selectFrom('links')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('deleted_at', 'is', null);
    if (page.beforeLinkId !== null) query = query.where('link_id', '<', page.beforeLinkId);
    const rows = await query.orderBy('link_id', 'desc').limit(page.limit).execute();
    return this.withTags(rows);
  }

  async update(link: Link, event: StoredEvent): Promise<boolean> {
    return this.writeAliasChecked(async (trx) => {
      const { link_id: _id, workspace_id: _ws, created_at: _created, ...changes } = toRow(link);
      const result = await trx
        .updateTable('links')
        .set(changes)
        .where('link_id', '=', link.linkId)
        .where('workspace_id', '=', link.workspaceId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await trx.deleteFrom('link_tags').where('link_id', '=', link.linkId).execute();
      await insertTags(trx, link);
      await insertEvent(trx, event);
      await bumpRoutingCounter(trx);
      return true;
    });
  }

  async delete(workspaceId: string, linkId: string, at: number, event: StoredEvent): Promise<boolean> {
    return this.engine.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('links')
        .set({ deleted_at: at, updated_at: at })
        .where('link_id', '=', linkId)
        .where('workspace_id', '=', workspaceId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await insertEvent(trx, event);
      await bumpRoutingCounter(trx);
      return true;
    });
  }

  async findLive(domainId: string | null, alias: string): Promise<Link | null> {
    const row = await this.engine.db
      .selectFrom('links')
      .selectAll()
      .where('domain_key', '=', domainId ?? '')
      .where('alias', '=', alias)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row ? (await this.withTags([row]))[0]! : null;
  }

  async changeCounter(): Promise<number> {
    return readRoutingCounter(this.engine.db);
  }

  /** Runs a write; a unique-index clash on the live alias becomes the API's 409. */
  private async writeAliasChecked<T>(write: (trx: Transaction<StoreSchema>) => Promise<T>): Promise<T> {
    try {
      return await this.engine.db.transaction().execute(write);
    } catch (error) {
      if (this.engine.isUniqueViolation(error)) {
        throw new ClickwireError('CW_ERR_ALIAS_TAKEN', 'alias: already used by another link on this domain', [
          { field: '/alias', message: 'already used by another link on this domain' },
        ]);
      }
      throw error;
    }
  }

  private async withTags(rows: Selectable<LinksTable>[]): Promise<Link[]> {
    if (rows.length === 0) return [];
    const tagRows = await this.engine.db
      .selectFrom('link_tags')
      .select(['link_id', 'tag'])
      .where(
        'link_id',
        'in',
        rows.map((row) => row.link_id),
      )
      .orderBy('tag')
      .execute();
    const tagsByLink = new Map<string, string[]>();
    for (const { link_id, tag } of tagRows) {
      const list = tagsByLink.get(link_id) ?? [];
      list.push(tag);
      tagsByLink.set(link_id, list);
    }
    return rows.map((row) => fromRow(row, tagsByLink.get(row.link_id) ?? []));
  }
}

async function insertTags(trx: Transaction<StoreSchema>, link: Link): Promise<void> {
  if (link.tags.length === 0) return;
  await trx
    .insertInto('link_tags')
    .values(link.tags.map((tag) => ({ link_id: link.linkId, tag })))
    .execute();
}

function toRow(link: Link): Insertable<LinksTable> {
  return {
    link_id: link.linkId,
    workspace_id: link.workspaceId,
    domain_id: link.domainId,
    domain_key: link.domainId ?? '',
    alias: link.alias,
    destination_url: link.destinationUrl,
    redirect_type: link.redirectType,
    campaign_id: link.campaignId,
    channel: link.channel,
    expires_at: link.expiresAt,
    disabled: link.disabled ? 1 : 0,
    forward_query: link.forwardQuery ? 1 : 0,
    fallback_url: link.fallbackUrl,
    created_at: link.createdAt,
    updated_at: link.updatedAt,
    deleted_at: null,
  };
}

function fromRow(row: Selectable<LinksTable>, tags: readonly string[]): Link {
  return {
    linkId: row.link_id,
    workspaceId: row.workspace_id,
    domainId: row.domain_id,
    alias: row.alias,
    destinationUrl: row.destination_url,
    redirectType: Number(row.redirect_type) as RedirectType,
    campaignId: row.campaign_id,
    channel: row.channel,
    tags,
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    disabled: Number(row.disabled) === 1,
    forwardQuery: Number(row.forward_query) === 1,
    fallbackUrl: row.fallback_url,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
