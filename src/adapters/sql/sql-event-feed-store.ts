import type { ExpressionBuilder, Selectable, SelectQueryBuilder } from 'kysely';
import type { EventType } from '../../events/event-envelope.js';
import type { EventConditions, EventFeedStore, FeedEvent } from '../../events/event-feed-store.js';
import type { EventsTable, StoreSchema } from './schema.js';
import type { SqlEngine } from './sql-engine.js';
import { filterOnly } from './sql-filter-only.js';

type EventQuery = SelectQueryBuilder<StoreSchema, 'events', Selectable<EventsTable>>;

/**
 * Events in commit order, by the indexes of migration 0004: `(workspace_id, seq)` and, per
 * requested type, `(workspace_id, event_type, seq)` — one short range per type, merged — so a page
 * of rare `link.*` events never walks past the click events between them. Id bounds only filter.
 */
export class SqlEventFeedStore implements EventFeedStore {
  constructor(private readonly engine: SqlEngine) {}

  /**
   * The highest `seq`. A safe horizon because `seq` is handed out in commit order: by SQLite's one
   * writer, and on PostgreSQL under the lock every insert takes (migrations 0002/0003).
   */
  async horizon(): Promise<number> {
    const row = await this.engine.db
      .selectFrom('events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async list(
    workspaceId: string,
    conditions: EventConditions,
    page: { readonly afterSeq: number; readonly throughSeq: number; readonly limit: number },
  ): Promise<FeedEvent[]> {
    if (page.throughSeq <= page.afterSeq) return [];
    const { db } = this.engine;
    const range = (type: EventType | null): EventQuery => {
      let q = db.selectFrom('events').selectAll();
      if (type === null) {
        q = q
          .where('workspace_id', '=', workspaceId)
          .where('seq', '>', page.afterSeq)
          .where('seq', '<=', page.throughSeq)
          .orderBy('seq', 'asc');
      } else {
        // One range of `(workspace_id, event_type, seq)`, written as row values: given separate
        // conditions, the planner takes `(workspace_id, seq)` and walks every click event between.
        const key = (eb: ExpressionBuilder<StoreSchema, 'events'>) =>
          eb.refTuple('workspace_id', 'event_type', 'seq');
        q = q
          .where((eb) => eb(key(eb), '>', eb.tuple(workspaceId, type, page.afterSeq)))
          .where((eb) => eb(key(eb), '<=', eb.tuple(workspaceId, type, page.throughSeq)))
          .orderBy(['workspace_id', 'event_type', 'seq']);
      }
      if (conditions.eventIdFrom !== null) q = q.where(filterOnly('event_id'), '>=', conditions.eventIdFrom);
      if (conditions.eventIdBefore !== null) {
        q = q.where(filterOnly('event_id'), '<', conditions.eventIdBefore);
      }
      return q.limit(page.limit);
    };
    const types = conditions.types === null ? [null] : [...new Set(conditions.types)];
    let rows: Selectable<EventsTable>[];
    if (types.length === 1) rows = await range(types[0]!).execute();
    else {
      const [first, ...rest] = types.map((type, i) => db.selectFrom(range(type).as(`t${i}`)).selectAll());
      let merged = first!;
      for (const branch of rest) merged = merged.unionAll(branch);
      rows = await db
        .selectFrom(merged.as('merged'))
        .selectAll()
        .orderBy('seq', 'asc')
        .limit(page.limit)
        .execute();
    }
    return rows.map((row) => ({
      seq: Number(row.seq),
      event: {
        eventId: row.event_id,
        workspaceId: row.workspace_id,
        eventType: row.event_type as EventType,
        occurredAt: Number(row.occurred_at),
        payload: row.payload,
      },
    }));
  }

  async seqOfLastBefore(workspaceId: string, eventId: string): Promise<number> {
    const row = await this.engine.db
      .selectFrom('events')
      .select('seq')
      .where('workspace_id', '=', workspaceId)
      .where('event_id', '<', eventId)
      .orderBy('event_id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.seq) : 0;
  }

  async seqOfFirstFrom(workspaceId: string, eventId: string): Promise<number | null> {
    const row = await this.engine.db
      .selectFrom('events')
      .select('seq')
      .where('workspace_id', '=', workspaceId)
      .where('event_id', '>=', eventId)
      .orderBy('event_id', 'asc')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.seq) : null;
  }
}
