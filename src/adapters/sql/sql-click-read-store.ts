import { type Expression, type Selectable, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { ClickFilter } from '../../clicks/click-filter.js';
import type { ClickReadStore, NewestFirstKey, StoredClick } from '../../clicks/click-read-store.js';
import type { ClicksTable, StoreSchema } from './schema.js';
import type { SqlEngine } from './sql-engine.js';
import { filterOnly } from './sql-filter-only.js';
import { clickFromRow } from './sql-processing-store.js';

/**
 * Up to this many links (a `link_id`, or the links of a `tag`), a newest-first page is read as one
 * short index range per link, merged: each range stops after a page, whatever the links' sizes.
 * A tag on more links is checked row by row along the workspace's time index instead.
 */
export const MAX_MERGED_LINKS = 16;

type ClickQuery = SelectQueryBuilder<StoreSchema, 'clicks', Selectable<ClicksTable>>;

/** How a newest-first page walks the clicks: the index that gives the order, and what narrows it. */
type AccessPath =
  | { readonly kind: 'links'; readonly linkIds: readonly string[] }
  /** `tagFilter`: the tag is on too many links to merge; each click's link is checked instead. */
  | { readonly kind: 'campaign' | 'workspace'; readonly tagFilter: boolean }
  | { readonly kind: 'nothing' };

/**
 * The click list's reads. Which index serves a page is decided here, and the queries are written
 * so the planner cannot pick another: conditions that only filter are wrapped in
 * {@link filterOnly}. Otherwise a filter on an indexed column (the ingestion horizon on `seq`, say)
 * can look cheaper to a planner without statistics than the index that gives the order, and a
 * 100-row page turns into a sort of the whole workspace.
 *
 * Newest-first indexes: `(link_id, occurred_at)`, `(workspace_id, campaign_id, occurred_at, seq)`,
 * `(workspace_id, occurred_at)` — on SQLite every index ends with the rowid, which is `seq`.
 * Ingestion order: `(workspace_id, seq)`.
 */
export class SqlClickReadStore implements ClickReadStore {
  constructor(private readonly engine: SqlEngine) {}

  /**
   * The highest `seq`. A safe horizon because `seq` is handed out in commit order: by SQLite's one
   * writer, and on PostgreSQL under the lock every insert takes (migrations 0002/0003).
   */
  async ingestionHorizon(): Promise<number> {
    const row = await this.engine.db
      .selectFrom('clicks')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async listNewestFirst(
    workspaceId: string,
    filter: ClickFilter,
    page: { readonly after: NewestFirstKey | null; readonly horizon: number; readonly limit: number },
  ): Promise<StoredClick[]> {
    const path = await this.accessPath(workspaceId, filter);
    if (path.kind === 'nothing') return [];
    const { db } = this.engine;
    const range = (query: ClickQuery): ClickQuery => {
      let q = query.where(filterOnly('seq'), '<=', page.horizon);
      if (page.after) {
        const { occurredAt, seq } = page.after;
        q = q
          .where('occurred_at', '<=', occurredAt)
          .where((eb) => eb.or([eb('occurred_at', '<', occurredAt), eb(filterOnly('seq'), '<', seq)]));
      }
      if (filter.occurredFrom !== null) q = q.where('occurred_at', '>=', filter.occurredFrom);
      if (filter.occurredUntil !== null) q = q.where('occurred_at', '<', filter.occurredUntil);
      return newestFirst(attributes(q, filter)).limit(page.limit);
    };

    let rows: Selectable<ClicksTable>[];
    if (path.kind === 'links') {
      const branches = path.linkIds.map((linkId) =>
        range(
          db
            .selectFrom('clicks')
            .selectAll()
            .where('link_id', '=', linkId)
            .where(filterOnly('workspace_id'), '=', workspaceId)
            .$call((q) => (filter.campaignId === null ? q : q.where('campaign_id', '=', filter.campaignId))),
        ),
      );
      if (branches.length === 1) rows = await branches[0]!.execute();
      else {
        const [first, ...rest] = branches.map((branch, i) => db.selectFrom(branch.as(`b${i}`)).selectAll());
        let merged = first!;
        for (const branch of rest) merged = merged.unionAll(branch);
        rows = await db
          .selectFrom(merged.as('merged'))
          .selectAll()
          .orderBy('occurred_at', 'desc')
          .orderBy('seq', 'desc')
          .limit(page.limit)
          .execute();
      }
    } else {
      let q = db.selectFrom('clicks').selectAll().where('workspace_id', '=', workspaceId);
      if (path.kind === 'campaign') q = q.where('campaign_id', '=', filter.campaignId);
      if (path.tagFilter) q = q.where(inTag(workspaceId, filter.tag!));
      rows = await range(q).execute();
    }
    return rows.map(storedClick);
  }

  async listByIngestion(
    workspaceId: string,
    filter: ClickFilter,
    page: { readonly afterSeq: number; readonly horizon: number; readonly limit: number },
  ): Promise<StoredClick[]> {
    // Only `(workspace_id, seq)` gives this order: every other condition is a filter.
    let q = this.engine.db
      .selectFrom('clicks')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('seq', '>', page.afterSeq)
      .where('seq', '<=', page.horizon);
    if (filter.linkId !== null) q = q.where(filterOnly('link_id'), '=', filter.linkId);
    if (filter.campaignId !== null) q = q.where(filterOnly('campaign_id'), '=', filter.campaignId);
    if (filter.tag !== null) q = q.where(inTag(workspaceId, filter.tag));
    if (filter.occurredFrom !== null) q = q.where(filterOnly('occurred_at'), '>=', filter.occurredFrom);
    if (filter.occurredUntil !== null) q = q.where(filterOnly('occurred_at'), '<', filter.occurredUntil);
    const rows = await attributes(q, filter).orderBy('seq', 'asc').limit(page.limit).execute();
    return rows.map(storedClick);
  }

  async get(workspaceId: string, clickId: string): Promise<StoredClick | null> {
    const row = await this.engine.db
      .selectFrom('clicks')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('click_id', '=', clickId)
      .executeTakeFirst();
    return row ? storedClick(row) : null;
  }

  private async accessPath(workspaceId: string, filter: ClickFilter): Promise<AccessPath> {
    if (filter.tag === null) {
      if (filter.linkId !== null) return { kind: 'links', linkIds: [filter.linkId] };
      return { kind: filter.campaignId !== null ? 'campaign' : 'workspace', tagFilter: false };
    }
    const tagged = await this.engine.db
      .selectFrom('link_tags')
      .innerJoin('links', 'links.link_id', 'link_tags.link_id')
      .select('link_tags.link_id')
      .where('link_tags.tag', '=', filter.tag)
      .where('links.workspace_id', '=', workspaceId)
      .$call((q) => (filter.linkId === null ? q : q.where('link_tags.link_id', '=', filter.linkId)))
      .orderBy('link_tags.link_id')
      .limit(MAX_MERGED_LINKS + 1)
      .execute();
    if (tagged.length === 0) return { kind: 'nothing' };
    if (tagged.length <= MAX_MERGED_LINKS)
      return { kind: 'links', linkIds: tagged.map((row) => row.link_id) };
    return { kind: filter.campaignId !== null ? 'campaign' : 'workspace', tagFilter: true };
  }
}

/** The conditions on a click's own attributes; they filter whichever index a page walks. */
function attributes(query: ClickQuery, filter: ClickFilter): ClickQuery {
  let q = query;
  if (filter.country !== null) q = q.where('country', '=', filter.country);
  if (filter.deviceType !== null) q = q.where('device_type', '=', filter.deviceType);
  if (filter.referrerCategory !== null) q = q.where('referrer_category', '=', filter.referrerCategory);
  if (filter.trafficClass !== null) q = q.where('traffic_class', '=', filter.trafficClass);
  if (filter.isUnique !== null) q = q.where('is_unique', '=', filter.isUnique ? 1 : 0);
  if (filter.isSuspicious !== null) q = q.where('is_suspicious', '=', filter.isSuspicious ? 1 : 0);
  if (filter.simulated !== null) q = q.where('simulated', '=', filter.simulated ? 1 : 0);
  return q;
}

function newestFirst(query: ClickQuery): ClickQuery {
  return query.orderBy('occurred_at', 'desc').orderBy('seq', 'desc');
}

/** The click is on a link of the workspace that carries `tag` now. */
function inTag(workspaceId: string, tag: string): Expression<SqlBool> {
  return sql<SqlBool>`${filterOnly('link_id')} IN (
    SELECT lt.link_id FROM link_tags lt JOIN links l ON l.link_id = lt.link_id
    WHERE lt.tag = ${tag} AND l.workspace_id = ${workspaceId})`;
}

function storedClick(row: Selectable<ClicksTable>): StoredClick {
  return { seq: Number(row.seq), click: clickFromRow(row) };
}
