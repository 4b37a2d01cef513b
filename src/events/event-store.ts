import type { StoredEvent } from './event-envelope.js';

/** Port: reading the events the stages wrote (writes happen inside each stage's own transaction). */
export interface EventStore {
  /** Events of the workspace after `afterEventId` (exclusive; `null` = from the start), oldest first. */
  listAfter(workspaceId: string, afterEventId: string | null, limit: number): Promise<StoredEvent[]>;
  get(workspaceId: string, eventId: string): Promise<StoredEvent | null>;
}
