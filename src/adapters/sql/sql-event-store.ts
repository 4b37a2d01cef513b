import type { Selectable } from 'kysely';
import type { EventType, StoredEvent } from '../../events/event-envelope.js';
import type { EventStore } from '../../events/event-store.js';
import type { EventsTable } from './schema.js';
import type { SqlEngine } from './sql-engine.js';

export class SqlEventStore implements EventStore {
  constructor(private readonly engine: SqlEngine) {}

  async listAfter(workspaceId: string, afterEventId: string | null, limit: number): Promise<StoredEvent[]> {
    let query = this.engine.db.selectFrom('events').selectAll().where('workspace_id', '=', workspaceId);
    if (afterEventId !== null) query = query.where('event_id', '>', afterEventId);
    const rows = await query.orderBy('event_id', 'asc').limit(limit).execute();
    return rows.map(fromRow);
  }

  async get(workspaceId: string, eventId: string): Promise<StoredEvent | null> {
    const row = await this.engine.db
      .selectFrom('events')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }
}

function fromRow(row: Selectable<EventsTable>): StoredEvent {
  return {
    eventId: row.event_id,
    workspaceId: row.workspace_id,
    eventType: row.event_type as EventType,
    occurredAt: Number(row.occurred_at),
    payload: row.payload,
  };
}
