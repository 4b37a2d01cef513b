import {
  EVENT_SCHEMA_VERSION,
  type EventEnvelope,
  type StoredEvent,
  toStoredEvent,
} from '../events/event-envelope.js';
import { newId } from '../kernel/ids.js';
import { type ClickPayload, clickPayload, type LinkSnapshot, verdictPayload } from './click-payload.js';
import type { ClickVerdict, ProcessedClick } from './processed-click.js';

export interface ClickCreatedData {
  readonly link: LinkSnapshot;
  readonly click: ClickPayload;
}

export interface ClickFlaggedData extends ClickCreatedData {
  /** The verdict the click had before this one. */
  readonly previous: ReturnType<typeof verdictPayload>;
}

/** `click.created`: every stored click, carrying its classification so subscribers can skip non-human traffic. */
export function clickCreatedEvent(click: ProcessedClick, link: LinkSnapshot, at: number): StoredEvent {
  const envelope: EventEnvelope<ClickCreatedData> = {
    schema_version: EVENT_SCHEMA_VERSION,
    event_id: newId('event', at),
    event_type: 'click.created',
    occurred_at: new Date(click.occurredAt).toISOString(),
    workspace_id: click.workspaceId,
    data: { link, click: clickPayload(click) },
  };
  return toStoredEvent(envelope);
}

/** `click.flagged`: a later verdict on a click already reported (e.g. a burst seen across clicks). */
export function clickFlaggedEvent(
  click: ProcessedClick,
  previous: ClickVerdict,
  link: LinkSnapshot,
  at: number,
): StoredEvent {
  const envelope: EventEnvelope<ClickFlaggedData> = {
    schema_version: EVENT_SCHEMA_VERSION,
    event_id: newId('event', at),
    event_type: 'click.flagged',
    occurred_at: new Date(at).toISOString(),
    workspace_id: click.workspaceId,
    data: { link, click: clickPayload(click), previous: verdictPayload(previous) },
  };
  return toStoredEvent(envelope);
}
