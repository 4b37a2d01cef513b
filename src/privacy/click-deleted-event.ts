import {
  EVENT_SCHEMA_VERSION,
  type EventEnvelope,
  type StoredEvent,
  toStoredEvent,
} from '../events/event-envelope.js';
import { newId } from '../kernel/ids.js';
import type { LinkSnapshot } from '../processing/click-payload.js';
import type { ProcessedClick } from '../processing/processed-click.js';

/**
 * `click.deleted`: a click was erased, so downstream copies can be erased too. It names the click
 * and nothing about the visitor — no hash, no network, no device — plus the link (so
 * subscriptions filtered by link, tag or campaign get it) and the class (so a subscription for
 * people only hears of the people's clicks it was sent).
 */
export interface ClickDeletedData {
  readonly link: LinkSnapshot;
  readonly click: {
    readonly click_id: string;
    /** When the erased click occurred. */
    readonly occurred_at: string;
    readonly traffic_class: string;
  };
  /** Why it was deleted: always an erasure request for now. */
  readonly reason: 'erasure_request';
  /** The erasure request that deleted it (`GET /v1/privacy/erasure-requests/{id}`). */
  readonly erasure_request_id: string;
}

export function clickDeletedEvent(
  click: ProcessedClick,
  link: LinkSnapshot,
  erasureRequestId: string,
  at: number,
): StoredEvent {
  const envelope: EventEnvelope<ClickDeletedData> = {
    schema_version: EVENT_SCHEMA_VERSION,
    event_id: newId('event', at),
    event_type: 'click.deleted',
    occurred_at: new Date(at).toISOString(),
    workspace_id: click.workspaceId,
    data: {
      link,
      click: {
        click_id: click.clickId,
        occurred_at: new Date(click.occurredAt).toISOString(),
        traffic_class: click.trafficClass,
      },
      reason: 'erasure_request',
      erasure_request_id: erasureRequestId,
    },
  };
  return toStoredEvent(envelope);
}
