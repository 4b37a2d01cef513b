import type { Transaction } from 'kysely';
import type { StoredEvent } from '../../events/event-envelope.js';
import type { StoreSchema } from './schema.js';

/** Writes an event inside the caller's transaction, next to the change it reports. */
export async function insertEvent(trx: Transaction<StoreSchema>, event: StoredEvent): Promise<void> {
  await trx
    .insertInto('events')
    .values({
      event_id: event.eventId,
      workspace_id: event.workspaceId,
      event_type: event.eventType,
      occurred_at: event.occurredAt,
      payload: event.payload,
    })
    .execute();
}
