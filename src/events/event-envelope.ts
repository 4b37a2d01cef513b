/**
 * The event envelope subscribers receive (DESIGN §4). Stable and versioned: fields are only ever
 * added; a breaking change would bump `schema_version`.
 */
export const EVENT_SCHEMA_VERSION = 1;

export const EVENT_TYPES = [
  'click.created',
  'click.flagged',
  'click.enriched',
  'click.deleted',
  'link.created',
  'link.updated',
  'link.deleted',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface EventEnvelope<TData = unknown> {
  /** Version of this envelope and its `data` shapes. */
  readonly schema_version: typeof EVENT_SCHEMA_VERSION;
  /** `evt_` + ULID; never changes across retries and replays, so subscribers dedupe on it. */
  readonly event_id: string;
  readonly event_type: EventType;
  /** When the thing the event reports happened, ISO 8601 UTC. */
  readonly occurred_at: string;
  readonly workspace_id: string;
  readonly data: TData;
}

/** An event as the store keeps it: indexed columns plus the exact JSON that will be sent. */
export interface StoredEvent {
  readonly eventId: string;
  readonly workspaceId: string;
  readonly eventType: EventType;
  readonly occurredAt: number;
  readonly payload: string;
}

export function toStoredEvent(envelope: EventEnvelope): StoredEvent {
  return {
    eventId: envelope.event_id,
    workspaceId: envelope.workspace_id,
    eventType: envelope.event_type,
    occurredAt: Date.parse(envelope.occurred_at),
    payload: JSON.stringify(envelope),
  };
}
