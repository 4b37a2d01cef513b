import { describe, expect, it } from 'vitest';
import { eventFacts } from '../../../src/webhooks/event-facts.js';
import { NO_FILTERS, type SubscriptionFilters } from '../../../src/webhooks/subscription.js';
import {
  EVENT_TYPE_PATTERNS,
  eventTypeMatches,
  hasFilters,
  isEventTypePattern,
  subscriptionMatches,
} from '../../../src/webhooks/subscription-matching.js';
import { clickCreated, linkEvent } from '../../fixtures/webhook-events.js';

const ws = 'ws_01JDQ3ZC7N0000000000000000';
const sub = (eventTypes: string[], filters: Partial<SubscriptionFilters> = {}) => ({
  eventTypes,
  filters: { ...NO_FILTERS, ...filters },
});

describe('event type patterns', () => {
  it('offers every type and a wildcard per family', () => {
    expect(EVENT_TYPE_PATTERNS).toEqual([
      'click.created',
      'click.flagged',
      'click.enriched',
      'click.deleted',
      'link.created',
      'link.updated',
      'link.deleted',
      'click.*',
      'link.*',
    ]);
    for (const bad of ['*', 'click', 'click.', 'clicks.*', 'click.created ', 'CLICK.CREATED', 'link.**']) {
      expect(isEventTypePattern(bad)).toBe(false);
    }
  });

  it('matches exact types and family wildcards', () => {
    expect(eventTypeMatches(['click.created'], 'click.created')).toBe(true);
    expect(eventTypeMatches(['click.created'], 'click.flagged')).toBe(false);
    expect(eventTypeMatches(['click.*'], 'click.deleted')).toBe(true);
    expect(eventTypeMatches(['click.*'], 'link.created')).toBe(false);
    expect(eventTypeMatches(['link.deleted', 'click.*'], 'link.deleted')).toBe(true);
    expect(eventTypeMatches([], 'click.created')).toBe(false);
  });
});

describe('subscription matching', () => {
  const humanOnA = eventFacts(
    clickCreated({ workspaceId: ws, linkId: 'lnk_A', tags: ['email', 'spring'], campaignId: 'c1' }),
  );
  const botOnB = eventFacts(clickCreated({ workspaceId: ws, linkId: 'lnk_B', trafficClass: 'bot' }));
  const unknownSlug = eventFacts(clickCreated({ workspaceId: ws, linkId: null }));
  const linkA = eventFacts(
    linkEvent('link.updated', { workspaceId: ws, linkId: 'lnk_A', tags: ['email'], campaignId: 'c1' }),
  );

  it('reads the facts from the payload', () => {
    expect(humanOnA).toEqual({
      eventType: 'click.created',
      linkId: 'lnk_A',
      tags: ['email', 'spring'],
      campaignId: 'c1',
      trafficClass: 'human',
    });
    expect(botOnB.trafficClass).toBe('bot');
    expect(unknownSlug.linkId).toBeNull();
    expect(linkA).toEqual({
      eventType: 'link.updated',
      linkId: 'lnk_A',
      tags: ['email'],
      campaignId: 'c1',
      trafficClass: null,
    });
  });

  it('reads a damaged payload as having nothing', () => {
    expect(
      eventFacts({
        eventId: 'evt_x',
        workspaceId: ws,
        eventType: 'click.created',
        occurredAt: 0,
        payload: '{not json',
      }),
    ).toEqual({
      eventType: 'click.created',
      linkId: null,
      tags: [],
      campaignId: null,
      trafficClass: null,
    });
    const odd = JSON.stringify({
      data: { link: { link_id: 7, tags: ['a', 3] }, click: { traffic_class: 'alien' } },
    });
    expect(
      eventFacts({
        eventId: 'evt_x',
        workspaceId: ws,
        eventType: 'click.created',
        occurredAt: 0,
        payload: odd,
      }),
    ).toMatchObject({
      linkId: null,
      tags: ['a'],
      trafficClass: null,
    });
  });

  it('without filters, matches on event type only', () => {
    expect(hasFilters(NO_FILTERS)).toBe(false);
    expect(subscriptionMatches(sub(['click.*']), botOnB)).toBe(true);
    expect(subscriptionMatches(sub(['click.*']), linkA)).toBe(false);
  });

  it.each([
    ['link_ids', { linkIds: ['lnk_A'] }, [true, false, false, true]],
    ['tags', { tags: ['spring', 'other'] }, [true, false, false, false]],
    ['campaign_id', { campaignId: 'c1' }, [true, false, false, true]],
    ['traffic_classes', { trafficClasses: ['human' as const] }, [true, false, true, true]],
    [
      'traffic_classes bot',
      { trafficClasses: ['bot' as const, 'prefetch' as const] },
      [false, true, false, true],
    ],
    ['link_ids and tags', { linkIds: ['lnk_A', 'lnk_B'], tags: ['email'] }, [true, false, false, true]],
  ] as const)('filter %s', (_name, filters, expected) => {
    const s = sub(['click.*', 'link.*'], filters);
    expect(hasFilters(s.filters)).toBe(true);
    expect([humanOnA, botOnB, unknownSlug, linkA].map((facts) => subscriptionMatches(s, facts))).toEqual(
      expected,
    );
  });
});
