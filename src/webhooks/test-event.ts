import {
  EVENT_SCHEMA_VERSION,
  EVENT_TYPES,
  type EventEnvelope,
  type EventType,
} from '../events/event-envelope.js';
import { toLinkResource } from '../links/link-resource.js';
import { clickCreatedEvent } from '../processing/click-events.js';
import type { LinkSnapshot } from '../processing/click-payload.js';
import { PRIVACY_MODE, type ProcessedClick } from '../processing/processed-click.js';

/** A test event carries the real envelope and data shapes, plus `"test": true` at the top. */
export type TestEventEnvelope = EventEnvelope & { readonly test: true };

/** The event type a test sends: the subscription's first type (a family wildcard stands for its first type). */
export function testEventType(patterns: readonly string[]): EventType {
  for (const pattern of patterns) {
    const exact = EVENT_TYPES.find((type) => type === pattern);
    if (exact) return exact;
    const family = EVENT_TYPES.find(
      (type) => pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1)),
    );
    if (family) return family;
  }
  return 'click.created';
}

/**
 * A sample event for the test endpoint, built by the same serializers as real events so its shape
 * cannot drift from them. Sample values only: no real click or link of the workspace is used.
 */
export function testEvent(
  workspaceId: string,
  eventType: EventType,
  eventId: string,
  now: number,
): TestEventEnvelope {
  const base = {
    schema_version: EVENT_SCHEMA_VERSION as typeof EVENT_SCHEMA_VERSION,
    event_id: eventId,
    event_type: eventType,
    occurred_at: new Date(now).toISOString(),
    workspace_id: workspaceId,
    test: true as const,
  };
  if (eventType.startsWith('link.')) {
    return {
      ...base,
      data: { link: toLinkResource(sampleLink(workspaceId, now), 'https://clk.example.com/sample') },
    };
  }
  const click = sampleClick(workspaceId, now);
  const link: LinkSnapshot = {
    link_id: 'lnk_00000000000000000000000000',
    alias: 'sample',
    domain_id: null,
    campaign_id: 'sample-campaign',
    channel: null,
    tags: ['sample'],
  };
  const { data } = JSON.parse(clickCreatedEvent(click, link, now).payload) as { data: unknown };
  return { ...base, data };
}

function sampleLink(workspaceId: string, now: number) {
  return {
    linkId: 'lnk_00000000000000000000000000',
    workspaceId,
    domainId: null,
    alias: 'sample',
    destinationUrl: 'https://example.com/',
    redirectType: 302 as const,
    campaignId: 'sample-campaign',
    channel: null,
    tags: ['sample'],
    expiresAt: null,
    disabled: false,
    forwardQuery: false,
    fallbackUrl: null,
    createdAt: now,
    updatedAt: now,
  };
}

function sampleClick(workspaceId: string, now: number): ProcessedClick {
  return {
    clickId: 'clk_00000000000000000000000000',
    workspaceId,
    linkId: 'lnk_00000000000000000000000000',
    domainId: null,
    slug: 'sample',
    campaignId: 'sample-campaign',
    occurredAt: now,
    receivedAt: now,
    processedAt: now,
    method: 'GET',
    redirectStatus: 'success',
    blockReason: null,
    ipHash: '0'.repeat(32),
    ipPrefix: '192.0.2.0/24',
    country: null,
    region: null,
    asn: null,
    deviceType: 'desktop',
    osFamily: null,
    browserFamily: null,
    referrerCategory: 'direct',
    referrerHost: null,
    language: null,
    isUnique: true,
    uniquenessRule: 'link_visitor_24h',
    trafficClass: 'human',
    isBot: false,
    botScore: 0,
    isSuspicious: false,
    fraudReason: null,
    reasons: [],
    privacyMode: PRIVACY_MODE,
    simulated: true,
  };
}
