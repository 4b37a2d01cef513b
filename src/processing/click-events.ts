import { EVENT_SCHEMA_VERSION, type EventEnvelope, type StoredEvent } from '../events/event-envelope.js';
import { newId } from '../kernel/ids.js';
import {
  type ClickPayload,
  clickPayload,
  clickPayloadJson,
  type LinkSnapshot,
  occurredIso,
  verdictPayload,
} from './click-payload.js';
import type { ClickVerdict, ProcessedClick } from './processed-click.js';

export interface ClickCreatedData {
  readonly link: LinkSnapshot;
  readonly click: ClickPayload;
}

export interface ClickFlaggedData extends ClickCreatedData {
  /** The verdict the click had before this one. */
  readonly previous: ReturnType<typeof verdictPayload>;
}

/*
 * The processor writes an event per click (and one per re-label), so these two spell their
 * envelope's JSON out around its parts — `link` serialised once per snapshot, the click by
 * `clickPayloadJson` — instead of building the envelope and serialising it whole. The JSON is the
 * same, byte for byte, as `toStoredEvent` of the envelope the `…Envelope` functions build; a unit
 * test holds the two together.
 */

/** `click.created`: every stored click, carrying its classification so subscribers can skip non-human traffic. */
export function clickCreatedEvent(click: ProcessedClick, link: LinkSnapshot, at: number): StoredEvent {
  const eventId = newId('event', at);
  const payload = `{"schema_version":${EVENT_SCHEMA_VERSION},"event_id":${JSON.stringify(eventId)},"event_type":"click.created","occurred_at":"${occurredIso.of(click.occurredAt)}","workspace_id":${JSON.stringify(click.workspaceId)},"data":{"link":${linkJson(link)},"click":${clickPayloadJson(click)}}}`;
  return {
    eventId,
    workspaceId: click.workspaceId,
    eventType: 'click.created',
    occurredAt: click.occurredAt,
    payload,
  };
}

/** `click.flagged`: a later verdict on a click already reported (e.g. a burst seen across clicks). */
export function clickFlaggedEvent(
  click: ProcessedClick,
  previous: ClickVerdict,
  link: LinkSnapshot,
  at: number,
): StoredEvent {
  const eventId = newId('event', at);
  const occurred = new Date(at);
  const payload = `{"schema_version":${EVENT_SCHEMA_VERSION},"event_id":${JSON.stringify(eventId)},"event_type":"click.flagged","occurred_at":"${occurred.toISOString()}","workspace_id":${JSON.stringify(click.workspaceId)},"data":{"link":${linkJson(link)},"click":${clickPayloadJson(click)},"previous":${JSON.stringify(verdictPayload(previous))}}}`;
  return {
    eventId,
    workspaceId: click.workspaceId,
    eventType: 'click.flagged',
    occurredAt: occurred.getTime(),
    payload,
  };
}

/** The envelope `clickCreatedEvent` serialises, built whole (`toStoredEvent` of it is the same event). */
export function clickCreatedEnvelope(
  click: ProcessedClick,
  link: LinkSnapshot,
  eventId: string,
): EventEnvelope<ClickCreatedData> {
  return {
    schema_version: EVENT_SCHEMA_VERSION,
    event_id: eventId,
    event_type: 'click.created',
    occurred_at: new Date(click.occurredAt).toISOString(),
    workspace_id: click.workspaceId,
    data: { link, click: clickPayload(click) },
  };
}

/** The envelope `clickFlaggedEvent` serialises, built whole (`toStoredEvent` of it is the same event). */
export function clickFlaggedEnvelope(
  click: ProcessedClick,
  previous: ClickVerdict,
  link: LinkSnapshot,
  eventId: string,
  at: number,
): EventEnvelope<ClickFlaggedData> {
  return {
    schema_version: EVENT_SCHEMA_VERSION,
    event_id: eventId,
    event_type: 'click.flagged',
    occurred_at: new Date(at).toISOString(),
    workspace_id: click.workspaceId,
    data: { link, click: clickPayload(click), previous: verdictPayload(previous) },
  };
}

/**
 * A link snapshot's JSON, kept per snapshot object: the reference data hands out one snapshot per
 * link and replaces it (never changes it) when the link changes; all of the link's clicks share it.
 */
const linkJsonCache = new WeakMap<LinkSnapshot, string>();
function linkJson(link: LinkSnapshot): string {
  let json = linkJsonCache.get(link);
  if (json === undefined) {
    json = JSON.stringify(link);
    linkJsonCache.set(link, json);
  }
  return json;
}
