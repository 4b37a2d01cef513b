import { EVENT_TYPES, type EventType } from '../events/event-envelope.js';
import type { EventFacts } from './event-facts.js';
import type { SubscriptionFilters } from './subscription.js';

/** Event type patterns a subscription may use: every exact type, and `family.*` for each family. */
export const EVENT_TYPE_PATTERNS: readonly string[] = [
  ...EVENT_TYPES,
  ...new Set(EVENT_TYPES.map((type) => `${type.slice(0, type.indexOf('.'))}.*`)),
];

export function isEventTypePattern(value: string): boolean {
  return EVENT_TYPE_PATTERNS.includes(value);
}

/** True when one of the patterns (exact, or `family.*`) names the event type. */
export function eventTypeMatches(patterns: readonly string[], eventType: EventType): boolean {
  for (const pattern of patterns) {
    if (pattern === eventType) return true;
    if (pattern.endsWith('.*') && eventType.startsWith(pattern.slice(0, -1))) return true;
  }
  return false;
}

/** True when some filter is set, i.e. matching has to look inside the payload. */
export function hasFilters(filters: SubscriptionFilters): boolean {
  return (
    filters.linkIds !== null ||
    filters.tags !== null ||
    filters.campaignId !== null ||
    filters.trafficClasses !== null
  );
}

/**
 * Whether an event goes to a subscription: its type matches a pattern and it passes every filter
 * that is set. Filters on the link reject events without a link (a click on an unknown alias); the
 * traffic-class filter applies to click events only.
 */
export function subscriptionMatches(
  subscription: { readonly eventTypes: readonly string[]; readonly filters: SubscriptionFilters },
  facts: EventFacts,
): boolean {
  if (!eventTypeMatches(subscription.eventTypes, facts.eventType)) return false;
  const { linkIds, tags, campaignId, trafficClasses } = subscription.filters;
  if (linkIds !== null && (facts.linkId === null || !linkIds.includes(facts.linkId))) return false;
  if (tags !== null && !facts.tags.some((tag) => tags.includes(tag))) return false;
  if (campaignId !== null && facts.campaignId !== campaignId) return false;
  if (trafficClasses !== null && facts.trafficClass !== null && !trafficClasses.includes(facts.trafficClass))
    return false;
  return true;
}
