import type { EventType, StoredEvent } from '../events/event-envelope.js';
import { TRAFFIC_CLASSES, type TrafficClass } from '../processing/classification/traffic-class.js';

/** What subscription filters look at in an event: its link and, for click events, the click's class. */
export interface EventFacts {
  readonly eventType: EventType;
  readonly linkId: string | null;
  readonly tags: readonly string[];
  readonly campaignId: string | null;
  /** `null` for events that carry no click (`link.*`). */
  readonly trafficClass: TrafficClass | null;
}

/**
 * Reads the facts from the stored envelope (`data.link`, `data.click.traffic_class`). Anything
 * missing or of the wrong shape reads as "none", so a malformed payload matches only
 * subscriptions without that filter — it never stops the fan-out.
 */
export function eventFacts(event: StoredEvent): EventFacts {
  let data: unknown = null;
  try {
    data = (JSON.parse(event.payload) as { data?: unknown }).data ?? null;
  } catch {
    data = null;
  }
  const link = field(data, 'link');
  const trafficClass = field(field(data, 'click'), 'traffic_class');
  return {
    eventType: event.eventType,
    linkId: text(field(link, 'link_id')),
    tags: strings(field(link, 'tags')),
    campaignId: text(field(link, 'campaign_id')),
    trafficClass: TRAFFIC_CLASSES.find((known) => known === trafficClass) ?? null,
  };
}

function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string, unknown>)[name];
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}
