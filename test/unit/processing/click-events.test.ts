import { describe, expect, it } from 'vitest';
import { toStoredEvent } from '../../../src/events/event-envelope.js';
import {
  clickCreatedEnvelope,
  clickCreatedEvent,
  clickFlaggedEnvelope,
  clickFlaggedEvent,
} from '../../../src/processing/click-events.js';
import type { LinkSnapshot } from '../../../src/processing/click-payload.js';
import type { ProcessedClick } from '../../../src/processing/processed-click.js';
import { aProcessedClick } from '../../contract/click-fixtures.js';

const LINK: LinkSnapshot = {
  link_id: 'lnk_A',
  alias: 'spring-sale',
  domain_id: 'dom_A',
  campaign_id: 'spring "2026"',
  channel: null,
  tags: ['email', 'news\u2028letter', 'a\\b'],
};

/** Clicks with every kind of value the payload carries, including strings JSON must escape. */
const CLICKS: ProcessedClick[] = [
  aProcessedClick(),
  aProcessedClick({
    linkId: null,
    country: null,
    asn: null,
    osFamily: null,
    browserFamily: null,
    language: null,
    ipHash: null,
    ipPrefix: null,
    referrerHost: 'mail."quoted".example\u0000\ud800',
    referrerCategory: 'email',
    deviceType: 'bot',
    trafficClass: 'security_scanner',
    isBot: true,
    botScore: 0.875,
    isSuspicious: true,
    fraudReason: 'burst',
    reasons: ['bot_user_agent', 'burst_same_visitor'] as unknown as ProcessedClick['reasons'],
    isUnique: false,
    method: 'HEAD',
    redirectStatus: 'blocked',
    blockReason: 'link_disabled' as ProcessedClick['blockReason'],
    privacyMode: 'ip=none;geo=country;referrer=none;language=none;user_agent=until-processed',
    simulated: true,
  }),
  aProcessedClick({ botScore: Number.NaN, privacyMode: 'not a label' }),
  // Times unlike the others' and each other's: the serialiser reuses the timestamps it wrote last.
  aProcessedClick({
    occurredAt: 1_800_000_100_000,
    receivedAt: 1_800_000_100_250,
    processedAt: 1_800_000_200_000,
  }),
  aProcessedClick({
    occurredAt: 1_800_000_100_000,
    receivedAt: 1_800_000_100_000,
    processedAt: 1_800_000_300_000,
  }),
  // A value the types rule out (as a corrupted row might hold): the event is still the envelope's JSON.
  aProcessedClick({ region: undefined as unknown as null, language: 42 as unknown as string }),
];

describe('click events', () => {
  it.each(CLICKS.map((click, i) => [i, click] as const))(
    'click.created is the envelope serialised whole, byte for byte (click %i)',
    (_, click) => {
      const event = clickCreatedEvent(click, LINK, 1_800_000_000_123);
      expect(event).toEqual(toStoredEvent(clickCreatedEnvelope(click, LINK, event.eventId)));
    },
  );

  it.each(CLICKS.map((click, i) => [i, click] as const))(
    'click.flagged is the envelope serialised whole, byte for byte (click %i)',
    (_, click) => {
      const at = 1_800_000_000_456;
      const previous = CLICKS[0]!;
      const event = clickFlaggedEvent(click, previous, LINK, at);
      expect(event).toEqual(toStoredEvent(clickFlaggedEnvelope(click, previous, LINK, event.eventId, at)));
    },
  );

  it('serialises a changed link snapshot anew', () => {
    const click = CLICKS[0]!;
    const before = JSON.parse(clickCreatedEvent(click, LINK, 1).payload);
    const after = JSON.parse(clickCreatedEvent(click, { ...LINK, tags: [] }, 1).payload);
    expect(before.data.link.tags).toEqual(LINK.tags);
    expect(after.data.link.tags).toEqual([]);
  });
});
